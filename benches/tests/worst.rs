//! Every worst case builds the input its table row names, and the measured call does
//! what the row says (fails, merges every waiting block, walks every free block), so
//! a figure cannot silently come to measure something easier.

use tinyalloc::heap::HeapStats;
use tinyalloc_bench::worst::{CASES, HEAP_SIZES, Shape};

/// The cases' code, as the drivers compile it (their `run` goes unused here).
#[path = "../src/worst_run/mod.rs"]
#[allow(dead_code)]
mod worst;

/// Every quick-slot size of `FreeListAllocator` (16 to 512 B in steps of 8, 63
/// sizes averaging 264 B), twice.
const ALL_QUICK_BYTES: usize = 2 * 63 * 264;
/// Blocks the quick slots hold at most.
const QUICK_SLOTS: usize = 126;

fn heap(entry: &str, op: &str, len: usize) -> (Shape, HeapStats, HeapStats) {
    let shape = worst::build(entry, op, &len.to_string()).expect("a listed case");
    assert_eq!(shape.region, len);
    (
        shape,
        shape.before.expect("a heap"),
        shape.after.expect("a heap"),
    )
}

/// The heap's bytes outside its bookkeeping.
fn usable(stats: HeapStats) -> usize {
    stats.used + stats.free
}

#[test]
fn every_listed_heap_case_builds_the_same_input_each_time() {
    for case in CASES
        .iter()
        .filter(|case| ["free-list", "segregated", "bump-free-list"].contains(&case.entry))
    {
        for len in HEAP_SIZES {
            let first = worst::build(case.entry, case.op, &len.to_string());
            let again = worst::build(case.entry, case.op, &len.to_string());
            assert!(first.is_some(), "{} {} {len}", case.entry, case.op);
            assert_eq!(first, again, "{} {} {len}", case.entry, case.op);
        }
    }
}

#[test]
fn free_list_alloc_fails_after_walking_the_most_free_blocks_the_heap_holds() {
    for len in HEAP_SIZES {
        let (shape, before, after) = heap("free-list", "alloc-fail", len);
        assert!(!shape.succeeded);
        assert_eq!(after.failed_allocs, before.failed_allocs + 1);
        // Every free byte is in a 16 B block (two of them waiting), and every other
        // 16 B block of the heap is free: no heap of this size has more free blocks.
        assert_eq!(shape.waiting, 2);
        assert_eq!(before.free, 16 * (shape.free_blocks + shape.waiting));
        assert_eq!(before.largest_free, 16);
        assert!(32 * (shape.free_blocks + shape.waiting) + 32 >= usable(before));
    }
}

#[test]
fn free_list_cases_with_waiting_blocks_fill_every_quick_slot_that_fits() {
    for len in HEAP_SIZES {
        for op in ["alloc-fail-large", "stats", "dealloc-last", "realloc-grow"] {
            let (shape, ..) = heap("free-list", op, len);
            if len == 64 * 1024 {
                assert_eq!(shape.waiting, QUICK_SLOTS, "{op} {len}");
            } else {
                assert!(shape.waiting >= 76, "{op} {len}: {}", shape.waiting);
            }
        }
        let (shape, before, after) = heap("free-list", "alloc-fail-large", len);
        assert!(!shape.succeeded);
        assert_eq!(after.failed_allocs, before.failed_allocs + 1);
        assert!(shape.free_blocks > 0);
        let (shape, ..) = heap("free-list", "verify", len);
        assert!(shape.succeeded && shape.waiting > 2 && shape.free_blocks > 200);
    }
}

#[test]
fn free_list_dealloc_of_the_last_block_merges_every_waiting_block() {
    for len in HEAP_SIZES {
        let (shape, before, after) = heap("free-list", "dealloc-last", len);
        assert_eq!((before.used, after.used), (16, 0));
        assert_eq!(after.largest_free, usable(after), "one free block again");
        assert!(shape.waiting >= 86);
    }
}

#[test]
fn free_list_realloc_grows_in_place_through_every_waiting_block() {
    let (shape, before, after) = heap("free-list", "realloc-grow", 64 * 1024);
    assert!(shape.succeeded, "in place");
    assert_eq!(after.used - before.used, ALL_QUICK_BYTES);
    let (shape, before, after) = heap("free-list", "realloc-grow", 16 * 1024);
    assert!(shape.succeeded, "in place");
    assert!(after.used - before.used > 15_000);
}

