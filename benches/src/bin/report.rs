//! Turns what `benches/run.sh` collected into `RESULTS.md`:
//! `report DIR` reads `DIR/counts.txt` (one callgrind run per line), `DIR/packing.txt`,
//! `DIR/divan-{pools,heaps,buffers}.txt` and `DIR/meta.txt`, and prints markdown.
//! `report DIR --readme README.md` also rewrites the README's performance section
//! (between its `benches/run.sh` markers) from the same data.

use std::fmt::Write as _;
use std::path::Path;

use tinyalloc_bench::{Entry, buffers, driver, heaps, pools, worst};

use data::{Count, Data, Packing};

#[path = "report/data.rs"]
mod data;
#[path = "report/targets.rs"]
mod targets;
use targets::targets_section;

fn instr(value: Option<f64>) -> String {
    match value {
        Some(value) if value >= 1000.0 => group_thousands(value.round() as usize),
        Some(value) => format!("{value:.1}"),
        None => "—".to_owned(),
    }
}

/// Whole instructions, for counts of one call (the worst group), which have no
/// fraction to show.
fn whole(value: Option<f64>) -> String {
    value.map_or_else(
        || "—".to_owned(),
        |value| group_thousands(value.round() as usize),
    )
}

fn nanos(value: Option<f64>) -> String {
    match value {
        Some(value) if value >= 100.0 => format!("{value:.0} ns"),
        Some(value) if value >= 10.0 => format!("{value:.1} ns"),
        Some(value) => format!("{value:.2} ns"),
        None => "—".to_owned(),
    }
}

fn cell(data: &Data, cs: &str, group: &str, entry: &str, workload: &str, cap: &str) -> String {
    let count = data.instructions(cs, group, entry, workload, cap);
    if count.is_none() {
        return "—".to_owned();
    }
    format!(
        "{} · {}",
        instr(count),
        nanos(data.nanos(group, entry, workload, cap))
    )
}

const POOL_WORKLOADS: [(&str, &str); 5] = [
    (
        "pair",
        "**alloc + free pair**, the pool otherwise empty: instructions and median time per pair",
    ),
    (
        "pair-full",
        "**alloc + free pair with the pool nearly full** (`capacity − 1` blocks held): per pair",
    ),
    (
        "fill-lifo",
        "**fill, then drain last-in first-out**: per block (one alloc + one free)",
    ),
    (
        "fill-random",
        "**fill, then drain in a seeded random order**: per block (one alloc + one free)",
    ),
    (
        "lookup",
        "**lookup**: the first byte of a random live block, from its handle (a full pool); per lookup",
    ),
];

/// Writes an entry's row of instruction counts with the no-op critical section, one
/// cell per `(workload, capacity)` run, when they differ from the host mutex's.
fn no_op_row(out: &mut String, data: &Data, group: &str, entry: &str, runs: &[(&str, &str)]) {
    let counts = |cs: &str| -> Vec<String> {
        runs.iter()
            .map(|(workload, cap)| instr(data.instructions(cs, group, entry, workload, cap)))
            .collect()
    };
    let bare = counts("none");
    if bare != counts("std") {
        writeln!(
            out,
            "| `{entry}`, no-op critical section | {} |",
            bare.join(" | ")
        )
        .unwrap();
    }
}

fn pools_section(data: &Data, out: &mut String) {
    let caps: Vec<String> = pools::CAPACITIES.iter().map(|c| c.to_string()).collect();
    for (workload, title) in POOL_WORKLOADS {
        writeln!(out, "\n{title}.\n").unwrap();
        writeln!(out, "| entry | 32 slots | 256 slots | 4,096 slots |").unwrap();
        writeln!(out, "| --- | --- | --- | --- |").unwrap();
        for entry in pools::ENTRIES {
            let cells: Vec<String> = caps
                .iter()
                .map(|cap| cell(data, "std", "pools", entry.name, workload, cap))
                .collect();
            if cells.iter().all(|c| c == "—") {
                continue;
            }
            writeln!(out, "| `{}` | {} |", entry.name, cells.join(" | ")).unwrap();
            let runs: Vec<(&str, &str)> = caps.iter().map(|cap| (workload, cap.as_str())).collect();
            no_op_row(out, data, "pools", entry.name, &runs);
        }
    }
    entry_list(out, "What each entry does:", pools::ENTRIES);
}

