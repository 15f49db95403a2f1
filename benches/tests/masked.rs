//! Every worst case's call enters the critical sections its row implies, counted by
//! `count-masked`'s own critical section (`src/masked_section.rs`, linked here), so
//! the driver's `sections=` and the instructions it collects cover the call's
//! sections and nothing of the builder's. Natively the callgrind requests do
//! nothing; the counter is the same.
//!
//! That critical section replaces the host's, so this test needs
//! `--no-default-features --features bare-critical-section` (`cargo test`'s default
//! features skip it):
//! `cargo test -p tinyalloc-bench --no-default-features --features bare-critical-section --test masked`.
//! It is one test function because that critical section excludes nothing: sound
//! only while one thread enters it.

use tinyalloc_bench::worst::{CASES, capacities};

/// The cases' code, as the drivers compile it (its `run` goes unused here).
#[path = "../src/worst_run/mod.rs"]
#[allow(dead_code)]
mod worst_run;

/// `count-masked`'s critical section.
#[path = "../src/masked_section.rs"]
mod masked_section;

/// Slabs `trim` hands back in its case: the reserve of 7 (`worst_run::shared`).
const TRIMMED: u64 = 7;

#[test]
fn every_worst_call_enters_the_critical_sections_its_row_implies() {
    for case in CASES {
        for capacity in capacities(case) {
            let what = format!("{} {} {capacity}", case.entry, case.op);
            let before = masked_section::sections();
            let shape = worst_run::build(case.entry, case.op, &capacity).expect("a listed case");
            let sections = masked_section::sections() - before;
            let expected = match (case.entry, case.op) {
                // A `realloc` that slides its block down takes the free block below
                // in one section, copies with interrupts enabled and files what is
                // left in a second.
                ("free-list", "realloc-shrink-slide") => 2,
                // A heap takes its lock once per other call: `alloc`, `dealloc`,
                // `stats`, `verify`, and a `realloc` that stays in place (it does, as
                // `tests/worst.rs` checks). A `realloc` that moves takes three.
                ("free-list" | "segregated" | "bump-free-list", _) => 1,
                // One section per pool call, and one for a whole slice of a queue,
                // whatever its length.
                ("pool" | "pool-deque" | "global-deque", _) => 1,
                // The partial slabs (none has room), the slow path's look at the
                // reserve, the region lending a slab, the new slab taken in.
                ("cache", "alloc-grow") => 4,
                // The slot given back, which empties its slab and takes it off the
                // cache's lists; the region taking the slab back; the cache's pin
                // on its master settled after that free.
                ("cache", "drop-last") => 3,
                // Per reserve slab, the cache's section that takes it and the
                // region's that takes it back; then one more finding none left.
                ("cache", "trim") => {
                    assert_eq!(shape.blocks.0 - shape.blocks.1, TRIMMED as usize);
                    2 * TRIMMED + 1
                }
                _ => panic!("{what}: a case this test does not know"),
            };
            assert!(sections >= 1, "{what}: a call with no critical section");
            assert_eq!(sections, expected, "{what}");
        }
    }
    // Nothing outside the armed call is counted: building a case enters many
    // sections (one per `alloc` while the heap is cut up), and only the call's one
    // is.
    let before = masked_section::sections();
    let len = tinyalloc_bench::worst::HEAP_SIZES[0].to_string();
    worst_run::build("bump-free-list", "stats", &len).expect("a listed case");
    assert_eq!(
        masked_section::sections() - before,
        1,
        "the builder's sections"
    );
}