#[test]
fn free_list_shrink_by_eight_bytes_slides_a_block_of_almost_the_whole_heap() {
    for len in HEAP_SIZES {
        let (shape, before, after) = heap("free-list", "realloc-shrink-slide", len);
        assert!(shape.succeeded, "slid down to the block before it");
        assert_eq!(before.used - after.used, 8);
        assert_eq!(
            before.used,
            usable(before) - 16,
            "all the heap but the block below"
        );
    }
}

#[test]
fn segregated_cases_have_their_lists_full() {
    for len in HEAP_SIZES {
        let (shape, before, after) = heap("segregated", "alloc-fail", len);
        assert!(!shape.succeeded);
        assert_eq!(after.failed_allocs, before.failed_allocs + 1);
        // One block in each class up to half the heap: 17 classes of 16 KiB, 25 of
        // 64 KiB.
        assert_eq!(shape.free_blocks, if len == 16 * 1024 { 17 } else { 25 });
        for op in ["realloc-grow", "stats", "verify"] {
            let (shape, before, _) = heap("segregated", op, len);
            assert!(shape.succeeded, "{op}");
            // Every other 16 B block of the heap is binned, on one list.
            assert_eq!(before.free, 16 * shape.free_blocks, "{op}");
            assert!(32 * shape.free_blocks + 32 >= usable(before), "{op}");
        }
        let (shape, before, after) = heap("segregated", "realloc-grow", len);
        assert_eq!(after.used, before.used + 16, "{shape:?}");
        let (_, before, after) = heap("segregated", "dealloc-last", len);
        assert_eq!((before.used, after.used), (16, 0));
    }
}

#[test]
fn bump_free_list_cases_walk_a_free_list_of_every_other_block() {
    for len in HEAP_SIZES {
        for op in ["alloc-fail", "dealloc", "realloc-grow", "stats", "verify"] {
            let (shape, before, after) = heap("bump-free-list", op, len);
            // Every other 8 B block free, and the bump region used up.
            assert_eq!(shape.free_blocks, len / 16, "{op}");
            assert_eq!(before.free, 8 * shape.free_blocks, "{op}");
            assert_eq!(before.largest_free, 8, "{op}");
            assert_eq!(shape.succeeded, op != "alloc-fail", "{op}");
            if op == "alloc-fail" {
                assert_eq!(after.failed_allocs, before.failed_allocs + 1);
            }
        }
    }
}

/// The pool, queue and cache cases share statics, and each cache case may run once
/// per process: all of them in one test, in turn.
#[test]
fn pool_queue_and_cache_cases_do_what_their_rows_say() {
    let run = |entry: &str, op: &str, capacity: &str| {
        worst::build(entry, op, capacity).expect("a listed case")
    };
    let shape = run("pool", "alloc", "-");
    assert!(shape.succeeded);
    assert_eq!(shape.blocks, (255, 256), "the last free block");
    let shape = run("pool", "alloc-full", "-");
    assert!(!shape.succeeded);
    assert_eq!(shape.blocks, (256, 256));
    let shape = run("pool", "free", "-");
    assert!(shape.succeeded);
    assert_eq!(shape.blocks, (1, 0));
    assert!(run("pool", "read", "-").succeeded, "read all 64 bytes");

    for (len, blocks) in [(1024, 18), (4096, 69)] {
        let shape = run("pool-deque", "push-slice", &len.to_string());
        assert!(shape.succeeded);
        assert_eq!(
            shape.blocks,
            (0, blocks),
            "{len} bytes, one critical section"
        );
        let shape = run("pool-deque", "pop-into", &len.to_string());
        assert!(shape.succeeded);
        assert_eq!(shape.blocks, (blocks, 0));
        assert!(run("global-deque", "push-slice", &len.to_string()).succeeded);
        assert!(run("global-deque", "pop-into", &len.to_string()).succeeded);
    }

    let shape = run("cache", "alloc-grow", "-");
    assert!(shape.succeeded);
    assert_eq!(shape.blocks.1, shape.blocks.0 + 1, "a new slab");
    let shape = run("cache", "drop-last", "-");
    assert!(shape.succeeded, "the slab went back: {shape:?}");
    let shape = run("cache", "trim", "-");
    assert!(shape.succeeded);
    assert_eq!(
        shape.blocks.0 - shape.blocks.1,
        7,
        "seven reserve slabs back"
    );
}
