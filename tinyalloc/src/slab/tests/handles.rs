//! Handles: stale, double-freed, foreign and out-of-range ones, each pool's own start,
//! clones, and generations that wrap.

use super::*;

#[test]
fn stale_and_double_frees_are_rejected_counted_and_harmless() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let a = alloc.alloc(b"a").unwrap();
    let b = alloc.alloc(b"b").unwrap();
    assert!(alloc.free(a));
    assert!(!alloc.free(a), "double free must be refused");
    assert_eq!(alloc.get(a), None);
    assert_eq!(alloc.get_mut(a), None);
    assert!(!alloc.contains(a));
    // the slot is reused; the old handle still does not reach it
    let c = alloc.alloc(b"c").unwrap();
    assert_eq!(c.index(), a.index());
    assert_eq!(alloc.get(a), None);
    assert!(!alloc.free(a));
    assert_eq!(alloc.get(c), Some(&b"c"[..]));
    assert_eq!(alloc.get(b), Some(&b"b"[..]));
    let stats = alloc.stats();
    assert_eq!(stats.rejected_handles, 5);
    assert_eq!(stats.in_use, 2);
}

#[test]
fn foreign_and_out_of_range_handles_are_rejected() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let beyond = Handle::new(8, 0).unwrap();
    let never_used = Handle::new(3, 0).unwrap();
    let never_used_last_generation = Handle::new(3, u16::MAX).unwrap();
    let forged = Handle::from_bits(u32::MAX).unwrap();
    for h in [beyond, never_used, never_used_last_generation, forged] {
        assert_eq!(alloc.get(h), None);
        assert!(!alloc.contains(h));
        assert!(!alloc.free(h));
    }
    assert_eq!(alloc.stats().rejected_handles, 8);
    assert!(alloc.is_empty());
    // the pool still works after all of it
    let h = alloc.alloc(b"ok").unwrap();
    assert_eq!(alloc.get(h), Some(&b"ok"[..]));
}

/// Two pools side by side start at different generations: every handle of one,
/// given to the other with the same slots live, is refused, counted, and changes
/// nothing; after each has recycled its slots once, too.
#[test]
fn handles_of_a_pool_beside_it_are_refused() {
    let mut pools = Box::new([
        TinySlabAllocator::<256, 8>::new(),
        TinySlabAllocator::<256, 8>::new(),
    ]);
    for round in 0..2 {
        let [a, b] = &mut *pools;
        let ours: Vec<_> = (0..8).map(|i| a.alloc(&[i]).unwrap()).collect();
        let theirs: Vec<_> = (0..8).map(|i| b.alloc(&[100 + i]).unwrap()).collect();
        for (&mine, &other) in ours.iter().zip(&theirs) {
            assert_eq!(mine.index(), other.index());
            assert_ne!(mine.generation(), other.generation(), "round {round}");
            let before = state(b);
            assert_eq!(b.get(mine), None);
            assert_eq!(b.get_mut(mine), None);
            assert!(!b.contains(mine));
            assert!(!b.free(mine));
            assert!(state(b) == before, "a refused handle changed the pool");
            assert_eq!(a.get(other), None);
        }
        assert_eq!(b.stats().rejected_handles, 24 * (round + 1));
        for (i, (&mine, &other)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!(a.get(mine), Some(&[i as u8][..]));
            assert_eq!(b.get(other), Some(&[100 + i as u8][..]));
        }
        a.clear();
        b.clear();
    }
}

/// What the fuzz targets' second pool relies on: a clone answers to its original's
/// handles and hands out the same ones afterwards, and the two are separate pools.
#[test]
fn a_clone_hands_out_the_same_handles_as_its_original() {
    let mut original = Box::new(TinySlabAllocator::<256, 8>::new());
    let gone = original.alloc(b"gone").unwrap();
    let kept = original.alloc(b"kept").unwrap();
    assert!(original.free(gone));
    original.get(gone); // one rejected handle, copied too
    let mut copy = original.clone();
    assert_eq!(copy.stats(), original.stats());
    assert_eq!(copy.get(kept), Some(&b"kept"[..]));
    let first: Vec<_> = (0..5).map(|_| original.alloc(b"o").unwrap()).collect();
    let second: Vec<_> = (0..5).map(|_| copy.alloc(b"c").unwrap()).collect();
    assert_eq!(first, second);
    assert!(first.iter().all(|&h| original.get(h) == Some(&b"o"[..])));
    assert!(second.iter().all(|&h| copy.get(h) == Some(&b"c"[..])));
    assert!(copy.free(kept));
    assert_eq!(original.get(kept), Some(&b"kept"[..]));
}

