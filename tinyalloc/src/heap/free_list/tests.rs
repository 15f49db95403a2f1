extern crate std;

use core::alloc::GlobalAlloc;
use std::vec::Vec;

use super::classes::{TABLE_LIMIT, class_formula, fit_class};
use super::*;
use crate::heap::FreeListAllocator;
use crate::heap::tester::Tester;

#[test]
fn fit_class_holds_every_block_of_its_class() {
    let (limit, step) = if cfg!(miri) {
        (1 << 12, 8 * 7)
    } else {
        (1 << 16, 8)
    };
    for size in (MIN_BLOCK..limit).step_by(step) {
        let class = class_of(size);
        let fit = fit_class(size);
        assert!(class <= fit && fit <= class + 1, "{size}");
        // The smallest size filed in `fit` is at least `size`.
        let smallest = (MIN_BLOCK..=size + size / 4 + 16)
            .step_by(8)
            .find(|&s| class_of(s) == fit)
            .unwrap();
        assert!(smallest >= size, "{size}: class {fit} starts at {smallest}");
    }
    assert!(fit_class(1 << 31) < MAX_CLASSES);
    for size in (MIN_BLOCK..TABLE_LIMIT + 64).step_by(8) {
        assert_eq!(class_of(size), class_formula(size), "{size}");
    }
    for want in (MIN_BLOCK..=TABLE_LIMIT).step_by(8) {
        // SAFETY: `want` is in the range `below_fit` takes.
        let fit = unsafe { below_fit(want) } + 1;
        assert_eq!(fit, fit_class(want), "{want}");
        assert!(fit < FAST_CLASSES, "{want}");
    }
    // SAFETY: as above.
    assert_eq!(unsafe { below_fit(TABLE_LIMIT) }, FAST_CLASSES - 2);
}

/// A block size above the quick slots' limit: freed for real at once.
const BIG: usize = 640;

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
fn verify_reports_a_write_into_free_memory() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(BIG);
    let b = t.alloc(BIG);
    t.free(b);
    // A write past the end of `a`, as a buggy program makes, lands on b's header.
    // SAFETY: the bytes after `a` are the arena's own free memory, in bounds.
    unsafe { a.wrapping_add(BIG).cast::<u32>().write(12345) };
    let error = heap.verify().unwrap_err();
    assert!(matches!(error, VerifyError::BadSize { .. }), "{error}");
}

/// A heap with one free `BIG`-byte block between two live ones (neither waits in a
/// quick slot), handed to `damage` with the engine, the arena view, the free block's
/// offset and the arena's address; then what `verify` reports.
fn verify_after(damage: impl FnOnce(&mut FreeList, Mem, usize, usize)) -> VerifyError {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let [_a, b, _c] = [(); 3].map(|()| t.alloc(BIG));
    t.free(b);
    assert_eq!(heap.verify(), Ok(()));
    heap.shell.with_engine(|engine, base| {
        let m = engine.mem(base);
        damage(engine, m, b as usize - base as usize, base as usize);
    });
    heap.verify().unwrap_err()
}

