extern crate std;

use core::alloc::GlobalAlloc;

use super::*;
use crate::heap::SegregatedBumpAllocator;
use crate::heap::tester::Tester;

#[test]
fn a_freed_block_serves_its_class_and_the_arena_resets_when_empty() {
    let heap = SegregatedBumpAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(100);
    let _b = t.alloc(20);
    t.free(a);
    assert_eq!(t.alloc(90), a, "same 128-byte class");
    assert_eq!(t.realloc(a, 128), a, "same class: in place");
    let c = t.alloc(300);
    assert_eq!(t.realloc(c, 2000), c, "at the top: in place");
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    let fresh = SegregatedBumpAllocator::<4096>::new();
    assert_eq!(
        heap.stats().largest_free,
        fresh.stats().largest_free,
        "everything back to the bump region"
    );
}

#[test]
fn largest_free_is_a_size_one_allocation_can_take() {
    let heap = SegregatedBumpAllocator::<4096>::new();
    let stats = heap.stats();
    // 4,064 bytes of bump region (32 B of class heads before it): 3,584 is the largest
    // class that fits; a request for 4,064 would round up to 4,096 and fail.
    assert_eq!((stats.free, stats.largest_free), (4064, 3584));
    let layout = Layout::from_size_align(stats.largest_free, 8).unwrap();
    // SAFETY: a non-zero size.
    let block = unsafe { heap.alloc(layout) };
    assert!(
        !block.is_null(),
        "largest_free = {} but allocating it fails",
        stats.largest_free
    );
    // The 480 bytes left hold a 448-byte block but not the 480 they measure.
    assert_eq!(heap.stats().largest_free, 448);
    // SAFETY: just allocated with this layout.
    unsafe { heap.dealloc(block, layout) };
    assert_eq!(heap.stats().largest_free, 3584);
}

#[test]
fn an_exhausted_bump_region_splits_a_larger_free_block() {
    let heap = SegregatedBumpAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let big = t.alloc(512);
    while !t.alloc(64).is_null() {}
    t.free(big);
    for _ in 0..8 {
        let block = t.alloc(64);
        assert!(!block.is_null(), "served from the freed 512-byte block");
        assert!(block >= big && block < big.wrapping_add(512));
    }
    assert_eq!(heap.verify(), Ok(()));
    t.free_all();
    assert_eq!(heap.stats().used, 0);
}

