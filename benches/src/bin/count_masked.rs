//! Instruction-count driver whose critical section does nothing, like `count-bare`'s,
//! but measures it: while a `worst` case's one call is armed, each outermost section
//! turns callgrind's collection on at `acquire` and off at `release`, and then has
//! callgrind dump that section's count to a file of its own
//! (`src/masked_section.rs`). Run under
//! `valgrind --tool=callgrind --collect-atstart=no` (no `--toggle-collect`), the
//! total is the instructions inside the call's critical sections alone, what a
//! single-core MCU runs with interrupts masked, the largest dump the longest
//! section, and the result line adds `sections=N`, how many sections the call
//! entered. Only the `worst` group arms its
//! call; the other groups count nothing here. Build it alone, as `count-bare`:
//! `cargo build --release -p tinyalloc-bench --no-default-features --features bare-critical-section --bin count-masked`.

/// The `worst` group's code, compiled here rather than in the library (see there).
#[path = "../worst_run/mod.rs"]
mod worst_run;

/// The critical section that collects while armed.
#[path = "../masked_section.rs"]
mod masked_section;

fn main() -> std::process::ExitCode {
    tinyalloc_bench::driver::main("masked", worst_run::run, Some(masked_section::sections))
}
