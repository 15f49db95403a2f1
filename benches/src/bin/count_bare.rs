//! Instruction-count driver with a critical section that does nothing, standing in
//! for a single-core microcontroller's (which masks interrupts: a few instructions
//! more). Everything else is `count`. The program runs on one thread, so nothing
//! needs excluding. Its `worst` figures are whole calls; `count-masked` counts only
//! what runs inside their critical sections. Build it alone:
//! `cargo build --release -p tinyalloc-bench --no-default-features --features bare-critical-section --bin count-bare`.

struct NoOpCriticalSection;

critical_section::set_impl!(NoOpCriticalSection);

// SAFETY: this program runs on one thread and installs no signal handlers, so no
// other context can enter a critical section while one is held: `acquire` has
// nothing to exclude.
unsafe impl critical_section::Impl for NoOpCriticalSection {
    unsafe fn acquire() -> critical_section::RawRestoreState {
        // `()` in the real build; `bool` only when `--all-features` also turns on the
        // `std` implementation (clippy), which never links this binary.
        Default::default()
    }

    unsafe fn release(_: critical_section::RawRestoreState) {}
}

/// The `worst` group's code, compiled here rather than in the library (see there).
#[path = "../worst_run/mod.rs"]
mod worst_run;

fn main() -> std::process::ExitCode {
    tinyalloc_bench::driver::main("none", worst_run::run, None)
}