/// One row per buffer entry: bytes one at a time, then in slices of 64.
fn buffer_rows(data: &Data, out: &mut String) {
    for entry in buffers::ENTRIES {
        writeln!(
            out,
            "| `{}` | {} | {} |",
            entry.name,
            cell(data, "std", "buffers", entry.name, "bytes", "-"),
            cell(data, "std", "buffers", entry.name, "slices", "-")
        )
        .unwrap();
        no_op_row(
            out,
            data,
            "buffers",
            entry.name,
            &[("bytes", "-"), ("slices", "-")],
        );
    }
}

/// The list under a group's tables that says what each entry runs.
fn entry_list(out: &mut String, heading: &str, entries: &[Entry]) {
    writeln!(out, "\n{heading}\n").unwrap();
    for entry in entries {
        writeln!(out, "- `{}`: {}", entry.name, entry.does).unwrap();
    }
}

fn heaps_section(data: &Data, out: &mut String) {
    heaps_section_table(data, out);
    entry_list(out, "What each entry is:", heaps::ENTRIES);
}

fn heaps_section_table(data: &Data, out: &mut String) {
    writeln!(
        out,
        "\n| entry | instructions per op | with a no-op critical section | median per op | failed allocations | packing, adversarial | packing, random growth (seeds 1, 2, 3) | the same on a 32-bit target: adversarial | random growth |"
    )
    .unwrap();
    writeln!(
        out,
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    .unwrap();
    for entry in heaps::ENTRIES {
        let std = data.count("std", "heaps", entry.name, "mixed", "-");
        let bare = data.count("none", "heaps", entry.name, "mixed", "-");
        let failed = std.map_or("—".to_owned(), |c| {
            format!(
                "{} of {} ({:.1} %)",
                c.failed,
                c.attempts,
                100.0 * c.failed as f64 / c.attempts.max(1) as f64
            )
        });
        let bare_cell = match (std, bare) {
            (Some(s), Some(b)) if (s.ir - b.ir).abs() > 0.5 => instr(Some(b.per_unit())),
            (Some(_), Some(_)) => "same".to_owned(),
            _ => "—".to_owned(),
        };
        let packing = |figures: &Packing| {
            figures
                .get(entry.name)
                .map_or(("—".to_owned(), "—".to_owned()), |(a, g)| {
                    let g: Vec<String> = g.iter().map(|v| format!("{v:.1} %")).collect();
                    (format!("{a:.1} %"), g.join(", "))
                })
        };
        let (adversarial, growth) = packing(&data.packing);
        let (adversarial32, growth32) = packing(&data.packing32);
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            entry.name,
            instr(std.map(Count::per_unit)),
            bare_cell,
            nanos(data.nanos("heaps", entry.name, "mixed", "-")),
            failed,
            adversarial,
            growth,
            adversarial32,
            growth32
        )
        .unwrap();
    }
}

fn buffers_section(data: &Data, out: &mut String) {
    writeln!(
        out,
        "\n| entry | bytes: one at a time, per byte in and out | slices of 64, per byte in and out |"
    )
    .unwrap();
    writeln!(out, "| --- | --- | --- |").unwrap();
    buffer_rows(data, out);
    entry_list(out, "What each entry does:", buffers::ENTRIES);
}