#[test]
fn a_shrink_below_a_live_block_stays_in_place_and_bins_the_tail() {
    let heap = SegregatedBumpAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(512);
    let _b = t.alloc(16);
    t.fill(a, 0xA5);
    assert_eq!(t.realloc(a, 100), a, "in place, although not at the top");
    assert!(t.holds(a, 0xA5));
    assert_eq!(heap.stats().used, 128 + 16);
    // The 384-byte tail is a free block of its class.
    let tail = t.alloc(384);
    assert_eq!(tail, a.wrapping_add(128));
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn verify_reports_a_block_out_of_bounds() {
    let heap = SegregatedBumpAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    let b = t.alloc(16);
    let _c = t.alloc(16);
    t.free(b);
    // SAFETY: b's link, free memory of the arena right after `a`.
    unsafe { a.wrapping_add(16).cast::<u32>().write(100_000) };
    assert!(heap.verify().is_err());
}

#[test]
fn classes_round_up_by_at_most_a_quarter_above_128() {
    assert_eq!(class_of(1), (0, 16));
    assert_eq!(class_of(16), (0, 16));
    assert_eq!(class_of(17), (1, 32));
    assert_eq!(class_of(65), (3, 128));
    assert_eq!(class_of(128), (3, 128));
    assert_eq!(class_of(129), (4, 160));
    assert_eq!(class_of(161), (5, 192));
    assert_eq!(class_of(256), (7, 256));
    assert_eq!(class_of(257), (8, 320));
    assert_eq!(class_of(1 << 31), (99, 1 << 31));
    for size in 1..=TABLE_LIMIT + 64 {
        assert_eq!(class_of(size), class_formula(size as u32), "{size}");
    }
    let limit = if cfg!(miri) { 3_000 } else { 70_000u32 };
    for size in 129..limit {
        let (class, block) = class_of(size as usize);
        assert!(
            block >= size && block - size < size / 4 + 1,
            "{size} -> {block}"
        );
        assert_eq!(class_size(class), block);
    }
}

#[test]
fn floor_class_is_the_largest_class_that_fits() {
    let limit = if cfg!(miri) { 4_000 } else { 100_000u32 };
    for len in (16..limit).step_by(16) {
        let class = floor_class(len);
        assert!(class_size(class) <= len, "{len}");
        assert!(class_size(class + 1) > len, "{len}");
    }
}

#[test]
fn verify_reports_a_link_past_the_address_space_without_overflowing() {
    let heap = SegregatedBumpAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    let b = t.alloc(16);
    let _c = t.alloc(16);
    t.free(b);
    // A link that, added to the arena's address, runs past the end of a 32-bit
    // address space: `verify` reported it by panicking there (in debug builds, inside
    // the heap's lock, which then stays closed).
    let wild = 0xFFFF_FFF0u32;
    // SAFETY: b's link, free memory of the arena right after `a`.
    unsafe { b.cast::<u32>().write(wild) };
    // The heap starts one granule into the arena (the class heads take none of it).
    let base = a as usize - 16;
    assert_eq!(
        heap.verify(),
        Err(VerifyError::OutOfBounds {
            addr: base.wrapping_add(wild as usize)
        })
    );
}

#[test]
fn verify_ends_on_a_list_that_loops() {
    let heap = SegregatedBumpAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let _a = t.alloc(16);
    let b = t.alloc(16);
    let _c = t.alloc(16);
    t.free(b);
    let off = heap.stats().overhead() as u32 + 16;
    // SAFETY: b's link, free memory of the arena: now b links to itself.
    unsafe { b.cast::<u32>().write(off) };
    assert_eq!(heap.verify(), Err(VerifyError::Cycle));
}

/// A region of the largest size a 32-bit target can allocate, next to
/// `MAX_ARENA_SIZE`: an over-aligned request for a class of 2 GiB, with the heap
/// full, made `top + gap + size` pass `u32::MAX` there (a panic in debug builds).
/// The region is never touched, so this is quick, under Miri too; it fails only
/// on a 32-bit target: `cargo +nightly miri test --target i686-unknown-linux-gnu`.
#[test]
fn a_request_past_a_full_region_near_max_arena_size_fails_without_overflowing() {
    let len = (isize::MAX as usize).min(MAX_ARENA_SIZE - 1);
    let host = Layout::from_size_align(len, 1).unwrap();
    // SAFETY: a non-zero size. Uninitialised: the pages are never touched.
    let region = unsafe { std::alloc::alloc(host) };
    if region.is_null() {
        return; // a host that will not lend 2 GiB even untouched: nothing to check
    }
    {
        let heap = SegregatedBumpAllocator::<0>::new();
        // SAFETY: the region is used by nothing else, and outlives the heap, which
        // is dropped (no block of it used) before the region is given back.
        unsafe { heap.init_from_raw_parts(region, len) }.unwrap();
        // Fill the heap, with no block touched: the bump pointer moves to the end.
        loop {
            let size = heap.stats().largest_free;
            if size == 0 {
                break;
            }
            let layout = Layout::from_size_align(size, 16).unwrap();
            // SAFETY: a non-zero size.
            assert!(!unsafe { heap.alloc(layout) }.is_null());
        }
        // The most `Layout` allows with this alignment, whose class is 2 GiB.
        let align = 1 << 27;
        let layout = Layout::from_size_align(isize::MAX as usize - (align - 1), align).unwrap();
        // SAFETY: a non-zero size.
        assert!(unsafe { heap.alloc(layout) }.is_null());
        assert_eq!(heap.verify(), Ok(()));
    }
    // SAFETY: allocated above with `host`; the heap over it is gone.
    unsafe { std::alloc::dealloc(region, host) };
}

#[test]
fn realloc_grows_into_a_free_next_block_and_bins_its_rest() {
    let heap = SegregatedBumpAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(64);
    let b = t.alloc(512);
    let _c = t.alloc(16);
    t.fill(a, 0x5A);
    t.free(b);
    assert_eq!(
        t.realloc(a, 128),
        a,
        "grown into b, although not at the top"
    );
    assert!(t.holds_first(a, 64, 0x5A));
    assert_eq!(heap.stats().used, 128 + 16);
    assert_eq!(heap.verify(), Ok(()));
    // b's 512 bytes less the 64 taken: one 448-byte block of that class.
    assert_eq!(t.alloc(448), a.wrapping_add(128));
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn realloc_takes_a_free_next_block_whole_when_it_is_just_the_growth() {
    let heap = SegregatedBumpAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(256);
    let b = t.alloc(64);
    let c = t.alloc(32);
    t.free(b);
    // 256 -> 320 needs b's 64 bytes exactly; nothing is left to bin.
    assert_eq!(t.realloc(a, 300), a);
    assert_eq!(heap.stats().used, 320 + 32);
    assert_eq!(heap.verify(), Ok(()));
    assert_ne!(t.alloc(64), b, "b is part of a now");
    t.free(c);
    t.free_all();
    assert_eq!(heap.stats().used, 0);
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn realloc_moves_when_the_next_block_is_live_or_too_small() {
    let heap = SegregatedBumpAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(128);
    let b = t.alloc(16);
    let _c = t.alloc(16);
    t.fill(a, 0xC3);
    let live = t.realloc(a, 256);
    assert_ne!(live, a, "b is live: the block moves");
    assert!(t.holds_first(live, 128, 0xC3));
    // Now the block before b is free and b is freed too small for a growth of 128.
    let d = t.alloc(128);
    assert_eq!(d, a, "a's old block, from its class");
    t.free(b);
    assert_ne!(
        t.realloc(d, 256),
        d,
        "b holds 16 of the 128 bytes needed: moves"
    );
    assert_eq!(t.alloc(16), b, "b stays binned, untouched");
    assert_eq!(heap.verify(), Ok(()));
}

#[test]
fn a_growing_realloc_ends_its_search_on_a_looped_list() {
    let heap = SegregatedBumpAllocator::<1024>::new();
    let mut t = Tester::new(&heap);
    let a = t.alloc(16);
    let _b = t.alloc(16);
    let c = t.alloc(16);
    let _d = t.alloc(16);
    t.free(c);
    // Damage the heap as a double free would: c's link points at c.
    let off = heap.stats().overhead() as u32 + 2 * 16;
    // SAFETY: c is binned, its first 4 bytes are its link: now c links to itself.
    unsafe { c.cast::<u32>().write(off) };
    assert_eq!(heap.verify(), Err(VerifyError::Cycle));
    // a's neighbour b is live, so the search looks through the 16-byte class, which
    // loops, and must end.
    let moved = t.realloc(a, 32);
    assert_ne!(moved, a);
}

/// What the module docs say of a block freed twice: filed again, so the list loops
/// (or, at the top, a block lies above the bump pointer), and `verify` says so.
#[test]
fn verify_reports_a_block_freed_twice() {
    let layout = Layout::from_size_align(32, 8).unwrap();
    for at_top in [false, true] {
        let heap = SegregatedBumpAllocator::<1024>::new();
        // SAFETY: a non-zero size. (Three blocks: with two, the second free would
        // count the heap empty and reset it.)
        let [a, _, c] = [(); 3].map(|()| unsafe { heap.alloc(layout) });
        let twice = if at_top { c } else { a };
        // SAFETY: live, for `layout`.
        unsafe { heap.dealloc(twice, layout) };
        // SAFETY: breaks `dealloc`'s contract on purpose (the block is not live),
        // which the engine survives: it touches only its own arena. Nothing is
        // allocated again; the heap is verified, then dropped.
        unsafe { heap.dealloc(twice, layout) };
        let found = heap.verify();
        if at_top {
            assert!(
                matches!(found, Err(VerifyError::OutOfBounds { .. })),
                "{found:?}"
            );
        } else {
            assert_eq!(found, Err(VerifyError::Cycle));
        }
    }
}

#[test]
fn verify_passes_a_heap_never_used_and_reports_a_bump_pointer_outside_it() {
    let heap = SegregatedBumpAllocator::<1024>::new();
    assert_eq!(heap.verify(), Ok(()), "not set up yet");
    let mut t = Tester::new(&heap);
    let _a = t.alloc(16);
    let top = heap.shell.with_engine(|engine, base| {
        engine.top = engine.end + GRANULE;
        base as usize + engine.top as usize
    });
    assert_eq!(heap.verify(), Err(VerifyError::OutOfBounds { addr: top }));
}
