extern crate std;

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

#[test]
fn freeing_merges_with_both_neighbours() {
    let heap = FreeListAllocator::<4096>::new();
    let mut t = Tester::new(&heap);
    let [a, b, c, guard] = [64; 4].map(|size| t.alloc(size));
    assert_eq!((b as usize - a as usize, c as usize - b as usize), (64, 64));
    t.free(a);
    t.free(c);
    assert_eq!(heap.verify(), Ok(()));
    t.free(b); // joins a and c: one 192-byte block
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(
        t.alloc(192),
        a,
        "192 bytes fit exactly where a, b and c were"
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
    let a = t.alloc(64);
    let b = t.alloc(64);
    t.free(b);
    // A write past the end of `a`, as a buggy program makes, lands on b's header.
    // SAFETY: the bytes after `a` are the arena's own free memory, in bounds.
    unsafe { a.wrapping_add(64).cast::<u32>().write(12345) };
    let error = heap.verify().unwrap_err();
    assert!(matches!(error, VerifyError::BadSize { .. }), "{error}");
}

#[test]
fn verify_reports_free_blocks_that_touch() {
    #[repr(C, align(16))]
    struct Arena([u8; 2048]);
    let mut arena = Arena([0; 2048]);
    let base = arena.0.as_mut_ptr();
    let layout = Layout::from_size_align(64, 8).unwrap();
    let mut engine = FreeList::NEW;
    // SAFETY: the arena is 16-aligned, 2,048 bytes and used by this engine alone.
    unsafe { engine.set_up(base, 2048) };
    // SAFETY: the engine is set up over `base`.
    let [a, b, _guard] = [(); 3].map(|()| unsafe { engine.alloc(base, layout, 0) });
    assert_eq!(b as usize, a as usize + 64);
    // SAFETY: `a` is live, for `layout`.
    unsafe { engine.dealloc(base, a, layout) };
    // File `b` as free without merging it into `a`, as a bug would.
    engine.counters.freed(64);
    // SAFETY: `b` is 64 bytes of the heap no one uses (only the neighbour rule of
    // `push` is broken, on purpose).
    unsafe { engine.push(engine.mem(base), b as usize - base as usize, 64) };
    // Twice: the search flips side bits and must leave them as they were.
    for _ in 0..2 {
        assert_eq!(
            // SAFETY: the engine is set up over `base`, which only this test uses.
            unsafe { engine.verify(base) },
            Err(VerifyError::NotCoalesced { addr: a as usize })
        );
    }
}