/// The README's performance section: the same run, fewer columns.
fn readme_section(data: &Data) -> String {
    let mut out = String::new();
    let meta = |key: &str| {
        data.meta
            .iter()
            .find(|(k, _)| k == key)
            .map_or("?", |(_, v)| v.as_str())
            .to_owned()
    };
    writeln!(
        out,
        "Measured {} on {} ({}; {}), with `{}`; the full tables, every capacity and how each \
         entry is driven are in \
         [benches/RESULTS.md](https://github.com/tinyalloc/tinyalloc/blob/main/benches/RESULTS.md). \
         Instructions per operation come from callgrind and are the figures to compare; the wall-clock medians \
         (divan) beside them are from a shared machine. Peers ran in the same run, on the same \
         seeded operation streams.",
        meta("date"),
        meta("machine"),
        meta("toolchain"),
        meta("build"),
        meta("command").trim_matches('`')
    )
    .unwrap();
    writeln!(
        out,
        "\nFixed-size pools of 64-byte blocks, 256 slots (the nearly-full pair also at 4,096 slots), \
         instructions · median per operation pair (per lookup in the last column):\n"
    )
    .unwrap();
    writeln!(
        out,
        "| entry | alloc + free | nearly full, 256 | nearly full, 4,096 | fill, drain LIFO | fill, drain random | lookup |"
    )
    .unwrap();
    writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |").unwrap();
    for entry in pools::ENTRIES {
        let cells = [
            cell(data, "std", "pools", entry.name, "pair", "256"),
            cell(data, "std", "pools", entry.name, "pair-full", "256"),
            cell(data, "std", "pools", entry.name, "pair-full", "4096"),
            cell(data, "std", "pools", entry.name, "fill-lifo", "256"),
            cell(data, "std", "pools", entry.name, "fill-random", "256"),
            cell(data, "std", "pools", entry.name, "lookup", "256"),
        ];
        writeln!(out, "| `{}` | {} |", entry.name, cells.join(" | ")).unwrap();
        no_op_row(
            &mut out,
            data,
            "pools",
            entry.name,
            &[
                ("pair", "256"),
                ("pair-full", "256"),
                ("pair-full", "4096"),
                ("fill-lifo", "256"),
                ("fill-random", "256"),
                ("lookup", "256"),
            ],
        );
    }
    writeln!(
        out,
        "\n`tinyalloc-slab` hands out a block without writing it (`alloc_uninit`); \
         `tinyalloc-slab-copy`, `tinyalloc-pool`, the caches and the peers but the index free \
         list move or copy 64 bytes in, so the targets below judge `tinyalloc-slab-copy` against \
         `slab`. `tinyalloc-pool` takes `critical-section`'s `std` mutex on \
         a host; the *no-op critical section* row stands in for a single-core MCU."
    )
    .unwrap();
    writeln!(
        out,
        "\nHeaps on a 1 MiB arena, the mixed workload (8 to 512 B, about 512 blocks live), and packing:\n"
    )
    .unwrap();
    heaps_section_table(data, &mut out);
    writeln!(
        out,
        "\nByte queues, instructions · median per byte pushed and popped:\n"
    )
    .unwrap();
    writeln!(out, "| entry | one byte at a time | slices of 64 |").unwrap();
    writeln!(out, "| --- | --- | --- |").unwrap();
    buffer_rows(data, &mut out);
    writeln!(out, "\nThe targets of issue 8, judged on this run:\n").unwrap();
    targets_section(data, &mut out);
    out
}

/// Replaces what lies between the README's bench markers with `section`.
fn splice_readme(path: &Path, section: &str) {
    const START: &str = "<!-- benches/run.sh: start -->";
    const END: &str = "<!-- benches/run.sh: end -->";
    let readme = std::fs::read_to_string(path).expect("README.md");
    let (head, rest) = readme
        .split_once(START)
        .expect("the start marker in README.md");
    let (_, tail) = rest.split_once(END).expect("the end marker in README.md");
    let updated = format!("{head}{START}\n{section}{END}{tail}");
    std::fs::write(path, updated).expect("README.md written");
}