/// The tests' stand-in for two pools whose generations met by chance: after
/// `relabel_as`, a block of one answers to the other's handle of the same slot.
#[test]
fn relabel_as_makes_a_pool_answer_to_another_pools_handles() {
    let mut pools = Box::new([
        TinySlabAllocator::<256, 8>::new(),
        TinySlabAllocator::<256, 8>::new(),
    ]);
    let [mine, theirs] = &mut *pools;
    let freed = theirs.alloc(b"gone").unwrap();
    let kept = theirs.alloc(b"theirs").unwrap();
    assert!(theirs.free(freed));
    let [a, b] = [mine.alloc(b"a").unwrap(), mine.alloc(b"b").unwrap()];
    assert!(mine.free(a));
    let a = mine.alloc(b"a").unwrap(); // slot 0 reused once in both
    assert_eq!(theirs.relabel_as(mine, kept), b);
    assert_eq!(theirs.get(b), Some(&b"theirs"[..]));
    assert_eq!(theirs.alloc(b"again").unwrap(), a);
}

/// What the docs promise of the first generations: the first 65,536 pools to draw
/// start at different ones, pools fewer than 10 draws apart are at least 3,656
/// generations apart, and fewer than 100 apart at least 287. (The real draws share
/// one counter with every other test; this checks the spread they are taken from.)
#[test]
#[cfg_attr(miri, ignore)]
fn pools_start_at_different_generations() {
    // The `drawn`-th draw (from 0) adds `SPREAD` to the last start, from 0.
    let start = |drawn: u16| drawn.wrapping_add(1).wrapping_mul(SPREAD);
    let mut seen = std::vec![false; 1 << 16];
    for drawn in 0..=u16::MAX {
        assert!(!core::mem::replace(
            &mut seen[usize::from(start(drawn))],
            true
        ));
    }
    let apart = |k: u16| {
        let d = start(k).wrapping_sub(start(0));
        d.min(d.wrapping_neg())
    };
    assert_eq!((1..10).map(apart).min(), Some(3_656));
    assert_eq!((1..100).map(apart).min(), Some(287));
}

/// The helper behind those starts draws a new one each time; a pool draws once.
#[test]
fn each_pool_draws_its_own_start() {
    let [a, b] = [draw_start(), draw_start()];
    assert_ne!(a, b);
    let mut pool = TinySlabAllocator::<256, 8>::new();
    assert_eq!(pool.start, 0, "nothing drawn before the first block");
    let handle = pool.alloc(b"x").unwrap();
    assert_eq!(handle.generation(), pool.start);
    pool.clear();
    let again = pool.alloc(b"y").unwrap();
    assert_eq!(
        again.generation(),
        pool.start.wrapping_add(1),
        "clear draws nothing"
    );
}

/// Pools made one after another at the same address (in a loop, or by a
/// constructor that returns them) start at different generations: each draws its
/// own start when it first hands out a block, wherever it is.
#[test]
fn pools_made_at_one_address_refuse_each_other_s_handles() {
    let mut made: Vec<(TinySlabAllocator<256, 8>, Handle)> = Vec::new();
    for channel in 0..2u8 {
        let mut pool = TinySlabAllocator::new();
        let frame = pool.alloc(&[b'0' + channel; 4]).unwrap();
        made.push((pool, frame));
    }
    let [(first, first_frame), (second, second_frame)] = &mut made[..] else {
        unreachable!()
    };
    assert_eq!(first_frame.index(), second_frame.index());
    assert_eq!(second.get(*first_frame), None);
    assert!(!second.free(*first_frame));
    assert_eq!(first.get(*second_frame), None);
    assert_eq!(second.get(*second_frame), Some(&b"1111"[..]));
    assert_eq!(first.get(*first_frame), Some(&b"0000"[..]));
}

/// A pool reset by assigning a new one in its place refuses the handles of the old
/// one, as `clear` makes them stale.
#[test]
fn a_pool_made_anew_in_place_refuses_the_old_handles() {
    let mut pool = TinySlabAllocator::<256, 8>::new();
    let old = pool.alloc(b"old").unwrap();
    pool = TinySlabAllocator::new();
    let new = pool.alloc(b"new").unwrap();
    assert_eq!(old.index(), new.index());
    assert_eq!(pool.get(old), None);
    assert!(!pool.free(old));
    assert_eq!(pool.get(new), Some(&b"new"[..]));
}

