//! `stats()`: the largest free block counts what merging would make; a heap that is busy.

use super::*;

#[test]
fn largest_free_counts_the_blocks_merging_would_make() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let blocks: Vec<_> = (0..8).map(|_| t.alloc(64)).collect();
    let _rest = t.alloc(heap.stats().largest_free);
    assert_eq!(heap.stats().largest_free, 0, "full");
    t.free(blocks[1]);
    t.free(blocks[3]);
    t.free(blocks[2]); // the third of its size: filed, between two waiting blocks
    t.free(blocks[6]);
    assert_eq!(heap.stats().largest_free, 3 * 64);
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(t.alloc(3 * 64), blocks[1], "merged to serve it");
    assert_eq!(heap.stats().largest_free, 64);
    t.free_all();
}

#[test]
fn largest_free_is_what_merging_makes_after_random_use() {
    let heap = FreeListAllocator::<{ 16 * 1024 }>::new();
    let mut t = Tester::new(&heap);
    let mut rng = crate::heap::tests::Rng::new(7);
    let mut live = Vec::new();
    let rounds = if cfg!(miri) { 4 } else { 40 };
    for _ in 0..rounds {
        for _ in 0..50 {
            if rng.below(3) == 0 && !live.is_empty() {
                let block = live.swap_remove(rng.below(live.len()));
                t.free(block);
            } else {
                let block = t.alloc(1 + rng.below(600));
                if !block.is_null() {
                    live.push(block);
                }
            }
        }
        let predicted = heap.stats();
        assert_eq!(heap.verify(), Ok(()));
        // A request larger than the heap merges every waiting block before it fails.
        assert!(t.alloc(32 * 1024).is_null());
        let merged = heap.stats();
        assert_eq!(merged.largest_free, predicted.largest_free);
        assert_eq!(merged.free, predicted.free);
        assert_eq!(heap.verify(), Ok(()));
    }
    t.free_all();
    let stats = heap.stats();
    assert_eq!(stats.largest_free, stats.free);
}

#[test]
fn largest_free_succeeds_and_one_byte_more_fails_with_blocks_waiting() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    // Live, waiting (24 and 512 bytes) and free (640 bytes) blocks side by side.
    let blocks = [24, 24, 512, BIG, 24, 512, BIG, 24].map(|size| t.alloc(size));
    for &i in &[1, 2, 3, 5, 6] {
        t.free(blocks[i]);
    }
    let stats = heap.stats();
    assert!(stats.largest_free > BIG, "{stats}");
    assert!(
        !fits(
            &heap,
            Layout::from_size_align(stats.largest_free + 1, 8).unwrap()
        ),
        "{stats}"
    );
    // The failure merged the waiting blocks: the same free bytes, the same largest.
    let after = heap.stats();
    assert_eq!(
        (after.free, after.largest_free, after.failed_allocs),
        (stats.free, stats.largest_free, 1)
    );
    assert!(fits(
        &heap,
        Layout::from_size_align(stats.largest_free, 8).unwrap()
    ));
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    let empty = heap.stats();
    assert_eq!((empty.used, empty.largest_free), (0, empty.free));
    assert!(fits(&heap, Layout::from_size_align(empty.free, 8).unwrap()));
    assert!(!fits(
        &heap,
        Layout::from_size_align(empty.free + 1, 8).unwrap()
    ));
    assert_eq!(heap.verify(), Ok(()));
}

/// A fault handler that prints the heap it interrupted sees that the heap is busy,
/// not the all-zero stats that `stats()` answers there.
#[test]
fn debug_inside_one_of_the_heaps_calls_shows_it_borrowed() {
    let heap = FreeListAllocator::<4096>::new();
    let layout = core::alloc::Layout::new::<u64>();
    // SAFETY: a valid, non-zero layout.
    let block = unsafe { heap.alloc(layout) };
    assert!(!block.is_null());
    let inside = heap.shell.hold(|| std::format!("{heap:?}"));
    assert_eq!(inside, "FreeListAllocator { stats: <borrowed>, .. }");
    assert!(std::format!("{heap:?}").contains("used: "));
    // SAFETY: `block` is live, for `layout`.
    unsafe { heap.dealloc(block, layout) };
}