/// What the heap group runs, under its heading.
fn heaps_intro() -> String {
    format!(
        "- *Mixed*: {} slots; {} steps, each drawing 64 random bits `r` (xorshift64, seed {:#x}): \
         slot `r % {}` frees its block if it holds one, or else allocates `8 + (r >> 32) % 505` \
         bytes (8 to 512, align 8) into it, so about half the slots are live. Per op = per step \
         (an alloc or a dealloc). Failed allocations leave the slot empty.\n\
         - *Packing*: the share of the arena holding live requested bytes at the first failed \
         allocation. Adversarial: allocate {} blocks of 32 bytes (a quarter of the arena; fewer \
         only if one fails), free every other one, then ask for {} bytes in turn, round and \
         round, until one fails. Random growth: allocate 8 to 512 bytes with probability 0.7, else free a random live block, until an \
         allocation fails (seeds {}). The last two columns come from the same driver built for \
         `i686-unknown-linux-gnu`, a 32-bit target, as a microcontroller is: allocators that \
         round blocks to a multiple of the word size, or keep word-sized headers, pack \
         differently there (talc and rlsf tighter, linked_list_allocator looser).\n\
         - lite-alloc cannot be handed a region: it grows a WebAssembly-style memory, which on a \
         host is a 128 MiB mock. A block that ends past the first 1 MiB of that memory counts as \
         a failed allocation (and is never used or freed), as if the grow had been refused.",
        heaps::SLOTS,
        heaps::MIXED_OPS,
        heaps::MIXED_SEED,
        heaps::SLOTS,
        group_thousands(heaps::ADVERSARIAL_FILL),
        heaps::ADVERSARIAL_SIZES
            .map(|size| size.to_string())
            .join(", "),
        heaps::GROWTH_SEEDS.map(|seed| seed.to_string()).join(", ")
    )
}

/// `8192` as `8,192`, `1234567` as `1,234,567`.
fn group_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
#[path = "report/tests.rs"]
mod tests;

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