#[test]
fn verify_reports_each_kind_of_damage_to_the_free_lists() {
    // Every write below is to bookkeeping no live block holds: the free block's
    // header, footer and links, a class head, or the side bitmap (its bits cover the
    // live blocks, but are not in them). The heap is only verified afterwards.
    let class = class_of(BIG);

    // A footer that disagrees with its header: the size the footer claims.
    // SAFETY: the free block's footer.
    let error = verify_after(|_, m, off, _| unsafe { m.set_footer(off + BIG, BIG + 64) });
    assert!(
        matches!(error, VerifyError::BadSize { size, .. } if size == BIG + 64),
        "{error}"
    );

    // A size that is possible and agrees with its footer, but of another class.
    let smaller = BIG - 128;
    assert_ne!(class_of(smaller), class);
    let mut block = 0;
    let error = verify_after(|_, m, off, base| {
        block = base + off;
        // SAFETY: the free block's header.
        unsafe { m.set(off, SIZE, smaller) };
        // SAFETY: inside the free block: where a block of that size keeps its footer.
        unsafe { m.set_footer(off + smaller, smaller) };
    });
    assert_eq!(
        error,
        VerifyError::WrongClass {
            addr: block,
            size: smaller
        }
    );

    // A backward link that does not name the block before it (here, its list head).
    let error = verify_after(|_, m, off, base| {
        block = base + off;
        // SAFETY: the free block's backward link.
        unsafe { m.set(off, PREV, off) };
    });
    assert_eq!(error, VerifyError::BrokenLink { addr: block });

    // A list the engine marks non-empty whose head was lost: the head's address.
    let mut head = 0;
    let error = verify_after(|_, m, _, base| {
        head = base + class * 4;
        // SAFETY: a class head of this arena.
        unsafe { m.set_head(class, NIL) };
    });
    assert_eq!(error, VerifyError::BitmapMismatch { addr: head });

    // A free block whose marker in the side bitmap was cleared.
    let error = verify_after(|_, m, off, base| {
        block = base + off;
        // SAFETY: the bit of a pair of the heap.
        unsafe { m.clear_bit(off) };
    });
    assert_eq!(error, VerifyError::BitmapMismatch { addr: block });

    // A marker no free block has, inside the live block below: the bitmap's address.
    let mut bitmap = 0;
    let error = verify_after(|_, m, off, _| {
        bitmap = m.bits as usize;
        // SAFETY: as above.
        unsafe { m.set_bit(off - BIG / 2) };
    });
    assert_eq!(error, VerifyError::BitmapMismatch { addr: bitmap });

    // The count of waiting blocks disagreeing with the slots.
    let error = verify_after(|engine, _, _, _| engine.waiting += 1);
    assert!(matches!(error, VerifyError::Accounting { .. }), "{error}");
}

#[test]
fn verify_reports_free_blocks_that_touch() {
    #[repr(C, align(16))]
    struct Arena([u8; 4096]);
    let mut arena = Arena([0; 4096]);
    let base = arena.0.as_mut_ptr();
    let layout = Layout::from_size_align(BIG, 8).unwrap();
    let mut engine = FreeList::NEW;
    // SAFETY: the arena is 16-aligned, 4,096 bytes and used by this engine alone.
    unsafe { engine.set_up(base, 4096) };
    // SAFETY: the engine is set up over `base`.
    let [a, b, _guard] = [(); 3].map(|()| unsafe { engine.alloc(base, layout, 0) });
    assert_eq!(b as usize, a as usize + BIG);
    // SAFETY: `a` is live, for `layout`.
    unsafe { engine.dealloc(base, a, layout) };
    // File `b` as free without merging it into `a`, as a bug would.
    engine.counters.freed(BIG);
    // SAFETY: `b` is `BIG` bytes of the heap no one uses (only the neighbour rule of
    // `push` is broken, on purpose).
    unsafe { engine.push(engine.mem(base), b as usize - base as usize, BIG) };
    // Twice: the search flips side bits and must leave them as they were.
    for _ in 0..2 {
        assert_eq!(
            // SAFETY: the engine is set up over `base`, which only this test uses.
            unsafe { engine.verify(base) },
            Err(VerifyError::NotCoalesced { addr: a as usize })
        );
    }
}

#[test]
fn a_freed_block_waits_for_the_next_request_of_its_size() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let [a, b, c, _guard] = [64; 4].map(|size| t.alloc(size));
    t.free(a);
    t.free(c);
    t.free(b); // the third of one size: freed for real, not merged with a or c
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(t.alloc(64), c, "the last one waiting comes back first");
    assert_eq!(t.alloc(64), a);
    // Only exact sizes are served from a slot: a 56-byte block waits for 56 bytes.
    let d = t.alloc(56);
    t.free(d);
    assert_ne!(t.alloc(48), d);
    assert_eq!(t.alloc(56), d);
    t.free_all();
    // `stats` merges what waits: the heap is one free block again.
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (0, stats.free));
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn waiting_blocks_are_merged_before_a_request_fails() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let mut blocks = Vec::new();
    loop {
        let block = t.alloc(32);
        if block.is_null() {
            break;
        }
        blocks.push(block);
    }
    let failed = heap.stats().failed_allocs;
    // Two of them wait in the slots, every other one lies between them: no free
    // block holds 96 bytes until the waiting ones are merged.
    for &block in blocks.iter().step_by(2).take(3) {
        t.free(block);
    }
    t.free(blocks[1]);
    let wide = t.alloc(96);
    assert_eq!(wide, blocks[0], "a, b and c, merged");
    assert_eq!(heap.stats().failed_allocs, failed);
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    let stats = heap.stats();
    assert_eq!(stats.largest_free, stats.free);
}

