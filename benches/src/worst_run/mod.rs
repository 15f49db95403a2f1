//! The worst-case group's inputs and calls (see [`tinyalloc_bench::worst`] for the
//! cases). Not part of the library: the drivers and the tests include this module
//! with `#[path]`, so the allocator code it instantiates is compiled into them and
//! not beside the comparison workloads in the library, whose inlining it would
//! otherwise change (with it there, `FreeListAllocator`'s mixed workload went from
//! 58.0 to 74.3 instructions per operation and `Pool`'s pair from 63 to 101).

use core::sync::atomic::{AtomicBool, Ordering};

use tinyalloc_bench::worst::{CASES, HEAP_SIZES, SLICES, Shape};
use tinyalloc_bench::{Outcome, buffers, measured};

mod heaps;
mod shared;

/// Raised only around a case's one measured call, by [`armed`]: `count-masked`'s
/// critical section collects the instructions of the sections entered while it is
/// up, so the builder's own sections are left out. It lives here, not in the
/// library's `measured`, whose code the comparison figures count: `count` and
/// `count-bare` raise and lower it too, but outside the measured functions, and
/// nothing of theirs reads it.
pub static ARMED: AtomicBool = AtomicBool::new(false);

/// `op` as a case's one measured call: through [`measured::once`], with [`ARMED`]
/// raised.
fn armed_once<R>(op: impl FnOnce() -> R) -> R {
    armed(|| measured::once(op))
}

/// Makes `call`, a case's one measured call (through `measured`), with [`ARMED`]
/// raised. Every case's call goes through here, most of them by [`armed_once`].
fn armed<R>(call: impl FnOnce() -> R) -> R {
    // One thread, and the critical section reads the flag on it: program order
    // suffices, no ordering between threads is needed.
    ARMED.store(true, Ordering::Relaxed);
    let result = call();
    ARMED.store(false, Ordering::Relaxed);
    result
}

/// Builds the case `entry op capacity` and makes its one measured call; `None` for
/// an unknown case.
pub fn build(entry: &str, op: &str, capacity: &str) -> Option<Shape> {
    let number = || capacity.parse::<usize>().ok();
    match entry {
        "free-list" => heaps::free_list(op, number().filter(|n| HEAP_SIZES.contains(n))?),
        "segregated" => heaps::segregated(op, number().filter(|n| HEAP_SIZES.contains(n))?),
        "bump-free-list" => heaps::bump_free_list(op, number().filter(|n| HEAP_SIZES.contains(n))?),
        "pool" if capacity == "-" => shared::pool(op),
        "cache" if capacity == "-" => shared::cache(op),
        "pool-deque" => shared::pool_deque(op, number().filter(|n| SLICES.contains(n))?),
        "global-deque" => {
            let len = number().filter(|n| SLICES.contains(n))?;
            buffers::with_queue(
                "tinyalloc-global-deque",
                false,
                shared::GlobalSlices(op, len),
            )?
        }
        _ => None,
    }
}

/// [`build`] as the driver reports it: one unit, the one call.
pub fn run(entry: &str, op: &str, capacity: &str) -> Option<Outcome> {
    CASES
        .iter()
        .find(|case| case.entry == entry && case.op == op)?;
    let shape = build(entry, op, capacity)?;
    Some(Outcome {
        units: 1,
        attempts: 1,
        failed: u64::from(!shape.succeeded),
    })
}
