use core::alloc::{GlobalAlloc, Layout};

use crate::heap::tester::Tester;
use crate::heap::{BumpFreeListAllocator, VerifyError};

#[test]
fn realloc_grows_in_place_at_the_top_and_into_a_free_neighbour() {
    let heap = BumpFreeListAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    assert_eq!(t.realloc(a, 64), a, "at the top");
    let b = t.alloc(32);
    let _c = t.alloc(8);
    t.free(b);
    assert_eq!(t.realloc(a, 80), a, "into the freed neighbour");
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(t.realloc(a, 24), a, "shrinks in place");
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (0, 1024));
}

#[test]
fn the_smallest_inline_arena_is_16_bytes_and_all_of_it_is_handed_out() {
    // The other side of the limit is `ui-tests/ui/fail/heap_bump_arena_too_small.rs`.
    let heap = BumpFreeListAllocator::<16>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(8);
    let b = t.alloc(1);
    assert!(!a.is_null() && !b.is_null());
    assert!(t.alloc(1).is_null());
    let stats = heap.stats();
    assert_eq!(
        (stats.arena, stats.used, stats.free, stats.failed_allocs),
        (16, 16, 0, 1)
    );
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(heap.stats().largest_free, 16);
}

#[test]
fn verify_reports_a_broken_list() {
    let heap = BumpFreeListAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    let b = t.alloc(16);
    let _c = t.alloc(16);
    t.free(b);
    // SAFETY: b's size field, free memory of the arena right after `a`.
    unsafe { a.wrapping_add(20).cast::<u32>().write(4000) };
    assert!(matches!(heap.verify(), Err(VerifyError::BadSize { .. })));
}

#[test]
fn a_block_freed_twice_below_a_live_one_is_not_linked_into_a_loop() {
    let heap = BumpFreeListAllocator::<1024>::new();
    let small = Layout::from_size_align(64, 8).unwrap();
    // SAFETY: a non-zero size.
    let a = unsafe { heap.alloc(small) };
    // SAFETY: as above.
    let b = unsafe { heap.alloc(small) };
    assert!(!a.is_null() && !b.is_null());
    // SAFETY: `a` is live, for `small`.
    unsafe { heap.dealloc(a, small) };
    // SAFETY: breaks `dealloc`'s contract on purpose (`a` is free already). Linked
    // in a second time, `a` would point at itself.
    unsafe { heap.dealloc(a, small) };
    // The list is as the first free left it; the counters show the damage.
    assert!(
        matches!(heap.verify(), Err(VerifyError::Accounting { .. })),
        "{:?}",
        heap.verify()
    );
    // A request `a` cannot hold walks the whole list, which must end (with `a`
    // linked to itself, this never returned, inside the critical section).
    let large = Layout::from_size_align(128, 8).unwrap();
    // SAFETY: a non-zero size.
    let c = unsafe { heap.alloc(large) };
    assert!(!c.is_null() && c != a);
    // `a` is handed out once, not again and again.
    // SAFETY: a non-zero size.
    let x = unsafe { heap.alloc(small) };
    // SAFETY: as above.
    let y = unsafe { heap.alloc(small) };
    assert_eq!(x, a);
    assert!(y != a && y != b && y != c);
}

#[test]
fn a_block_freed_twice_at_the_top_is_not_handed_out_twice() {
    let heap = BumpFreeListAllocator::<1024>::new();
    let small = Layout::from_size_align(64, 8).unwrap();
    // SAFETY: a non-zero size.
    let a = unsafe { heap.alloc(small) };
    // SAFETY: as above.
    let b = unsafe { heap.alloc(small) };
    // SAFETY: `b` is live, for `small`; it lowers the top to itself.
    unsafe { heap.dealloc(b, small) };
    // SAFETY: breaks `dealloc`'s contract on purpose: `b` is the bump region now,
    // and filed as a free block too it would be handed out by both.
    unsafe { heap.dealloc(b, small) };
    assert!(heap.verify().is_err());
    // SAFETY: a non-zero size.
    let x = unsafe { heap.alloc(small) };
    // SAFETY: as above.
    let y = unsafe { heap.alloc(small) };
    assert!(!x.is_null() && !y.is_null());
    assert!(x != y && x != a && y != a, "one block handed out twice");
}

