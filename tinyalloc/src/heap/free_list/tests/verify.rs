//! `verify()`: each kind of damage to the free lists, and blocks freed twice.

use super::*;

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
