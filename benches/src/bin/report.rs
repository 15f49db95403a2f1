//! Turns what `benches/run.sh` collected into `RESULTS.md`:
//! `report DIR` reads `DIR/counts.txt` (one callgrind run per line), `DIR/packing.txt`,
//! `DIR/divan-{pools,heaps,buffers}.txt` and `DIR/meta.txt`, and prints markdown.
//! `report DIR --readme README.md` also rewrites the README's performance section
//! (between its `benches/run.sh` markers) from the same data.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use tinyalloc_bench::{Entry, buffers, driver, heaps, pools, worst};

/// One callgrind run: the driver's counts and callgrind's total.
#[derive(Debug, Clone, Copy)]
struct Count {
    units: f64,
    ir: f64,
    attempts: u64,
    failed: u64,
    /// The critical sections the call entered, from `count-masked` only.
    sections: Option<u64>,
    /// The instructions of the longest of them, from `count-masked` only.
    longest: Option<u64>,
}

impl Count {
    fn per_unit(self) -> f64 {
        self.ir / self.units
    }
}

/// `(critical section, group, entry, workload, capacity)`.
type CountKey = (String, String, String, String, String);

struct Data {
    counts: BTreeMap<CountKey, Count>,
    /// `(group, workload, entry, capacity)` → divan's median for one iteration, ns.
    medians: BTreeMap<(String, String, String, String), f64>,
    /// entry → adversarial %, growth % per seed.
    packing: BTreeMap<String, (f64, Vec<f64>)>,
    meta: Vec<(String, String)>,
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|error| panic!("{}: {error}", dir.join(name).display()))
}

fn parse_counts(text: &str) -> BTreeMap<CountKey, Count> {
    let mut counts = BTreeMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let field = |key: &str| -> Option<&str> {
            fields
                .iter()
                .find_map(|field| field.strip_prefix(key)?.strip_prefix('='))
        };
        let value =
            |key: &str| -> &str { field(key).unwrap_or_else(|| panic!("no {key}= in {line:?}")) };
        let key = (
            fields[0].to_owned(),
            fields[1].to_owned(),
            fields[2].to_owned(),
            fields[3].to_owned(),
            fields[4].to_owned(),
        );
        let count = Count {
            units: value("units").parse().expect("units"),
            ir: value("ir").parse().expect("ir"),
            attempts: value("attempts").parse().expect("attempts"),
            failed: value("failed").parse().expect("failed"),
            sections: field("sections").map(|n| n.parse().expect("sections")),
            longest: field("longest").map(|n| n.parse().expect("longest")),
        };
        counts.insert(key, count);
    }
    counts
}

fn parse_duration(text: &str) -> Option<f64> {
    let mut parts = text.split_whitespace();
    let number: f64 = parts.next()?.parse().ok()?;
    let scale = match parts.next()? {
        "ps" => 1e-3,
        "ns" => 1.0,
        "µs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    Some(number * scale)
}

/// Reads divan's tree: `group`, then `├─ function`, then `│  ├─ ENTRY[@CAPACITY]`
/// with the fastest, slowest, median and mean times in columns.
fn parse_divan(
    group: &str,
    text: &str,
    medians: &mut BTreeMap<(String, String, String, String), f64>,
) {
    let mut function = String::new();
    for line in text.lines() {
        let body = line.trim_start_matches(['│', '├', '╰', '─', ' ']);
        let depth = line.chars().count() - body.chars().count();
        let columns: Vec<&str> = body.split('│').collect();
        let Some(name) = columns[0].split_whitespace().next() else {
            continue;
        };
        match depth {
            3 => function = name.replace('_', "-"),
            6 if columns.len() >= 4 => {
                let Some(median) = parse_duration(columns[2]) else {
                    continue;
                };
                let (entry, capacity) = name.split_once('@').unwrap_or((name, "-"));
                medians.insert(
                    (
                        group.to_owned(),
                        function.clone(),
                        entry.to_owned(),
                        capacity.to_owned(),
                    ),
                    median,
                );
            }
            _ => {}
        }
    }
}

fn parse_packing(text: &str) -> BTreeMap<String, (f64, Vec<f64>)> {
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let entry = fields.next()?.to_owned();
            let adversarial = fields.next()?.parse().ok()?;
            let growth = fields.filter_map(|field| field.parse().ok()).collect();
            Some((entry, (adversarial, growth)))
        })
        .collect()
}

