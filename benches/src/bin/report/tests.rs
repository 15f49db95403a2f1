//! The verdicts `report` writes, on counts made up for the purpose.

use std::collections::BTreeMap;

use super::data::{parse_counts, parse_packing};
use super::{Data, group_thousands, instr, targets_section, whole, worst_section};

/// A `Data` holding `lines` in the format of `counts.txt`, and nothing else.
fn data(lines: &[String]) -> Data {
    Data {
        counts: parse_counts(&lines.join("\n")),
        medians: BTreeMap::new(),
        packing: BTreeMap::new(),
        packing32: BTreeMap::new(),
        meta: Vec::new(),
    }
}

/// A `counts.txt` line: `per` instructions per unit over 20,000 units.
fn pool_line(entry: &str, workload: &str, cap: &str, per: u64) -> String {
    format!(
        "std pools {entry} {workload} {cap} units=20000 attempts=0 failed=0 critical-section=std ir={}",
        per * 20_000
    )
}

/// The targets table's row that starts with `what`.
fn row<'a>(table: &'a str, what: &str) -> &'a str {
    table
        .lines()
        .find(|line| line.starts_with(&format!("| {what}")))
        .unwrap_or_else(|| panic!("no row for {what:?} in\n{table}"))
}

/// The pair and fill counts of the three slab entries, the same at every capacity.
fn slab_counts(uninit: u64, copy: u64, slab: u64) -> Vec<String> {
    let mut lines = Vec::new();
    for cap in ["32", "256", "4096"] {
        for workload in ["pair", "fill-lifo", "fill-random"] {
            lines.push(pool_line("tinyalloc-slab", workload, cap, uninit));
            lines.push(pool_line("tinyalloc-slab-copy", workload, cap, copy));
            lines.push(pool_line("slab", workload, cap, slab));
        }
    }
    lines
}

#[test]
fn the_pair_target_is_judged_on_the_entry_that_copies_as_slab_does() {
    // `alloc_uninit` alone would meet ≤ 39; the copying pair, the same work as
    // `slab`'s, does not, and that is the verdict.
    let mut table = String::new();
    targets_section(&data(&slab_counts(38, 43, 46)), &mut table);
    let pair = row(&table, "`TinySlabAllocator` alloc+free pair ≤ 39");
    assert!(
        pair.contains("| 43.0 / 43.0 / 43.0 (`slab`: 46.0 / 46.0 / 46.0;"),
        "{pair}"
    );
    assert!(
        pair.contains("`alloc_uninit`, nothing written: 38.0 / 38.0 / 38.0"),
        "{pair}"
    );
    assert!(pair.ends_with("| **missed** |"), "{pair}");
    // The ratio is the judged entry's, 43 / 46, not `alloc_uninit`'s.
    assert!(pair.contains("| 0.93 / 0.93 / 0.93 × `slab` |"), "{pair}");

    let mut table = String::new();
    targets_section(&data(&slab_counts(30, 39, 46)), &mut table);
    let pair = row(&table, "`TinySlabAllocator` alloc+free pair ≤ 39");
    assert!(pair.ends_with("| met |"), "{pair}");
}

#[test]
fn the_fill_targets_compare_the_copying_entry_with_slab() {
    // Cheaper than `slab` only without the copy: missed.
    let mut table = String::new();
    targets_section(&data(&slab_counts(38, 41, 40)), &mut table);
    for workload in ["fill-lifo", "fill-random"] {
        let fill = row(&table, &format!("`TinySlabAllocator` {workload} ≤ `slab`"));
        assert!(
            fill.contains("| 41.0 / 41.0 / 41.0 vs 40.0 / 40.0 / 40.0 |"),
            "{fill}"
        );
        assert!(fill.ends_with("| **missed** |"), "{fill}");
    }
}

#[test]
fn the_adversarial_fill_is_described_as_the_code_runs_it() {
    // `heaps::adversarial` allocates a fixed number of blocks, not "until one fails".
    let fill = format!(
        "allocate {} blocks of 32 bytes",
        super::group_thousands(tinyalloc_bench::heaps::ADVERSARIAL_FILL)
    );
    assert_eq!(fill, "allocate 8,192 blocks of 32 bytes");
    let intro = super::heaps_intro();
    assert!(intro.contains(&fill), "{intro}");
    assert!(!intro.contains("until one fails, free"), "{intro}");

    let mut notes = String::new();
    targets_section(&data(&[]), &mut notes);
    assert!(
        notes.contains("allocates 8,192 blocks of 32 bytes"),
        "{notes}"
    );
    // Past 48 bytes of bookkeeping it is the last 1,025-byte request that is lost,
    // and FreeListAllocator's 8,688 bytes account for its whole gap to 86.0 %.
    assert!(
        notes.contains("its last 1,025-byte request (85.87 %)"),
        "{notes}"
    );
    assert!(notes.contains("accounts for its whole gap"), "{notes}");
    assert!(!notes.contains("0.8 points"), "{notes}");
}

