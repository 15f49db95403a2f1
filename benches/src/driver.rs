//! The instruction-count driver behind `count`, `count-bare` and `count-masked`:
//! runs one workload on one entry per process, so callgrind's total for the
//! `measured` functions belongs to that entry alone. `count-masked` counts instead
//! only what runs inside the critical sections of a `worst` case's call, and adds
//! `sections=N` to the result line (see `src/bin/count_masked.rs`).
//!
//! ```text
//! count list                               every GROUP ENTRY WORKLOAD CAPACITY to run
//! count run pools ENTRY WORKLOAD CAPACITY  one run; prints units, attempts, failed
//!                                          (and, from count-masked, sections)
//! count run heaps ENTRY mixed -
//! count run buffers ENTRY WORKLOAD -
//! count run empty call -                   a call into `measured` that does nothing
//! count run worst ENTRY OPERATION CAPACITY one call on its worst input (`worst`)
//! count packing                            the heaps' packing figures (no callgrind)
//! ```

use crate::heaps::{self, Heap};
use crate::pools::{self, FixedPool};
use crate::{Outcome, buffers, measured, worst};

struct Applies;

impl pools::Visitor for Applies {
    type Out = ();
    fn visit<P: FixedPool>(self, _: P, _: usize) {}
}

impl buffers::Visitor for Applies {
    type Out = ();
    fn visit<Q: buffers::ByteQueue>(self, _: Q) {}
}

struct RunPool(pools::Workload);

impl pools::Visitor for RunPool {
    type Out = Outcome;
    fn visit<P: FixedPool>(self, mut pool: P, capacity: usize) -> Outcome {
        pools::run(&mut pool, self.0, capacity)
    }
}

struct RunMixed;

impl heaps::Visitor for RunMixed {
    type Out = Outcome;
    fn visit<H: Heap>(self, mut heap: H) -> Outcome {
        heaps::mixed(&mut heap)
    }
}

struct Packing(Option<u64>);

impl heaps::Visitor for Packing {
    type Out = f64;
    fn visit<H: Heap>(self, mut heap: H) -> f64 {
        match self.0 {
            None => heaps::adversarial(&mut heap),
            Some(seed) => heaps::random_growth(&mut heap, seed),
        }
    }
}

struct RunQueue(buffers::Workload);

impl buffers::Visitor for RunQueue {
    type Out = Outcome;
    fn visit<Q: buffers::ByteQueue>(self, mut queue: Q) -> Outcome {
        buffers::run(&mut queue, self.0)
    }
}

/// Calls into `measured::empty` this many times for the `empty` entry.
pub const EMPTY_CALLS: u64 = 20_000;

fn list() {
    println!("empty call - -");
    for entry in pools::ENTRIES {
        for capacity in pools::CAPACITIES {
            for workload in pools::Workload::ALL {
                let lookup = workload == pools::Workload::Lookup;
                if pools::with_pool(entry.name, capacity, lookup, Applies).is_some() {
                    println!("pools {} {} {capacity}", entry.name, workload.name());
                }
            }
        }
    }
    for entry in heaps::ENTRIES {
        println!("heaps {} mixed -", entry.name);
    }
    for entry in buffers::ENTRIES {
        for workload in buffers::Workload::ALL {
            let bytes = workload == buffers::Workload::Bytes;
            if buffers::with_queue(entry.name, bytes, Applies).is_some() {
                println!("buffers {} {} -", entry.name, workload.name());
            }
        }
    }
    for case in worst::CASES {
        for capacity in worst::capacities(case) {
            println!("worst {} {} {capacity}", case.entry, case.op);
        }
    }
}

fn run(group: &str, entry: &str, workload: &str, capacity: &str) -> Option<Outcome> {
    match group {
        "empty" => {
            let mut value = 0;
            for _ in 0..EMPTY_CALLS {
                measured::empty(&mut value);
            }
            Some(Outcome {
                units: EMPTY_CALLS,
                ..Outcome::default()
            })
        }
        "pools" => {
            let workload = pools::Workload::parse(workload)?;
            let capacity = capacity.parse().ok()?;
            let lookup = workload == pools::Workload::Lookup;
            pools::with_pool(entry, capacity, lookup, RunPool(workload))
        }
        "heaps" if workload == "mixed" => heaps::with_heap(entry, RunMixed),
        "buffers" => {
            let workload = buffers::Workload::parse(workload)?;
            let bytes = workload == buffers::Workload::Bytes;
            buffers::with_queue(entry, bytes, RunQueue(workload))
        }
        _ => None,
    }
}

fn packing() {
    for entry in heaps::ENTRIES {
        let worst = heaps::with_heap(entry.name, Packing(None)).expect("a listed entry");
        let growth: Vec<String> = heaps::GROWTH_SEEDS
            .iter()
            .map(|&seed| {
                let share = heaps::with_heap(entry.name, Packing(Some(seed)));
                format!("{:.4}", 100.0 * share.expect("a listed entry"))
            })
            .collect();
        // Four decimals of a percent tell single bytes of 1 MiB apart, so the targets
        // are judged on the shares as measured, not as the tables round them.
        println!("{} {:.4} {}", entry.name, 100.0 * worst, growth.join(" "));
    }
}

/// Runs a case of the `worst` group: `(entry, operation, capacity)`.
pub type WorstRun = fn(&str, &str, &str) -> Option<Outcome>;

/// The critical sections a driver's critical section entered while a `worst` case's
/// call was armed (`count-masked`).
pub type ArmedSections = fn() -> u64;

/// Runs the command line `args` (without the program name); the exit code. The
/// `worst` group's cases run through `worst`, which the driver binaries compile
/// themselves (`src/worst_run/`) rather than this library. A driver that counts its
/// armed critical sections passes `sections`, and each run's line reports them.
pub fn main(
    critical_section: &str,
    worst: WorstRun,
    sections: Option<ArmedSections>,
) -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["list"] => list(),
        ["packing"] => packing(),
        ["run", "worst", entry, operation, capacity] => {
            let outcome = worst(entry, operation, capacity);
            return report(outcome, critical_section, sections, &args[1..]);
        }
        ["run", group, entry, workload, capacity] => {
            let outcome = run(group, entry, workload, capacity);
            return report(outcome, critical_section, sections, &args[1..]);
        }
        _ => {
            eprintln!(
                "usage: count list | count run GROUP ENTRY WORKLOAD CAPACITY | count packing"
            );
            return std::process::ExitCode::FAILURE;
        }
    }
    std::process::ExitCode::SUCCESS
}

/// Prints the outcome of the run `what` (`GROUP ENTRY WORKLOAD CAPACITY`), with the
/// armed sections when the driver counts them; the exit code.
fn report(
    outcome: Option<Outcome>,
    critical_section: &str,
    sections: Option<ArmedSections>,
    what: &[&str],
) -> std::process::ExitCode {
    match outcome {
        Some(outcome) => {
            let sections =
                sections.map_or_else(String::new, |count| format!(" sections={}", count()));
            println!(
                "units={} attempts={} failed={} critical-section={critical_section}{sections}",
                outcome.units, outcome.attempts, outcome.failed
            );
            std::process::ExitCode::SUCCESS
        }
        None => {
            eprintln!("no such run: {}; see `list`", what.join(" "));
            std::process::ExitCode::FAILURE
        }
    }
}
