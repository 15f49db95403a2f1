//! Splitting and merging: both neighbours, blocks at the arena's ends, and the
//! eight-byte rests no split leaves.

use super::*;

#[test]
fn freeing_merges_with_both_neighbours() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let [a, b, c, guard] = [BIG; 4].map(|size| t.alloc(size));
    assert_eq!(
        (b as usize - a as usize, c as usize - b as usize),
        (BIG, BIG)
    );
    t.free(a);
    t.free(c);
    assert_eq!(heap.verify(), Ok(()));
    t.free(b); // joins a and c: one block of three
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(
        t.alloc(3 * BIG),
        a,
        "three blocks' bytes fit exactly where a, b and c were"
    );
    t.free_all();
    let stats = heap.stats();
    assert_eq!(stats.largest_free, stats.free);
    let _ = guard;
}

#[test]
fn realloc_grows_into_a_free_next_block_and_shrinks_in_place() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(32);
    let b = t.alloc(100);
    let _guard = t.alloc(16);
    t.fill(a, 7);
    t.free(b);
    assert_eq!(t.realloc(a, 120), a, "grew into the freed neighbour");
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(t.realloc(a, 40), a, "shrank in place");
    assert_eq!(heap.verify(), Ok(()));
    t.fill(a, 7);
    // 40 -> 32 would leave 8 bytes beside a live block: it moves instead.
    let next = t.alloc(80);
    assert_eq!(next as usize, a as usize + 40);
    let moved = t.realloc(a, 32);
    assert_ne!(moved, a);
    assert!(t.holds(moved, 7));
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.stats().used, 0);
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn a_growth_that_would_leave_eight_bytes_of_the_next_block_moves() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    // Above the quick slots' 512 bytes, so the freed neighbour is merged at once.
    let a = t.alloc(600);
    let b = t.alloc(600);
    let _guard = t.alloc(600);
    t.fill(a, 7);
    t.free(b);
    let moved = t.realloc(a, 600 + 592);
    assert_ne!(moved, a, "8 bytes of the neighbour could not stay free");
    assert!(t.holds_first(moved, 600, 7));
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn a_split_never_leaves_eight_bytes() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let hole = t.alloc(24);
    let _guard = t.alloc(16);
    t.free(hole);
    // 16 of the 24 free bytes would strand 8: the 16 comes from elsewhere.
    assert_ne!(t.alloc(16), hole);
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(
        t.alloc(24),
        hole,
        "a 24-byte request takes the hole exactly"
    );
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
}

/// Pins the one case where a free block holds a request but does not serve it (the
/// module's "Eight-byte rests"): 8 bytes would be left before or after it.
#[test]
fn a_request_that_would_leave_eight_bytes_of_the_only_block_fails() {
    let heap = FreeListAllocator::<4096>::new();
    let fresh = heap.stats();
    assert_eq!(
        (fresh.free, fresh.largest_free),
        (3824, 3824),
        "one free block"
    );
    let request = |size: usize, align: usize| {
        let layout = Layout::from_size_align(size, align).unwrap();
        // SAFETY: a non-zero size.
        let block = unsafe { heap.alloc(layout) };
        if !block.is_null() {
            // SAFETY: just allocated with this layout.
            unsafe { heap.dealloc(block, layout) };
        }
        !block.is_null()
    };
    assert!(request(3824, 8), "the whole block");
    assert!(
        !request(3816, 8),
        "8 bytes short: the rest could not be a free block"
    );
    assert!(request(3808, 8), "16 bytes short: the rest is a free block");
    assert_eq!(heap.stats().failed_allocs, 1);
    let after = heap.stats();
    assert_eq!(
        (after.used, after.free, after.largest_free),
        (0, 3824, 3824)
    );

    // Over-aligned: the free block after a 24-byte one starts 8 bytes past a
    // 16-byte boundary, and an 8-byte gap before the request cannot be free either.
    let mut t = Tester::new(&heap);
    let first = t.alloc(24);
    assert_eq!(heap.stats().largest_free, 3800);
    assert_eq!((first as usize + 24) % 16, 8);
    assert!(!request(3792, 16), "would sit 8 bytes into the block");
    assert!(request(3776, 16), "24 bytes in: the gap is a free block");
    assert_eq!(heap.stats().failed_allocs, 2);
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.stats().largest_free, 3824);
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn when_nearly_full_it_still_finds_a_block_that_fits() {
    // Free blocks of 200 bytes sit in the class [192, 208); a 200-byte request's
    // guaranteed class is the next one up, which is empty: the search finds them.
    let heap = FreeListAllocator::<2048>::new();
    let mut t = Tester::new(&heap);
    let mut last = core::ptr::null_mut();
    loop {
        let block = t.alloc(200);
        if block.is_null() {
            break;
        }
        last = block;
    }
    t.free(last);
    assert_eq!(t.alloc(200), last);
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn blocks_at_both_ends_of_the_arena_merge_and_grow() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let free = heap.stats().free;
    // Fill the heap exactly: the last block ends at the arena's end.
    let first = t.alloc(BIG);
    let middle = t.alloc(free - 3 * BIG);
    let last = t.alloc(2 * BIG);
    assert!(!last.is_null());
    assert_eq!(heap.stats().largest_free, 0);
    t.fill(last, 0xA5);
    // At the end of the arena there is nothing to grow into: it fails, as it was.
    assert!(t.realloc(last, 2 * BIG + 8).is_null());
    assert!(t.holds(last, 0xA5));
    // Shrinking the last block leaves a free block at the very end, and growing
    // takes it back.
    assert_eq!(t.realloc(last, BIG), last);
    assert_eq!(heap.stats().largest_free, BIG);
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(t.realloc(last, 2 * BIG), last);
    assert_eq!(heap.stats().largest_free, 0);
    // The first block frees into a block at the very start, which the middle one
    // joins.
    t.free(first);
    assert_eq!(heap.verify(), Ok(()));
    t.free(middle);
    assert_eq!(heap.stats().largest_free, free - 2 * BIG);
    assert_eq!(heap.verify(), Ok(()));
    t.free(last);
    assert_eq!(heap.stats().largest_free, free);
    assert_eq!(heap.verify(), Ok(()));
}
