//! Instruction-count driver, with `critical-section`'s `std` implementation (a
//! process-wide mutex) behind `Pool`, tinyalloc's heaps and embedded-alloc. See
//! `tinyalloc_bench::driver` for the command line; `benches/run.sh` runs it under
//! callgrind.

/// The `worst` group's code, compiled here rather than in the library (see there).
#[path = "../worst_run/mod.rs"]
mod worst_run;

fn main() -> std::process::ExitCode {
    tinyalloc_bench::driver::main("std", worst_run::run, None)
}