/// The `worst` group: one call per run, so each figure is that call's instructions,
/// all of them (`count-bare`, `count`) or those inside its critical sections
/// (`count-masked`, whose lines are absent from data collected before it existed:
/// those cells read "—").
fn worst_section(data: &Data, out: &mut String) {
    writeln!(
        out,
        "| entry | operation | worst-case input | capacity | instructions inside critical sections (no-op critical section) | critical sections | instructions of the longest | instructions of the whole call, no-op critical section | instructions of the whole call, host mutex | failed |\n\
         | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
    )
    .unwrap();
    for case in worst::CASES {
        for capacity in worst::capacities(case) {
            let count = |cs: &str| data.count(cs, "worst", case.entry, case.op, &capacity);
            let failed = match count("none") {
                Some(count) if count.failed > 0 => "yes",
                Some(_) => "no",
                None => "—",
            };
            let masked = count("masked");
            let sections = masked
                .and_then(|count| count.sections)
                .map_or_else(|| "—".to_owned(), |n| n.to_string());
            let longest = whole(masked.and_then(|count| count.longest).map(|n| n as f64));
            writeln!(
                out,
                "| `{}` | `{}` | {} | {capacity} | {} | {sections} | {longest} | {} | {} | {failed} |",
                case.entry,
                case.op,
                case.input,
                whole(masked.map(Count::per_unit)),
                whole(count("none").map(Count::per_unit)),
                whole(count("std").map(Count::per_unit)),
            )
            .unwrap();
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(
        args.first()
            .expect("usage: report DIR [--readme README.md]"),
    );
    let data = Data::load(dir);
    let empty = data
        .instructions("std", "empty", "call", "-", "-")
        .expect("the empty call was counted");

    let mut out = String::new();
    writeln!(out, "# Benchmark results\n").unwrap();
    writeln!(
        out,
        "Written by `benches/run.sh`; do not edit by hand. Every figure below comes from the run described here.\n"
    )
    .unwrap();
    for (key, value) in &data.meta {
        writeln!(out, "- {key}: {value}").unwrap();
    }
    writeln!(
        out,
        "\nEach cell reads **instructions per unit · wall-clock median per unit**.\n\n\
         - *Instructions*: `valgrind --tool=callgrind --toggle-collect='tinyalloc_bench::measured::*'` \
         on `count run GROUP ENTRY WORKLOAD CAPACITY` (built by `benches/run.sh` in its own target directory, with the flags under *build* above), one process per cell; \
         callgrind's total divided by the units the driver reports. Only the instructions inside \
         the never-inlined functions of `tinyalloc_bench::measured` are collected, so the harness \
         (random numbers, the list of live handles) is left out; the call into such a function is \
         in: an empty one costs {empty:.1} instructions. Deterministic: the same binary gives the \
         same count on every run.\n\
         - *Critical section*: `count` links `critical-section`'s `std` implementation, a process-wide \
         mutex, which is what `Pool`, tinyalloc's heaps and embedded-alloc take on a host. \
         `count-bare` links a critical section that does nothing (sound there: one thread), \
         standing in for a single-core MCU's interrupt mask, which costs a few instructions more. \
         Rows and columns marked *no-op critical section* come from `count-bare`; every other \
         figure from `count`. Entries with their own lock (spin locks, atomics) take it in both.\n\
         - *Wall-clock*: divan's median (`cargo bench -p tinyalloc-bench -- --min-time 0.1 \
         --max-time 0.5`), converted to the same unit; this machine is shared, so read them as \
         a second opinion, not as the comparison."
    )
    .unwrap();
    writeln!(out, "\n## Targets\n").unwrap();
    writeln!(
        out,
        "Instruction counts per operation with the peers from the same run; slot counts 32 / 256 / 4,096."
    )
    .unwrap();
    targets_section(&data, &mut out);
    writeln!(out, "\n## Fixed-size pools: 64-byte blocks\n").unwrap();
    writeln!(
        out,
        "Pairs and fills run {} pairs / {} blocks (at least one fill round); lookups {} times. Seed {:#x}.",
        pools::PAIRS,
        pools::FILL_BLOCKS,
        pools::LOOKUPS,
        pools::SEED
    )
    .unwrap();
    pools_section(&data, &mut out);
    writeln!(out, "\n## Heaps: a 1 MiB arena\n").unwrap();
    writeln!(out, "{}", heaps_intro()).unwrap();
    heaps_section(&data, &mut out);
    writeln!(out, "\n## Byte buffers and queues\n").unwrap();
    writeln!(
        out,
        "{} rounds of {} bytes each: pushed one at a time (or as slices of {}), then popped the same way. \
         Per byte = one byte in and out.",
        buffers::ROUNDS,
        buffers::BYTES,
        buffers::SLICE
    )
    .unwrap();
    buffers_section(&data, &mut out);
    writeln!(
        out,
        "\n## Worst cases: the longest one call holds the critical section\n"
    )
    .unwrap();
    writeln!(
        out,
        "`count run worst ENTRY OPERATION CAPACITY`: the input is built outside the counted code, \
         then the one call runs through `measured::once` (or the queue's `measured` function). \
         Heaps: a region of CAPACITY bytes; queues: a slice of CAPACITY bytes. \
         `benches/tests/worst.rs` checks each input's shape, and `benches/tests/masked.rs` the \
         critical sections each call enters.\n\n\
         - *Inside critical sections*: `count-masked` (a no-op critical section, as `count-bare`'s, \
         but while the one call is armed each outermost section it enters turns callgrind's \
         collection on and its release turns it off) under `valgrind --tool=callgrind \
         --collect-atstart=no`, without `--toggle-collect`: the instructions executed inside the \
         call's critical sections, summed over them, what a single-core MCU runs with interrupts \
         masked; work the call does between its sections (a copy outside the lock, a slab \
         provider's) is left out. *Critical sections* is how many it entered (nested ones not \
         counted apart), and *the longest* the instructions of the longest one (each section's \
         release has callgrind dump its count to a file of its own). Each section's figure includes about six instructions of the \
         instrumentation itself (a test and the request that turns collection off), and that \
         critical section is compiled in, so the inlining around it differs from `count-bare`'s: \
         where nearly all of a call runs inside its sections, this figure can exceed the whole \
         call's.\n\
         - *Whole call*: `count-bare` and `count`, as the tables above: every instruction of the \
         call, its entry and return included, inside its sections or not.\n"
    )
    .unwrap();
    worst_section(&data, &mut out);
    let _ = driver::EMPTY_CALLS;
    print!("{out}");
    if let [_, flag, readme] = args.as_slice() {
        assert_eq!(flag, "--readme", "usage: report DIR [--readme README.md]");
        splice_readme(Path::new(readme), &readme_section(&data));
    }
}