/// How many blocks wait in the quick slots.
fn waiting(heap: &FreeListAllocator<4096>) -> usize {
    heap.shell.with_engine(|engine, _| engine.waiting)
}

#[test]
fn after_merging_the_search_finds_the_merged_block_ahead_of_a_long_list() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let blocks = t.alloc_until_full(32);
    // Two blocks wait in the 32-byte slots with one freed for real between them,
    // then every other block from the sixth on is freed too: a long list of 32-byte
    // blocks, none of which holds 96 bytes.
    t.free(blocks[0]);
    t.free(blocks[2]);
    t.free(blocks[1]);
    for &block in blocks.iter().skip(5).step_by(2) {
        t.free(block);
    }
    assert_eq!(waiting(&heap), 2);
    // Merged, the first three make 96 bytes, filed at the front of their list; the
    // search after the merge looks at as many blocks of each list as were merged.
    assert_eq!(t.alloc(96), blocks[0]);
    assert_eq!(waiting(&heap), 0);
    assert_eq!(heap.verify(), Ok(()));
    // Nothing else serves 96 bytes: the next request fails, and is counted.
    let failed = heap.stats().failed_allocs;
    assert!(t.alloc(96).is_null());
    assert_eq!(heap.stats().failed_allocs, failed + 1);
    t.free_all();
    let stats = heap.stats();
    assert_eq!((stats.used, stats.largest_free), (0, stats.free));
}

#[test]
fn a_request_larger_than_the_heap_fails_at_once_and_leaves_the_slots_alone() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(32);
    let _live = t.alloc(16);
    t.free(a);
    assert_eq!(waiting(&heap), 1);
    let before = heap.stats();
    assert!(t.alloc(before.used + before.free + 8).is_null());
    assert_eq!(
        waiting(&heap),
        1,
        "nothing merged for a request nothing could serve"
    );
    assert_eq!(heap.stats().failed_allocs, before.failed_allocs + 1);
    // The whole heap: merging could serve it were nothing live; here it fails after
    // merging what waits.
    assert!(t.alloc(before.used + before.free).is_null());
    assert_eq!(waiting(&heap), 0);
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn realloc_grows_into_a_waiting_block() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(40);
    let b = t.alloc(40);
    let _guard = t.alloc(16);
    t.fill(a, 3);
    t.free(b); // waits in a slot; the program sees free memory after `a`
    assert_eq!(t.realloc(a, 80), a, "grew into the waiting block");
    assert!(t.holds_first(a, 40, 3));
    assert_eq!(heap.verify(), Ok(()));
    assert_ne!(t.alloc(40), b, "b is part of a now");
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
}

/// A free block too small for the growth, then a waiting one: the program sees
/// free memory enough after `a`, and the realloc stays in place.
#[test]
fn realloc_grows_into_a_free_block_and_the_waiting_block_behind_it() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(64);
    let x = t.alloc(32);
    let q = t.alloc(64);
    let _guard = t.alloc(16);
    let fillers = [t.alloc(32), t.alloc(32)];
    let _guard = t.alloc(16);
    for filler in fillers {
        t.free(filler); // the 32-byte slots fill
    }
    t.free(x); // the third of its size: filed as a free block after `a`
    t.free(q); // waits in a slot, after `x`
    t.fill(a, 9);
    assert_eq!(t.realloc(a, 64 + 32 + 64), a, "grew into x and q");
    assert!(t.holds_first(a, 64, 9));
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
    let stats = heap.stats();
    assert_eq!(stats.largest_free, stats.free);
}