impl Data {
    fn count(
        &self,
        cs: &str,
        group: &str,
        entry: &str,
        workload: &str,
        cap: &str,
    ) -> Option<Count> {
        let key = (
            cs.to_owned(),
            group.to_owned(),
            entry.to_owned(),
            workload.to_owned(),
            cap.to_owned(),
        );
        self.counts.get(&key).copied()
    }

    fn instructions(
        &self,
        cs: &str,
        group: &str,
        entry: &str,
        workload: &str,
        cap: &str,
    ) -> Option<f64> {
        self.count(cs, group, entry, workload, cap)
            .map(Count::per_unit)
    }

    /// divan's median, per the unit the instruction counts use.
    fn nanos(&self, group: &str, entry: &str, workload: &str, cap: &str) -> Option<f64> {
        let key = (
            group.to_owned(),
            workload.to_owned(),
            entry.to_owned(),
            cap.to_owned(),
        );
        let per_iteration = *self.medians.get(&key)?;
        let per = match (group, workload) {
            ("pools", "fill-lifo" | "fill-random") => cap.parse::<f64>().ok()?,
            ("buffers", _) => buffers::BYTES as f64,
            _ => 1.0,
        };
        Some(per_iteration / per)
    }
}

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
        "\n| entry | instructions per op | with a no-op critical section | median per op | failed allocations | packing, adversarial | packing, random growth (seeds 1, 2, 3) |"
    )
    .unwrap();
    writeln!(out, "| --- | --- | --- | --- | --- | --- | --- |").unwrap();
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
        let (adversarial, growth) =
            data.packing
                .get(entry.name)
                .map_or(("—".to_owned(), "—".to_owned()), |(a, g)| {
                    let g: Vec<String> = g.iter().map(|v| format!("{v:.1} %")).collect();
                    (format!("{a:.1} %"), g.join(", "))
                });
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            entry.name,
            instr(std.map(Count::per_unit)),
            bare_cell,
            nanos(data.nanos("heaps", entry.name, "mixed", "-")),
            failed,
            adversarial,
            growth
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

/// A target from issue 8, its figures, their ratio to the peer's, and whether this
/// run meets it.
fn target(out: &mut String, what: &str, measured: String, ratio: String, met: Option<bool>) {
    let verdict = match met {
        Some(true) => "met",
        Some(false) => "**missed**",
        None => "not measured",
    };
    writeln!(out, "| {what} | {measured} | {ratio} | {verdict} |").unwrap();
}

/// `ours ÷ theirs` for each pair of figures (each capacity), to two decimals, and
/// the peer they are divided by: "0.93 / 0.93 / 0.93 × `slab`".
fn ratios(ours: &[Option<f64>], theirs: &[Option<f64>], peer: &str) -> String {
    let each: Vec<String> = ours
        .iter()
        .zip(theirs)
        .map(|pair| match pair {
            (Some(ours), Some(theirs)) if *theirs > 0.0 => format!("{:.2}", ours / theirs),
            _ => "—".to_owned(),
        })
        .collect();
    format!("{} × {peer}", each.join(" / "))
}

