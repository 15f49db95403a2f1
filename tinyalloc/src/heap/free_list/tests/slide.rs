//! Shrinking by eight bytes: a block that slides down into the free block below it.

use super::*;

/// A heap of 200-byte blocks with every other one free: no hole takes 480 bytes.
fn fragmented(t: &mut Tester<'_, FreeListAllocator<4096>>) {
    let fill = t.alloc_until_full(200);
    for &block in fill.iter().step_by(2) {
        t.free(block);
    }
}

/// A 488-byte block filled with 9s between a free 40-byte hole (waiting in its quick
/// slot) and a live 16-byte guard, the rest of the heap `fragmented`: shrunk by 8
/// bytes, it must slide down into the hole. The hole and the block.
fn a_block_above_a_hole(t: &mut Tester<'_, FreeListAllocator<4096>>) -> (*mut u8, *mut u8) {
    let hole = t.alloc(40);
    let a = t.alloc(488);
    let _guard = t.alloc(16);
    fragmented(t);
    t.free(hole);
    t.fill(a, 9);
    (hole, a)
}

/// After the block of [`a_block_above_a_hole`] slid into the hole: the hole's 40
/// bytes and the cut-off 8 are one free block right after the moved block, and the
/// heap empties into one free block.
fn left_one_free_block_behind(t: &mut Tester<'_, FreeListAllocator<4096>>, hole: *mut u8) {
    assert_eq!(t.alloc(48) as usize, hole as usize + 480);
    t.free_all();
    let heap = t.heap();
    assert_eq!(
        (heap.stats().used, heap.stats().largest_free),
        (0, heap.stats().free)
    );
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn an_eight_byte_shrink_slides_down_into_a_free_block_before_it() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let (hole, a) = a_block_above_a_hole(&mut t);
    let before = heap.stats();
    // 488 -> 480 leaves 8 bytes, which cannot be a free block beside the guard, and
    // no hole elsewhere holds 480: the block moves down into the hole before it.
    let moved = t.realloc(a, 480);
    assert_eq!(moved, hole);
    assert!(t.holds(moved, 9));
    // Logged in the second critical section, the one that frees what it left.
    #[cfg(feature = "debug-log")]
    assert_eq!(
        heap.debug_logs().iter().last(),
        Some(&crate::heap::debug_log::HeapEvent::Realloc {
            old_addr: a as usize,
            old_size: 488,
            addr: hole as usize,
            size: 480,
            align: 8,
        })
    );
    let after = heap.stats();
    assert_eq!(after.used, before.used - 8);
    assert_eq!(after.failed_allocs, before.failed_allocs);
    assert_eq!(heap.verify(), Ok(()));
    left_one_free_block_behind(&mut t, hole);
}

#[test]
fn a_sliding_block_is_copied_between_two_sections_its_range_taken_meanwhile() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let (hole, a) = a_block_above_a_hole(&mut t);
    let before = heap.stats();
    let layout = Layout::from_size_align(488, 8).unwrap();
    // The first section of `realloc(a, 480)`: the hole is taken for the slide.
    // SAFETY: `a` is live for `layout`; 480 is a shrink.
    let moved = heap
        .shell
        .with_engine(|engine, base| unsafe { engine.claim_below(base, a, layout, 480) });
    assert_eq!(moved, hole);
    // Between the sections, with interrupts enabled, another context finds the heap
    // consistent, the hole counted as used (not as a new high), and nothing it
    // allocates lands in the hole or the block.
    assert_eq!(heap.verify(), Ok(()));
    let between = heap.stats();
    assert_eq!(between.used, before.used + 40);
    assert_eq!(between.high_water, before.high_water);
    let others = t.alloc_until_full(16);
    assert!(!others.is_empty());
    let (taken, end) = (hole as usize, a as usize + 488);
    assert!(
        others
            .iter()
            .all(|&p| p as usize + 16 <= taken || p as usize >= end)
    );
    // The copy, then the second section, as `realloc` makes them.
    // SAFETY: both ranges lie in the taken range, which is this test's alone.
    unsafe { ptr::copy(a, moved, 480) };
    // SAFETY: `moved` came from `claim_below` for these arguments.
    heap.shell
        .with_engine(|engine, base| unsafe { engine.finish_slide(base, a, moved, layout, 480) });
    t.moved(a, moved, 480);
    assert!(t.holds(moved, 9));
    assert_eq!(heap.verify(), Ok(()));
    let after = heap.stats();
    assert_eq!(after.used, between.used - 40 - 8 + others.len() * 16);
    assert_eq!(after.high_water, before.high_water.max(after.used));
    left_one_free_block_behind(&mut t, hole);
}