/// As above, but `x` and `q` together would leave 8 bytes: a further waiting block
/// is merged too.
#[test]
fn realloc_merges_waiting_blocks_until_the_rest_is_not_eight_bytes() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(64);
    let x = t.alloc(32);
    let q = t.alloc(64);
    let r = t.alloc(24);
    let _guard = t.alloc(16);
    let fillers = [t.alloc(32), t.alloc(32)];
    let _guard = t.alloc(16);
    for filler in fillers {
        t.free(filler);
    }
    t.free(x);
    t.free(q);
    t.free(r);
    // 64 + 88 = 152 bytes: x and q (96) would leave 8; with r (24), 32 are left.
    assert_eq!(t.realloc(a, 152), a, "grew into x, q and r");
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(heap.stats().used, 152 + 16 + 16);
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
}

/// Growing through many waiting blocks merges every waiting block at once after the
/// first (one scan of the slots, not one a block): the growth, the heap and a block
/// that waited elsewhere all come out as if merged one by one.
#[test]
fn realloc_grows_through_many_waiting_blocks() {
    let heap = FreeListAllocator::<8192>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    // Ten waiting blocks of distinct sizes right after `a`, then a live guard.
    let sizes: [usize; 10] = core::array::from_fn(|i| 24 + 8 * i);
    let behind: Vec<_> = sizes.iter().map(|&size| t.alloc(size)).collect();
    let _guard = t.alloc(16);
    // One more waiting block elsewhere, between live blocks.
    let elsewhere = t.alloc(200);
    let _guard = t.alloc(16);
    for block in behind {
        t.free(block);
    }
    t.free(elsewhere);
    t.fill(a, 0xA5);
    let used = heap.stats().used;
    let growth: usize = sizes.iter().sum();
    assert_eq!(
        t.realloc(a, 16 + growth),
        a,
        "grew in place through all ten"
    );
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(heap.stats().used, used + growth);
    assert!(t.holds_first(a, 16, 0xA5));
    // The block that waited elsewhere is free memory like any other.
    let again = t.alloc(200);
    assert!(!again.is_null());
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn verify_reports_a_block_freed_twice() {
    let layout = Layout::from_size_align(64, 8).unwrap();
    // Twice into the slots.
    let heap = FreeListAllocator::<4096>::new();
    // SAFETY: a non-zero size. (The other two keep the heap from looking empty
    // after the second free, which would merge everything waiting.)
    let [a, _, _] = [(); 3].map(|()| unsafe { heap.alloc(layout) });
    // SAFETY: `a` is live, for `layout`.
    unsafe { heap.dealloc(a, layout) };
    // SAFETY: breaks `dealloc`'s contract on purpose (`a` is not live), which the
    // engine survives: it records the offset and touches only its own arena, which
    // stays valid. Nothing is allocated again; the heap is verified, then dropped.
    unsafe { heap.dealloc(a, layout) };
    assert_eq!(
        heap.verify(),
        Err(VerifyError::FreedTwice { addr: a as usize })
    );
    // Freed for real, then again into a slot.
    let heap = FreeListAllocator::<4096>::new();
    // SAFETY: a non-zero size.
    let [x, y, a, _guard] = [(); 4].map(|()| unsafe { heap.alloc(layout) });
    for block in [x, y, a] {
        // SAFETY: live, for `layout`; `a` is the third of its size, so it is filed
        // as free memory.
        unsafe { heap.dealloc(block, layout) };
    }
    // SAFETY: a non-zero size.
    assert_eq!(unsafe { heap.alloc(layout) }, y, "a slot is empty again");
    // SAFETY: as above: `a` is not live, on purpose.
    unsafe { heap.dealloc(a, layout) };
    assert_eq!(
        heap.verify(),
        Err(VerifyError::FreedTwice { addr: a as usize })
    );
}

/// What the docs say of a block over 512 bytes freed twice: it waits in no slot, so
/// `verify()` finds the damage the second free did, not the double free itself, and
/// its message names a double free among the causes.
#[test]
fn verify_reports_the_damage_of_a_large_block_freed_twice() {
    let layout = Layout::from_size_align(600, 8).unwrap();
    let heap = FreeListAllocator::<16384>::new();
    // SAFETY: a non-zero size.
    let [a, _live] = [(); 2].map(|()| unsafe { heap.alloc(layout) });
    // SAFETY: `a` is live, for `layout`.
    unsafe { heap.dealloc(a, layout) };
    assert_eq!(heap.verify(), Ok(()));
    // SAFETY: breaks `dealloc`'s contract on purpose, as in the test above; nothing
    // is allocated again before the heap is dropped.
    unsafe { heap.dealloc(a, layout) };
    let error = heap.verify().unwrap_err();
    assert!(
        matches!(
            error,
            VerifyError::BitmapMismatch { .. } | VerifyError::BadSize { .. }
        ),
        "{error:?}"
    );
    assert!(
        std::format!("{error}").contains("a block freed twice"),
        "{error}"
    );
}

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
fn verify_reports_a_link_past_the_address_space_without_overflowing() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let _a = t.alloc(BIG);
    let b = t.alloc(BIG);
    let _guard = t.alloc(BIG);
    t.free(b);
    // b's next link, one that, added to the arena's address, runs past the end of a
    // 32-bit address space: `verify` reported it by panicking there (in debug builds,
    // inside the heap's lock, which then stays closed).
    let wild = 0xFFFF_FFF0u32;
    // SAFETY: a field of the free block `b`.
    unsafe { b.wrapping_add(NEXT).cast::<u32>().write(wild) };
    let report = heap.verify();
    assert!(
        matches!(report, Err(VerifyError::OutOfBounds { .. })),
        "{report:?}"
    );
}

