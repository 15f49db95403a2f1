//! tinyalloc side by side with the crates a firmware developer would pick instead.
//!
//! Every comparison runs the same seeded operation stream on every entry. The
//! workloads live here so that the instruction-count drivers (`src/bin/count.rs`,
//! `src/bin/count_bare.rs`) and the wall-clock benchmarks (`benches/*.rs`, divan) run
//! exactly the same code. `run.sh` runs both and writes `RESULTS.md`.
//!
//! Each workload reaches the allocator only through the functions in [`measured`],
//! which are never inlined: callgrind counts the instructions inside them and nothing
//! else (`--toggle-collect`), so the harness (random numbers, bookkeeping of live
//! handles) is left out of every figure.

pub mod buffers;
pub mod driver;
pub mod heaps;
mod hooks;
pub mod measured;
pub mod pools;
pub mod rng;
pub mod worst;

/// One entry of a comparison: a crate (or a configuration of one) that runs the
/// group's workloads.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// The name in tables and on the command line.
    pub name: &'static str,
    /// What one operation is for this entry (an `alloc` and a `free`, a push and a
    /// pop), and which lock it takes.
    pub does: &'static str,
}

/// What one run of a workload did: how many operations it measured and, for the
/// heaps, how many allocations failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Operations (or pairs, or bytes: the unit of the workload) the run measured.
    pub units: u64,
    /// Allocation attempts.
    pub attempts: u64,
    /// Allocation attempts that failed.
    pub failed: u64,
}
