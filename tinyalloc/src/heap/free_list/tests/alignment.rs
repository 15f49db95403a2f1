//! Over-aligned requests, a misaligned region, and layouts near the largest.

use super::*;

#[test]
fn page_alignment_in_a_region_that_starts_misaligned() {
    static mut REGION: [u64; 2048] = [0; 2048];
    let start = core::ptr::addr_of_mut!(REGION).cast::<u8>();
    let len = 2048 * 8;
    let heap = FreeListAllocator::<0>::new();
    // SAFETY: a static that only this test, which runs once, names; handed over whole
    // (no reference into it is made).
    let init = unsafe { heap.init_from_raw_parts(start.wrapping_add(1), len - 1) };
    assert_eq!(init, Ok(()));
    let layout = Layout::from_size_align(100, 4096).unwrap();
    let mut blocks = Vec::new();
    loop {
        // SAFETY: a non-zero size.
        let block = unsafe { heap.alloc(layout) };
        if block.is_null() {
            break;
        }
        assert!((block as usize).is_multiple_of(4096));
        assert!(block as usize > start as usize);
        assert!(block as usize + 100 <= start as usize + len);
        // SAFETY: just allocated, 100 bytes.
        unsafe { block.write_bytes(blocks.len() as u8, 100) };
        blocks.push(block);
    }
    assert!(blocks.len() >= 2, "{}", blocks.len());
    assert_eq!(heap.verify(), Ok(()));
    for (i, &block) in blocks.iter().enumerate() {
        // SAFETY: live, 100 bytes.
        let bytes = unsafe { core::slice::from_raw_parts(block, 100) };
        assert!(bytes.iter().all(|&b| b == i as u8));
    }
    // Freed and asked again: the same number fits.
    for &block in &blocks {
        // SAFETY: allocated with this layout.
        unsafe { heap.dealloc(block, layout) };
    }
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (0, stats.free));
    for _ in 0..blocks.len() {
        // SAFETY: a non-zero size.
        let block = unsafe { heap.alloc(layout) };
        assert!(!block.is_null() && (block as usize).is_multiple_of(4096));
    }
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn realloc_near_the_largest_layout_fails_and_changes_nothing() {
    // 16 KiB, not 4: a 4 KiB arena on the stack holds a 4096-aligned block only where
    // the stack happens to put it (under Miri it moved with an unrelated change).
    let heap = FreeListAllocator::<{ 16 * 1024 }>::new();
    for align in [8, 64, 4096] {
        let layout = Layout::from_size_align(40, align).unwrap();
        // SAFETY: a non-zero size.
        let block = unsafe { heap.alloc(layout) };
        assert!(!block.is_null());
        let before = heap.stats();
        for new_size in [
            isize::MAX as usize - (align - 1),
            isize::MAX as usize - (align - 1) - 8,
            crate::heap::MAX_ARENA_SIZE,
            crate::heap::MAX_ARENA_SIZE - 8,
        ] {
            // SAFETY: live for `layout`; the size is allowed by `GlobalAlloc`.
            assert!(unsafe { heap.realloc(block, layout, new_size) }.is_null());
        }
        let after = heap.stats();
        assert_eq!(
            (after.used, after.failed_allocs),
            (before.used, before.failed_allocs + 4)
        );
        assert_eq!(heap.verify(), Ok(()));
        // SAFETY: still live, for `layout`.
        unsafe { heap.dealloc(block, layout) };
    }
    assert_eq!(heap.stats().used, 0);
}

#[test]
fn over_aligned_realloc_stays_aligned_when_it_grows_shrinks_or_moves() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let pad = t.alloc(BIG);
    let block = t.alloc_aligned(200, 256);
    let guard = t.alloc(BIG);
    assert!((block as usize).is_multiple_of(256));
    t.fill(block, 7);
    // Shrinking by 8 with a free (misaligned) block before it: sliding down would
    // lose the alignment, so it moves instead.
    t.free(pad);
    let shrunk = t.realloc(block, 192);
    assert!(!shrunk.is_null() && (shrunk as usize).is_multiple_of(256));
    assert!(t.holds(shrunk, 7));
    assert_eq!(heap.verify(), Ok(()));
    let grown = t.realloc(shrunk, 1000);
    assert!(!grown.is_null() && (grown as usize).is_multiple_of(256));
    assert!(t.holds_first(grown, 192, 7));
    assert_eq!(heap.verify(), Ok(()));
    t.free(guard);
    t.free_all();
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (0, stats.free));
    assert_eq!(heap.verify(), Ok(()));
}