/// Allocates `layout` and frees it again; whether it succeeded.
fn fits<const SIZE: usize>(heap: &FreeListAllocator<SIZE>, layout: Layout) -> bool {
    // SAFETY: non-zero sizes only.
    let block = unsafe { heap.alloc(layout) };
    if !block.is_null() {
        // SAFETY: just allocated with this layout.
        unsafe { heap.dealloc(block, layout) };
    }
    !block.is_null()
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

#[test]
fn every_quick_size_edge_waits_and_merges_back_without_loss() {
    let heap = FreeListAllocator::<8192>::new();
    let mut t = Tester::new(&heap);
    let free = heap.stats().free;
    // 1 and 16 bytes round to the smallest slot, 512 to the largest; 513 has none.
    let sizes = [1, 16, 17, 504, 512, 513, 1, 512];
    let blocks = sizes.map(|size| t.alloc(size));
    let keep = t.alloc(24);
    for &block in &blocks {
        t.free(block);
    }
    let stats = heap.stats();
    assert_eq!(stats.free, free - 24, "{stats}");
    // Everything below `keep` merges into one block.
    let below = keep as usize - blocks[0] as usize;
    assert_eq!(stats.largest_free, below.max(free - 24 - below), "{stats}");
    assert_eq!(heap.verify(), Ok(()));
    // The exact sizes come back from their slots, most recent first; a slot holds
    // two blocks, so the third 16-byte one (blocks[6]) was freed for real.
    assert_eq!(t.alloc(512), blocks[7]);
    assert_eq!(t.alloc(9), blocks[1]);
    assert_eq!(t.alloc(16), blocks[0]);
    t.free_all();
    let empty = heap.stats();
    assert_eq!(
        (empty.used, empty.free, empty.largest_free),
        (0, free, free)
    );
    assert!(fits(&heap, Layout::from_size_align(free, 8).unwrap()));
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn verify_reports_overlapping_free_blocks_whose_sizes_pass_the_address_space() {
    // Free blocks filed over one another, as wild writes could leave them: each
    // passes every check of its own, but their sizes add up to more than a 32-bit
    // `usize` holds. `verify` panicked there on 32-bit targets in debug builds,
    // inside the heap's lock.
    const LEN: usize = 1 << 20;
    let mut arena = std::vec![0u128; LEN / 16];
    let base = arena.as_mut_ptr().cast::<u8>();
    let mut engine = FreeList::NEW;
    // SAFETY: the arena is 16-aligned, `LEN` bytes and used by this engine alone.
    unsafe { engine.set_up(base, LEN) };
    let m = engine.mem(base);
    // As few blocks as pass 4 GiB, each as large as leaves room for the others 16
    // bytes apart (Miri checks every access: 32,000 half-MiB blocks took a minute).
    const BLOCKS: usize = 4_600;
    let heap = engine.heap;
    let size = (LEN - heap - 16 * BLOCKS) / 16 * 16;
    // SAFETY: the heap is one filed free block at the start.
    unsafe { engine.unlink(m, heap, LEN - heap) };
    let mut count = 0;
    let mut off = heap;
    while off + size <= LEN {
        // SAFETY: in the heap, which no one uses; headers lie at multiples of 16
        // and footers 12 bytes past them, so none overwrites another's fields.
        unsafe { engine.attach(m, off, size, class_of(size)) };
        // SAFETY: both ends are at most the arena's length.
        unsafe { m.set_bit(off) };
        // SAFETY: as above.
        unsafe { m.set_bit(off + size) };
        count += 1;
        off += 16;
    }
    assert!(count as u64 * size as u64 > u64::from(u32::MAX), "{count}");
    // SAFETY: the engine is set up over `base`, which only this test uses.
    let report = unsafe { engine.verify(base) };
    // More free bytes than the heap holds (on a 32-bit target, as many as a
    // `usize` holds).
    assert!(
        matches!(report, Err(VerifyError::Accounting { used: 0, free, heap: h })
            if free > h && h == LEN - heap),
        "{report:?}"
    );
    drop(arena);
}

#[test]
fn verify_reports_a_foreign_block_waiting_just_below_the_arena() {
    #[repr(C, align(16))]
    struct Arena([u8; 4096]);
    let mut arena = Arena([0; 4096]);
    let base = arena.0.as_mut_ptr();
    let layout = Layout::from_size_align(64, 8).unwrap();
    let mut engine = FreeList::NEW;
    // SAFETY: the arena is 16-aligned, 4,096 bytes and used by this engine alone.
    unsafe { engine.set_up(base, 4096) };
    // SAFETY: the engine is set up over `base`. (Two live blocks: the heap does not
    // look empty after the free below, which would merge what waits.)
    let [_a, _b] = [(); 2].map(|()| unsafe { engine.alloc(base, layout, 0) });
    let foreign = base.wrapping_sub(16);
    // SAFETY: breaks `dealloc`'s contract on purpose (`foreign` is not a block of
    // this heap): a 64-byte free goes to a quick slot, which only records its
    // offset, 16 bytes short of the address space's end on a 32-bit target.
    unsafe { engine.dealloc(base, foreign, layout) };
    // SAFETY: the engine is set up over `base`, which only this test uses.
    let report = unsafe { engine.verify(base) };
    assert!(
        matches!(report, Err(VerifyError::OutOfBounds { .. })),
        "{report:?}"
    );
}

#[test]
fn waiting_blocks_come_in_address_order_in_any_slot_order() {
    use super::quick::MAX_WAITING;
    let mut rng = crate::heap::tests::Rng::new(11);
    let rounds = if cfg!(miri) { 8 } else { 400 };
    for round in 0..rounds {
        let mut engine = FreeList::NEW;
        // Round 0: every slot full, addresses falling as the slots go up (the order
        // an insertion sort took longest on); round 1: rising; then random offsets,
        // some slots empty.
        let mut wanted = Vec::new();
        for (slot, off) in engine.quick.as_flattened_mut().iter_mut().enumerate() {
            let value = match round {
                0 => (MAX_WAITING - slot) as u32 * 1024,
                1 => (slot + 1) as u32 * 1024,
                _ if rng.below(4) == 0 => 0,
                // Distinct, as the offsets of blocks that do not overlap are.
                _ => ((rng.below(1 << 20) as u32) << 8) | (slot as u32 + 1),
            };
            *off = value;
            if value != 0 {
                wanted.push((value as usize, MIN_BLOCK + slot / 2 * GRANULE));
            }
        }
        wanted.sort_unstable();
        let sorted = engine.waiting_by_address();
        assert_eq!(sorted.len(), wanted.len());
        assert_eq!(sorted.iter().collect::<Vec<_>>(), wanted, "round {round}");
    }
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