fn targets_section(data: &Data, out: &mut String) {
    writeln!(
        out,
        "\n| target (issue 8) | measured in this run | tinyalloc ÷ peer, same run (instructions: below 1 is cheaper; packing: above 1 is tighter) | |"
    )
    .unwrap();
    writeln!(out, "| --- | --- | --- | --- |").unwrap();
    let caps = ["32", "256", "4096"];
    let per_cap = |cs: &str, entry: &str, workload: &str| -> Vec<Option<f64>> {
        caps.iter()
            .map(|cap| data.instructions(cs, "pools", entry, workload, cap))
            .collect()
    };
    let show = |values: &[Option<f64>]| -> String {
        values
            .iter()
            .map(|v| instr(*v))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let all = |values: &[Option<f64>], ok: &dyn Fn(f64, usize) -> bool| -> Option<bool> {
        let mut met = true;
        for (i, value) in values.iter().enumerate() {
            met &= ok((*value)?, i);
        }
        Some(met)
    };

    // Issue 8 compares on identical operation streams, and `slab` moves 64 bytes into
    // every block: the pair and fill targets are judged on `tinyalloc-slab-copy`, which
    // copies them in too. `tinyalloc-slab` (`alloc_uninit`, nothing written) is shown
    // beside it, never judged.
    let slab_pair = per_cap("std", "tinyalloc-slab-copy", "pair");
    let uninit_pair = per_cap("std", "tinyalloc-slab", "pair");
    let peer = per_cap("std", "slab", "pair");
    target(
        out,
        "`TinySlabAllocator` alloc+free pair ≤ 39, copying 64 bytes in as `slab` does (32 / 256 / 4,096 slots)",
        format!(
            "{} (`slab`: {}; `alloc_uninit`, nothing written: {})",
            show(&slab_pair),
            show(&peer),
            show(&uninit_pair)
        ),
        ratios(&slab_pair, &peer, "`slab`"),
        all(&slab_pair, &|v, _| v <= 39.0),
    );
    let lookup = per_cap("std", "tinyalloc-slab", "lookup");
    let slab_lookup = per_cap("std", "slab", "lookup");
    target(
        out,
        "`TinySlabAllocator` lookup ≤ 14",
        format!("{} (`slab`: {})", show(&lookup), show(&slab_lookup)),
        ratios(&lookup, &slab_lookup, "`slab`"),
        all(&lookup, &|v, _| v <= 14.0),
    );
    for workload in ["fill-lifo", "fill-random"] {
        let ours = per_cap("std", "tinyalloc-slab-copy", workload);
        let theirs = per_cap("std", "slab", workload);
        target(
            out,
            &format!(
                "`TinySlabAllocator` {workload} ≤ `slab` at every capacity, both copying 64 bytes in"
            ),
            format!("{} vs {}", show(&ours), show(&theirs)),
            ratios(&ours, &theirs, "`slab`"),
            all(&ours, &|v, i| theirs[i].is_some_and(|t| v <= t)),
        );
    }
    for cs in ["std", "none"] {
        let label = if cs == "std" {
            "host mutex"
        } else {
            "no-op critical section"
        };
        let ours = per_cap(cs, "tinyalloc-pool", "pair");
        let heapless = per_cap(cs, "heapless-box-pool", "pair");
        let atomic = per_cap(cs, "atomic-pool", "pair");
        target(
            out,
            &format!("`Pool` pair below heapless `box_pool!` and `atomic-pool` ({label})"),
            format!(
                "{} vs {} and {}",
                show(&ours),
                show(&heapless),
                show(&atomic)
            ),
            format!(
                "{}; {}",
                ratios(&ours, &heapless, "heapless `box_pool!`"),
                ratios(&ours, &atomic, "`atomic-pool`")
            ),
            all(&ours, &|v, i| {
                heapless[i].is_some_and(|h| v < h) && atomic[i].is_some_and(|a| v < a)
            }),
        );
        let ours_full = per_cap(cs, "tinyalloc-pool", "pair-full");
        let atomic_full = per_cap(cs, "atomic-pool", "pair-full");
        target(
            out,
            &format!("`Pool` pair, nearly full, below `atomic-pool` ({label})"),
            format!("{} vs {}", show(&ours_full), show(&atomic_full)),
            ratios(&ours_full, &atomic_full, "`atomic-pool`"),
            all(&ours_full, &|v, i| atomic_full[i].is_some_and(|a| v < a)),
        );
    }
    for entry in ["tinyalloc-cache-nolock", "tinyalloc-cache-spin"] {
        let ours = per_cap("std", entry, "pair");
        let peer = per_cap(
            "std",
            &entry.replace("tinyalloc-cache", "attachable"),
            "pair",
        );
        target(
            out,
            &format!("`SlabCache` alloc+drop ≤ 60 (`{entry}`)"),
            format!(
                "{} (attachable-slab-allocator: {})",
                show(&ours),
                show(&peer)
            ),
            ratios(&ours, &peer, "attachable-slab-allocator"),
            all(&ours, &|v, _| v <= 60.0),
        );
    }
    let heap = |cs: &str, entry: &str| data.count(cs, "heaps", entry, "mixed", "-");
    let per_op = |cs: &str, entry: &str| [heap(cs, entry).map(Count::per_unit)];
    // The engines behind the host's mutex, behind a no-op critical section, and
    // behind a spin lock, the lock talc and linked_list_allocator take here.
    for (cs, suffix, label) in [
        ("std", "", "host mutex"),
        ("none", "", "no-op critical section"),
        ("std", "-spin", "spin lock, as talc's"),
    ] {
        let free_list = heap(cs, &format!("tinyalloc-free-list{suffix}"));
        target(
            out,
            &format!("`FreeListAllocator` mixed ≤ 70 per op ({label})"),
            format!(
                "{} (talc {}, rlsf {}, linked_list_allocator {})",
                instr(free_list.map(Count::per_unit)),
                instr(heap(cs, "talc").map(Count::per_unit)),
                instr(heap(cs, "rlsf").map(Count::per_unit)),
                instr(heap(cs, "linked-list-allocator").map(Count::per_unit))
            ),
            ratios(
                &[free_list.map(Count::per_unit)],
                &per_op(cs, "talc"),
                "talc",
            ),
            free_list.map(|c| c.per_unit() <= 70.0),
        );
        let segregated = heap(cs, &format!("tinyalloc-segregated{suffix}"));
        target(
            out,
            &format!("`SegregatedBumpAllocator` mixed ≤ 50 per op, no failure ({label})"),
            format!(
                "{}, {} failed (lite-alloc's: {} failed of {})",
                instr(segregated.map(Count::per_unit)),
                segregated.map_or(0, |c| c.failed),
                heap(cs, "lite-alloc-segregated").map_or(0, |c| c.failed),
                heap(cs, "lite-alloc-segregated").map_or(0, |c| c.attempts)
            ),
            ratios(
                &[segregated.map(Count::per_unit)],
                &per_op(cs, "talc"),
                "talc",
            ),
            segregated.map(|c| c.per_unit() <= 50.0 && c.failed == 0),
        );
    }
    let packing = data.packing.get("tinyalloc-free-list");
    let lla = data.packing.get("linked-list-allocator");
    let peer = |entry: &str| {
        data.packing.get(entry).map_or("—".to_owned(), |(a, g)| {
            format!("{a:.1} % / {:.1} %", min(g))
        })
    };
    target(
        out,
        "`FreeListAllocator` packing: adversarial ≥ 86 %",
        format!(
            "{} (linked_list_allocator {}, talc {}; adversarial / worst growth)",
            packing.map_or("—".to_owned(), |(a, _)| format!("{a:.1} %")),
            peer("linked-list-allocator"),
            peer("talc")
        ),
        ratios(
            &[packing.map(|(a, _)| *a)],
            &[lla.map(|(a, _)| *a)],
            "linked_list_allocator",
        ),
        packing.map(|(a, _)| *a >= 86.0),
    );
    target(
        out,
        "`FreeListAllocator` packing: random growth ≥ 95 %",
        packing.map_or("—".to_owned(), |(_, g)| {
            format!("{:.1} % (worst seed)", min(g))
        }),
        ratios(
            &[packing.map(|(_, g)| min(g))],
            &[lla.map(|(_, g)| min(g))],
            "linked_list_allocator, worst seeds",
        ),
        packing.map(|(_, g)| min(g) >= 95.0),
    );
    let bump = heap("std", "tinyalloc-bump-free-list");
    target(
        out,
        "`BumpFreeListAllocator`: no failed allocation on the mixed workload",
        format!("{} failed", bump.map_or(0, |c| c.failed)),
        "—".to_owned(),
        bump.map(|c| c.failed == 0),
    );
    let nearly_full =
        |entry: &str| instr(data.instructions("std", "pools", entry, "pair-full", "256"));
    let adversarial = |entry: &str| {
        data.packing
            .get(entry)
            .map_or("—".to_owned(), |(a, _)| format!("{a:.2} %"))
    };
    let percent1 = |share: f64| format!("{:.1} %", share * 100.0);
    let percent2 = |share: f64| format!("{:.2} %", share * 100.0);
    let ideal = heaps::adversarial_ceiling(0);
    let bookkeeping = heaps::free_list_bookkeeping();
    writeln!(
        out,
        "\nNotes on reading these. The adversarial packing allocates {} blocks of 32 bytes (a \
         quarter of the arena), frees every other one and then asks for 33, 65, 129, … bytes, \
         none of which fits a hole; with that fill linked_list_allocator ends at {} and talc at \
         {} (the issue's reference figures: 86.0 % and 59.5 %). An allocator whose blocks are \
         rounded up to 8 bytes and packed side by side, keeping no bookkeeping in the arena, \
         would reach {} (`heaps::adversarial_ceiling`), which rounds to {}. \
         `FreeListAllocator` keeps its bookkeeping in the arena, a side bitmap of one bit per 16 \
         bytes and the heads of its size classes ({} bytes of 1 MiB), and that accounts for its \
         whole gap: the same ideal allocator with those bytes taken from its region ends at {}, \
         against `FreeListAllocator`'s own {}. The target is judged on the share as measured (to a byte), so \
         not even the ideal allocator meets it: {} is the ceiling for blocks packed side by \
         side. 16 to 48 bytes of bookkeeping in the region cost it only its last 33-byte \
         request ({}), 56 bytes or more its last 1,025-byte request ({}). `Pool`'s \
         pair (256 slots) is the slab's own copy-in \
         pair ({}) plus two critical sections: the calls to acquire and release one, a check \
         of the re-entry flag, and the registers kept across those calls ({} with a no-op \
         critical section, {} with the host's mutex). atomic-pool ({}) updates an atomic bitmap \
         each way, with no lock and no handle to check; a lock-free `Pool` is ruled out by \
         `Pool::with`, which lends the whole slab to a closure. With other objects \
         live in its slab (the nearly-full pair, 256 slots) `SlabCache` takes {} (`NoLock`) and \
         {} (`SpinLock`) per pair, against {} and {} for attachable-slab-allocator.",
        group_thousands(heaps::ADVERSARIAL_FILL),
        adversarial("linked-list-allocator"),
        adversarial("talc"),
        percent2(ideal),
        percent1(ideal),
        group_thousands(bookkeeping),
        percent2(heaps::adversarial_ceiling(bookkeeping)),
        adversarial("tinyalloc-free-list"),
        percent2(ideal),
        percent2(heaps::adversarial_ceiling(48)),
        percent2(heaps::adversarial_ceiling(56)),
        instr(data.instructions("none", "pools", "tinyalloc-slab-copy", "pair", "256")),
        instr(data.instructions("none", "pools", "tinyalloc-pool", "pair", "256")),
        instr(data.instructions("std", "pools", "tinyalloc-pool", "pair", "256")),
        instr(data.instructions("std", "pools", "atomic-pool", "pair", "256")),
        nearly_full("tinyalloc-cache-nolock"),
        nearly_full("tinyalloc-cache-spin"),
        nearly_full("attachable-nolock"),
        nearly_full("attachable-spin"),
    )
    .unwrap();
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
         allocation fails (seeds {}).\n\
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
    let mut medians = BTreeMap::new();
    for group in ["pools", "heaps", "buffers"] {
        parse_divan(
            group,
            &read(dir, &format!("divan-{group}.txt")),
            &mut medians,
        );
    }
    let data = Data {
        counts: parse_counts(&read(dir, "counts.txt")),
        medians,
        packing: parse_packing(&read(dir, "packing.txt")),
        meta: read(dir, "meta.txt")
            .lines()
            .filter_map(|line| line.split_once(": "))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    };
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
