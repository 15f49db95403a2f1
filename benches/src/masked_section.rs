//! `count-masked`'s critical section, which `benches/tests/masked.rs` also links:
//! it does nothing, like `count-bare`'s, except while a case's measured call is
//! armed ([`ARMED`](crate::worst_run::ARMED)): then the outermost section it
//! enters turns callgrind's collection on, the release that ends it turns it off
//! and dumps the section's count (a file per section, the output file's name with
//! `.1`, `.2`, … appended, counted from zero again), and
//! [`sections`](crate::masked_section::sections) counts them. Run with
//! `--collect-atstart=no` (and no `--toggle-collect`), callgrind's total is then
//! the instructions executed inside critical sections during the one call, the
//! stretches a single-core MCU runs with interrupts masked, and nothing the call
//! does between them (a copy outside the lock, a slab provider's work); the
//! largest dump is the longest single stretch.
//!
//! Each section's figure includes instructions of this code: whatever of `acquire`
//! follows the request that turns collection on (nothing, once inlined) and what of
//! `release` precedes the one that turns it off (the depth test and the request:
//! about six instructions, as callgrind's line counts show), much as a real
//! critical section's mask and unmask fall inside what they mask. And this code is
//! compiled into the allocators' (the `critical-section` implementation is inlined
//! like any other function), so their inlining can differ a little from
//! `count-bare`'s: a figure here can exceed that call's whole figure there when
//! nearly all of the call runs inside its sections.
//!
//! Included with `#[path]` by its users, which also include `src/worst_run/` as the
//! crate-level module `worst_run` (where `ARMED` lives). The program must run the
//! armed call on one thread: the counters are plain loads and stores.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

use crate::worst_run::ARMED;

/// Outermost critical sections entered while armed, since the process started.
static SECTIONS: AtomicU64 = AtomicU64::new(0);
/// How deep the current armed section is nested: `critical_section::with` calls
/// `acquire` again inside a section, and only the outermost may toggle collection
/// (the request flips it), or a nested section would turn it off halfway.
static DEPTH: AtomicUsize = AtomicUsize::new(0);

/// Outermost critical sections entered while [`ARMED`] was raised.
pub fn sections() -> u64 {
    SECTIONS.load(Relaxed)
}

struct MaskedCriticalSection;

critical_section::set_impl!(MaskedCriticalSection);

// SAFETY: the drivers and the test that link this run every critical section on
// one thread and install no signal handlers, so no other context can enter a
// critical section while one is held: `acquire` has nothing to exclude. What it
// does besides (counters, a callgrind request) changes no state the caller shares.
unsafe impl critical_section::Impl for MaskedCriticalSection {
    unsafe fn acquire() -> critical_section::RawRestoreState {
        // The bookkeeping comes before the request, so callgrind does not count it.
        let depth = DEPTH.load(Relaxed);
        if depth > 0 {
            DEPTH.store(depth + 1, Relaxed);
        } else if ARMED.load(Relaxed) {
            DEPTH.store(1, Relaxed);
            SECTIONS.store(SECTIONS.load(Relaxed) + 1, Relaxed);
            callgrind_toggle_collect();
        }
        // `()` in the real build; `bool` only when `--all-features` also turns on the
        // `std` implementation (clippy), which never links this.
        Default::default()
    }

    unsafe fn release(_: critical_section::RawRestoreState) {
        // Only the load, the test and the request's own instructions are counted
        // (the store after it is not); the outermost section is tested first so that
        // its path is the shortest.
        let depth = DEPTH.load(Relaxed);
        if depth == 1 {
            callgrind_toggle_collect();
            // Collection is off: the dump, which writes this section's count to a
            // file of its own and starts the next from zero, counts nothing.
            callgrind_dump_stats();
            DEPTH.store(0, Relaxed);
        } else if depth > 1 {
            DEPTH.store(depth - 1, Relaxed);
        }
    }
}

/// A callgrind request as `valgrind.h`'s `VALGRIND_DO_CLIENT_REQUEST_EXPR` lays one
/// out for amd64: the request, then its five arguments (unused by the two here). The
/// requests are those of `callgrind.h`, numbered from the tool base
/// `VG_USERREQ_TOOL_BASE('C', 'T')`: `DUMP_STATS` first, `ZERO_STATS`, then
/// `TOGGLE_COLLECT`. `static`s, so that the counted release of a section does not
/// spend instructions writing one out on the stack.
#[cfg(target_arch = "x86_64")]
const fn request(number: u64) -> [u64; 6] {
    [
        ((b'C' as u64) << 24 | (b'T' as u64) << 16) + number,
        0,
        0,
        0,
        0,
        0,
    ]
}

#[cfg(target_arch = "x86_64")]
static DUMP_STATS: [u64; 6] = request(0);
#[cfg(target_arch = "x86_64")]
static TOGGLE_COLLECT: [u64; 6] = request(2);

/// Callgrind's `CALLGRIND_TOGGLE_COLLECT`: flips whether it counts instructions.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn callgrind_toggle_collect() {
    callgrind(&TOGGLE_COLLECT);
}

/// Callgrind's `CALLGRIND_DUMP_STATS`: writes the counts so far to a file of their
/// own (the output file's name with `.1`, `.2`, … appended) and zeroes them.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn callgrind_dump_stats() {
    callgrind(&DUMP_STATS);
}

/// Makes the callgrind request `request`. A client request is a sequence of
/// instructions that does nothing on a real CPU and that valgrind's translator
/// recognises, so outside valgrind this costs four rotates and an exchange and
/// changes nothing. Written here rather than taken from a crate: two requests, on
/// one architecture.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn callgrind(request: &'static [u64; 6]) {
    // SAFETY: the four rotates of `rdi` add up to 128 bits, two whole turns, so
    // `rdi` ends as it began; `xchg rbx, rbx` changes nothing. Under valgrind the
    // sequence reads the six words `rax` points to, a `static`, and writes its
    // result to `rdx`, declared clobbered (the request's default result, which
    // `valgrind.h` puts in `rdx` first, is not needed: the result is ignored).
    // Flags and memory are left to the compiler's defaults, so it keeps the
    // section's loads and stores on their side of the request. It uses no stack.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") request.as_ptr(),
            lateout("rdx") _,
            options(nostack),
        );
    }
}

/// No client request elsewhere: `count-masked` is run under valgrind on x86_64
/// only; on other targets it counts sections and nothing more.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn callgrind_toggle_collect() {}

/// As [`callgrind_toggle_collect`]: nothing off x86_64.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn callgrind_dump_stats() {}