/// A pool keeps the start it drew: moved after its first block, it still takes
/// back the handles it gave out before.
#[test]
fn a_moved_pool_keeps_its_handles() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let first = alloc.alloc(b"before").unwrap();
    let mut moved = Box::new(alloc);
    let second = moved.alloc(b"after").unwrap();
    assert_eq!(second.generation(), first.generation(), "the start it drew");
    assert_eq!(moved.get(first), Some(&b"before"[..]));
    assert_eq!(moved.get(second), Some(&b"after"[..]));
    assert!(moved.free(first));
    let again = moved.alloc(b"again").unwrap();
    assert_eq!(again.index(), first.index());
    assert_eq!(again.generation(), first.generation().wrapping_add(1));
    assert_eq!(moved.get(first), None);
}

/// The documented wrap policy: a stale handle is refused through 65,535 reuses of
/// its slot and names the block again on the 65,536th.
#[test]
#[cfg_attr(miri, ignore)] // 65,536 reuses; the short form below runs under Miri
fn generation_wraps_after_65536_reuses() {
    let mut alloc = TinySlabAllocator::<4, 2, Align2>::new();
    let stale = alloc.alloc(b"").unwrap();
    alloc.free(stale);
    for reuse in 1..=65_535u32 {
        let h = alloc.alloc(b"").unwrap();
        assert_eq!(h.index(), stale.index());
        assert!(
            !alloc.contains(stale),
            "stale handle accepted at reuse {reuse}"
        );
        alloc.free(h);
    }
    let wrapped = alloc.alloc(b"").unwrap();
    assert_eq!(
        wrapped, stale,
        "the 65,536th reuse has the old generation again"
    );
    assert!(alloc.contains(stale));
}

/// The free list is last in, first out: a program that takes and frees one block at a
/// time reuses one slot, so however many slots the pool has, a handle kept over
/// 65,536 such allocations names a block again (what `Handle`'s wrap policy says).
#[test]
#[cfg_attr(miri, ignore)] // 65,536 allocations; the short forms above run under Miri
fn one_block_at_a_time_wraps_after_65536_allocations_in_any_pool() {
    let mut alloc = TinySlabAllocator::<1024, 32>::new();
    let stale = alloc.alloc(b"first").unwrap();
    alloc.free(stale);
    for n in 1..65_536u32 {
        let h = alloc.alloc(b"next").unwrap();
        assert!(
            !alloc.contains(stale),
            "stale handle accepted at allocation {n}"
        );
        alloc.free(h);
    }
    assert_eq!(alloc.alloc(b"again").unwrap(), stale);
}

#[test]
fn generation_wraps_from_max_to_zero() {
    let mut alloc = TinySlabAllocator::<4, 2, Align2>::new();
    // Slot 0 free at generation 65,534, as after that many reuses.
    alloc.slots[0] = Slot::freed(Handle::new(0, u16::MAX - 2).unwrap().to_bits());
    alloc.fresh = 1;
    alloc.free_head = 1;
    alloc.write_link_for_test(0, 0);
    let a = alloc.alloc(b"").unwrap();
    assert_eq!(a.generation(), u16::MAX - 1);
    alloc.free(a);
    let b = alloc.alloc(b"").unwrap();
    assert_eq!(b.generation(), u16::MAX);
    alloc.free(b);
    // Free at generation 0 now: its handle is refused until the slot hands it out.
    let next = Handle::new(0, 0).unwrap();
    assert_eq!(alloc.get(next), None);
    assert!(!alloc.free(next));
    let c = alloc.alloc(b"").unwrap();
    assert_eq!(c, next);
    assert_eq!(c.generation(), 0);
    assert!(!alloc.contains(a) && !alloc.contains(b) && alloc.contains(c));
}

/// Threads sharing a pool by `&` and turning away stale handles at once lose no
/// count (a load and a store did, under Miri's schedules).
#[test]
fn shared_readers_count_every_rejected_handle() {
    let (threads, gets) = if cfg!(miri) { (2, 10) } else { (4, 1_000) };
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let stale = alloc.alloc(b"gone").unwrap();
    assert!(alloc.free(stale));
    let alloc = std::sync::Arc::new(alloc);
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let alloc = std::sync::Arc::clone(&alloc);
            std::thread::spawn(move || {
                for _ in 0..gets {
                    assert!(alloc.get(stale).is_none());
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(alloc.stats().rejected_handles, threads * gets);
}