#[test]
fn a_ratio_without_the_peers_figure_is_a_dash() {
    let mut table = String::new();
    // `slab`'s lookup is not in the data: no ratio to show, no verdict either way.
    targets_section(&data(&slab_counts(38, 43, 46)), &mut table);
    let lookup = row(&table, "`TinySlabAllocator` lookup ≤ 14");
    assert!(lookup.contains("| — / — / — × `slab` |"), "{lookup}");
    assert!(lookup.ends_with("| not measured |"), "{lookup}");
}

#[test]
fn thousands_are_grouped() {
    assert_eq!(super::group_thousands(7), "7");
    assert_eq!(super::group_thousands(999), "999");
    assert_eq!(super::group_thousands(8192), "8,192");
    assert_eq!(super::group_thousands(1_048_576), "1,048,576");
}

#[test]
fn packing_is_judged_as_measured_not_as_the_table_rounds_it() {
    // 85.97 % shows as 86.0 % but is short of the target; 86.0000 % meets it.
    for (measured, verdict) in [("85.9700", "**missed**"), ("86.0000", "met")] {
        let mut data = data(&[]);
        data.packing = parse_packing(&format!("tinyalloc-free-list {measured} 97.1234 96.9"));
        let mut table = String::new();
        targets_section(&data, &mut table);
        let line = row(&table, "`FreeListAllocator` packing: adversarial");
        assert!(line.contains("| 86.0 % ("), "{line}");
        assert!(line.ends_with(&format!("| {verdict} |")), "{line}");
        let growth = row(&table, "`FreeListAllocator` packing: random growth");
        assert!(growth.contains("96.9 % (worst seed)"), "{growth}");
    }
}

#[test]
fn counts_get_a_comma_every_three_digits() {
    assert_eq!(group_thousands(0), "0");
    assert_eq!(group_thousands(999), "999");
    assert_eq!(group_thousands(1_000), "1,000");
    assert_eq!(group_thousands(238_358), "238,358");
    assert_eq!(group_thousands(1_234_567), "1,234,567");
    assert_eq!(instr(Some(1_234_567.4)), "1,234,567");
    assert_eq!(instr(Some(58.04)), "58.0");
    assert_eq!(whole(Some(29.0)), "29");
    assert_eq!(whole(None), "—");
}

/// `counts.txt` lines of one `worst` case, `trim` of the cache, from each driver
/// given: `(critical section, instructions)`; `count-masked`'s line has its
/// `sections=` and `longest=`.
fn trim_lines(runs: &[(&str, u64)]) -> Vec<String> {
    runs.iter()
        .map(|&(cs, ir)| {
            let sections = if cs == "masked" {
                " sections=15"
            } else {
                ""
            };
            let longest = if cs == "masked" { " longest=47" } else { "" };
            format!(
                "{cs} worst cache trim - units=1 attempts=1 failed=0 critical-section={cs}{sections} ir={ir}{longest}"
            )
        })
        .collect()
}

#[test]
fn worst_rows_show_the_masked_count_and_the_whole_call_beside_it() {
    let mut table = String::new();
    let lines = trim_lines(&[("none", 479), ("std", 1_234), ("masked", 1_564)]);
    worst_section(&data(&lines), &mut table);
    let line = row(&table, "`cache` | `trim`");
    assert!(
        line.ends_with("| - | 1,564 | 15 | 47 | 479 | 1,234 | no |"),
        "{line}"
    );
}

#[test]
fn worst_rows_from_data_without_count_masked_leave_its_cells_empty() {
    let mut table = String::new();
    worst_section(
        &data(&trim_lines(&[("none", 479), ("std", 1_234)])),
        &mut table,
    );
    let line = row(&table, "`cache` | `trim`");
    assert!(
        line.ends_with("| - | — | — | — | 479 | 1,234 | no |"),
        "{line}"
    );
}