#[test]
fn stats_of_a_damaged_list_neither_panics_nor_reads_outside_the_heap() {
    let heap = BumpFreeListAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    let b = t.alloc(16);
    let _c = t.alloc(16);
    t.free(b);
    // What a write past the end of `a` can leave in the free block `b`: a link
    // below the heap (it would make `link - 8` overflow), one far past it, one
    // just past the top, and then an impossible size.
    for (word, wild) in [(0, 4), (0, 0xFFFF_FFF8), (0, 56), (1, 0xFFFF_FFF0)] {
        // SAFETY: a word of b's header, free memory of the arena right after `a`.
        unsafe {
            a.wrapping_add(16)
                .cast::<u32>()
                .wrapping_add(word)
                .write(wild)
        };
        assert!(heap.verify().is_err(), "{wild:#x}");
        let stats = heap.stats();
        assert_eq!((stats.used, stats.allocations), (32, 2));
        assert!(stats.largest_free <= stats.free, "{wild:#x}: {stats}");
    }
}

#[test]
fn verify_reports_a_link_past_the_address_space_without_overflowing() {
    let heap = BumpFreeListAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    let b = t.alloc(16);
    let _c = t.alloc(16);
    t.free(b);
    // A link (offset + 8) that, added to the arena's address, runs past the end of
    // a 32-bit address space: `verify` reported it by panicking there (in debug
    // builds, inside the heap's lock, which then stays closed).
    let wild = 0xFFFF_FFF8u32;
    // SAFETY: b's link, free memory of the arena right after `a`.
    unsafe { b.cast::<u32>().write(wild) };
    assert_eq!(
        heap.verify(),
        Err(VerifyError::OutOfBounds {
            addr: (a as usize).wrapping_add(wild as usize - 8)
        })
    );
}

#[test]
fn verify_ends_on_a_list_that_loops() {
    let heap = BumpFreeListAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    let b = t.alloc(16);
    let _c = t.alloc(16);
    t.free(b);
    // SAFETY: b's link (its offset, 16, + 8), free memory of the arena right after
    // `a`: now b links to itself.
    unsafe { a.wrapping_add(16).cast::<u32>().write(24) };
    assert!(heap.verify().is_err());
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (32, 976));
}

#[test]
fn verify_passes_a_heap_never_used_and_reports_a_bump_pointer_outside_it() {
    let heap = BumpFreeListAllocator::<1024>::new();
    assert_eq!(heap.verify(), Ok(()), "not set up yet");
    let mut t = Tester::new(&heap);
    let _a = t.alloc(16);
    let top = heap.shell.with_engine(|engine, base| {
        engine.top = engine.heap_len + 8;
        base as usize + engine.top as usize
    });
    assert_eq!(heap.verify(), Err(VerifyError::OutOfBounds { addr: top }));
}

/// What `verify` reports on a heap of `N` blocks of 16 bytes, those at `freed` given
/// back, after the free block at `grown` claims 32 bytes (a stray write into its size
/// field); and where the blocks were.
fn verify_with_a_grown_free_block<const N: usize>(
    freed: &[usize],
    grown: usize,
) -> (Result<(), VerifyError>, [usize; N]) {
    let heap = BumpFreeListAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let blocks = [(); N].map(|()| t.alloc(16));
    for &i in freed {
        t.free(blocks[i]);
    }
    assert_eq!(heap.verify(), Ok(()));
    // SAFETY: the size field of a free block, in that block.
    unsafe { blocks[grown].wrapping_add(4).cast::<u32>().write(32) };
    (heap.verify(), blocks.map(|block| block as usize))
}

#[test]
fn verify_reports_a_free_block_that_touches_the_next_one_or_the_bump_pointer() {
    // `a` now ends where the free block `c` starts.
    let (report, [_a, _b, c, _d]) = verify_with_a_grown_free_block(&[0, 2], 0);
    assert_eq!(report, Err(VerifyError::NotCoalesced { addr: c }));
    // `b` now ends at the bump pointer, just past `c`.
    let (report, [_a, b, _c]) = verify_with_a_grown_free_block(&[1], 1);
    assert_eq!(report, Err(VerifyError::NotCoalesced { addr: b }));
}
