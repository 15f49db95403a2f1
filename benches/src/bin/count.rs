//! Instruction-count driver, with `critical-section`'s `std` implementation (a
//! process-wide mutex) behind `Pool`, tinyalloc's heaps and embedded-alloc. See
//! `tinyalloc_bench::driver` for the command line; `benches/run.sh` runs it under
//! callgrind.

fn main() -> std::process::ExitCode {
    tinyalloc_bench::driver::main("std")
}