#[test]
fn blocks_slide_while_other_threads_allocate_free_and_verify() {
    use core::alloc::Layout;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const THREADS: usize = 4;
    let rounds = if cfg!(miri) { 20 } else { 2_000 };
    static HEAP: FreeListAllocator<{ 64 * 1024 }> = FreeListAllocator::new();
    let heap = &HEAP;
    let slid = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let slid = &slid;
            scope.spawn(move || {
                // Sizes above the quick slots' limit, so every block is freed for
                // real and the next round's three come out side by side again (but
                // for the other threads'), and a hole size no other thread asks for.
                let hole = Layout::from_size_align(520 + 8 * thread, 8).unwrap();
                let (big, shrunk, small) = (
                    Layout::from_size_align(1000, 8).unwrap(),
                    Layout::from_size_align(992, 8).unwrap(),
                    Layout::from_size_align(600, 8).unwrap(),
                );
                let fill = thread as u8 + 1;
                for round in 0..rounds {
                    // Every block below is written within its size while live and
                    // freed once, with the layout it has then.
                    // SAFETY: the layout is not zero-sized.
                    let h = unsafe { heap.alloc(hole) };
                    // SAFETY: as above.
                    let a = unsafe { heap.alloc(big) };
                    // SAFETY: as above.
                    let guard = unsafe { heap.alloc(small) };
                    assert!(!h.is_null() && !a.is_null() && !guard.is_null());
                    // SAFETY: as above.
                    unsafe { a.write_bytes(fill, big.size()) };
                    // SAFETY: as above.
                    unsafe { guard.write_bytes(fill, small.size()) };
                    // SAFETY: as above.
                    unsafe { h.write_bytes(fill, hole.size()) };
                    // SAFETY: as above.
                    unsafe { heap.dealloc(h, hole) };
                    // SAFETY: as above; `a` is live for `big`.
                    let b = unsafe { heap.realloc(a, big, shrunk.size()) };
                    assert!(!b.is_null());
                    // SAFETY: `b` is live, `shrunk.size()` bytes, all written.
                    let kept = unsafe { core::slice::from_raw_parts(b, shrunk.size()) };
                    assert!(kept.iter().all(|&x| x == fill), "thread {thread}");
                    if b == h {
                        slid.fetch_add(1, Ordering::Relaxed);
                    }
                    if round % 16 == 0 {
                        assert_eq!(heap.verify(), Ok(()));
                    }
                    // SAFETY: as above.
                    unsafe { heap.dealloc(b, shrunk) };
                    // SAFETY: `guard` is live, `small.size()` bytes, all written.
                    let guarded = unsafe { core::slice::from_raw_parts(guard, small.size()) };
                    assert!(guarded.iter().all(|&x| x == fill), "thread {thread}");
                    // SAFETY: as above.
                    unsafe { heap.dealloc(guard, small) };
                }
            });
        }
    });
    assert!(slid.load(Ordering::Relaxed) > 0, "no block slid");
    assert_eq!(heap.verify(), Ok(()));
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (0, stats.free));
}

#[test]
fn an_eight_byte_shrink_merges_a_next_block_waiting_in_a_quick_slot() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(488);
    let waiting = t.alloc(16);
    let _guard = t.alloc(16);
    fragmented(&mut t);
    t.free(waiting); // waits in the 16-byte slot: to the free list, still live
    t.fill(a, 5);
    assert_eq!(
        t.realloc(a, 480),
        a,
        "shrank in place, into the waiting block"
    );
    assert!(t.holds(a, 5));
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.stats().used, 0);
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn an_eight_byte_shrink_with_no_room_anywhere_fails_and_changes_nothing() {
    // The block is first in the heap, the next one is live, and no hole holds the
    // new size: there is nowhere for 8 bytes to go. `realloc` says so with null.
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(488);
    let _guard = t.alloc(16);
    fragmented(&mut t);
    t.fill(a, 3);
    let before = heap.stats();
    assert!(t.realloc(a, 480).is_null());
    assert!(t.holds(a, 3), "the block is as it was");
    let after = heap.stats();
    assert_eq!(after.used, before.used);
    assert_eq!(after.failed_allocs, before.failed_allocs + 1);
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.stats().used, 0);
}
