extern crate std;

use std::boxed::Box;
use std::vec::Vec;

use super::start::SPREAD;
use super::*;
use crate::align::{Align1, Align2, Align64, Align4096};

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> TinySlabAllocator<SIZE, SLOTS, A> {
    /// Test support: turns every slot used so far to the generation `other`'s slot
    /// of the same number has, or would have, after as many reuses, and the
    /// `handles` given (of this pool) with them. Pools start their slots at
    /// generations of their own (see `draw_start`), so two fresh pools hand out
    /// different handles; after this, this pool's blocks answer to `other`'s
    /// handles, as another pool's can by chance. Both pools must have handed out a
    /// block: the start a pool draws then is what this copies.
    pub(crate) fn relabel_as<const S: usize, const N: usize, B: Alignment>(
        &mut self,
        other: &TinySlabAllocator<S, N, B>,
        handle: Handle,
    ) -> Handle {
        assert!(
            self.fresh > 0 && other.fresh > 0,
            "a pool has not drawn its start"
        );
        let by = (u32::from(other.start) << 16).wrapping_sub(u32::from(self.start) << 16);
        for number in 1..=usize::from(self.fresh) {
            // SAFETY: `number <= fresh <= SLOTS`.
            let slot = unsafe { self.slot_mut(number) };
            *slot = match slot.live_handle(number) {
                Some(bits) => {
                    let len = slot.live_len(Handle::from_bits(bits).unwrap()).unwrap();
                    Slot::live(bits.wrapping_add(by), len)
                }
                // `freed(h)` hands out `h` one generation on.
                None => Slot::freed(slot.next_handle().wrapping_add(by).wrapping_sub(1 << 16)),
            };
        }
        Handle::from_bits(handle.to_bits().wrapping_add(by)).unwrap()
    }
}

/// Fills a pool, checks the blocks are distinct and in bounds, drains it.
fn exercise<const SIZE: usize, const SLOTS: usize, A: Alignment>(
    alloc: &mut TinySlabAllocator<SIZE, SLOTS, A>,
) {
    let block = TinySlabAllocator::<SIZE, SLOTS, A>::BLOCK_SIZE;
    assert_eq!(block * SLOTS, SIZE);
    let mut handles = Vec::new();
    for i in 0..SLOTS {
        let fill = (i % 251) as u8;
        let (h, bytes) = alloc.alloc_uninit(block).unwrap();
        assert_eq!(bytes.len(), block);
        assert_eq!(
            bytes.as_ptr() as usize % A::ALIGN,
            0,
            "block {i} misaligned"
        );
        bytes.fill(fill);
        handles.push((h, fill));
    }
    assert_eq!(alloc.alloc_uninit(1).unwrap_err(), AllocError::OutOfMemory);
    for &(h, fill) in &handles {
        assert!(alloc.get(h).unwrap().iter().all(|&b| b == fill));
    }
    for &(h, _) in &handles {
        assert!(alloc.free(h));
    }
    assert!(alloc.is_empty());
}

#[test]
fn every_configuration_of_the_seed_document_works() {
    exercise(&mut TinySlabAllocator::<1024, 32>::new());
    exercise(&mut TinySlabAllocator::<512, 16>::new());
    exercise(&mut TinySlabAllocator::<256, 4>::new());
    exercise(&mut TinySlabAllocator::<1024, 8>::new());
    let mut sixteen = TinySlabAllocator::<1024, 64>::new();
    assert_eq!(sixteen.block_size(), 16);
    exercise(&mut sixteen);
}

/// The module docs' bound: at most `SIZE + 4 × SLOTS + 16` bytes, rounded up to the
/// alignment.
fn within_the_documented_size<const SIZE: usize, const SLOTS: usize, A: Alignment>() {
    use core::mem::{align_of, size_of};
    let align = align_of::<TinySlabAllocator<SIZE, SLOTS, A>>();
    assert!(align >= A::ALIGN);
    let bound = (SIZE + 4 * SLOTS + 16).next_multiple_of(align);
    let size = size_of::<TinySlabAllocator<SIZE, SLOTS, A>>();
    assert!(
        size <= bound,
        "{SIZE}, {SLOTS}, align {align}: {size} > {bound}"
    );
}

#[test]
fn metadata_is_at_most_four_bytes_a_slot() {
    within_the_documented_size::<1024, 32, crate::align::Align8>();
    within_the_documented_size::<4096, 256, crate::align::Align8>();
    within_the_documented_size::<64, 32, Align2>();
    within_the_documented_size::<2, 1, Align1>();
    within_the_documented_size::<{ 4096 * 2 }, 2, Align4096>();
    within_the_documented_size::<{ 65_535 * 2 }, 65_535, Align2>();
}

/// The order the struct's comment explains: the busy counters, `failed_allocs`, the
/// slots from byte 12, `rejected_handles`, the blocks; with `4 × SLOTS` a multiple of
/// 4 KiB the last slot lands on `failed_allocs` and block 1 right after slot 1, not
/// on them, modulo 4 KiB.
fn laid_out_away_from_4k_aliasing<const SIZE: usize, const SLOTS: usize, A: Alignment>() {
    use core::mem::offset_of;
    type T<const SIZE: usize, const SLOTS: usize, A> = TinySlabAllocator<SIZE, SLOTS, A>;
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, free_head), 0);
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, fresh), 2);
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, in_use), 4);
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, failed_allocs), 8);
    assert_eq!(offset_of!(T<SIZE, SLOTS, A>, slots), 12);
    assert_eq!(
        offset_of!(T<SIZE, SLOTS, A>, rejected_handles),
        12 + 4 * SLOTS
    );
    let blocks = offset_of!(T<SIZE, SLOTS, A>, storage);
    assert_eq!(blocks, (16 + 4 * SLOTS).next_multiple_of(A::ALIGN));
    if (4 * SLOTS).is_multiple_of(4096) && A::ALIGN <= 16 {
        let last_slot = 12 + 4 * (SLOTS - 1);
        assert_eq!(last_slot % 4096, 8, "the last slot on `failed_allocs`");
        assert_eq!(blocks % 4096, 16, "block 1 right after slot 1");
    }
}

#[test]
fn the_layout_keeps_busy_fields_apart_modulo_4k() {
    laid_out_away_from_4k_aliasing::<{ 64 * 32 }, 32, crate::align::Align8>();
    laid_out_away_from_4k_aliasing::<{ 64 * 256 }, 256, crate::align::Align8>();
    laid_out_away_from_4k_aliasing::<{ 64 * 4096 }, 4096, crate::align::Align8>();
    laid_out_away_from_4k_aliasing::<{ 32 * 1024 }, 1024, crate::align::Align8>();
    laid_out_away_from_4k_aliasing::<{ 64 * 16 }, 16, Align64>();
    laid_out_away_from_4k_aliasing::<2, 1, Align1>();
}

#[test]
fn alignment_is_honoured_for_every_block() {
    exercise(&mut TinySlabAllocator::<{ 64 * 8 }, 8, Align64>::new());
    exercise(&mut Box::new(
        TinySlabAllocator::<{ 4096 * 2 }, 2, Align4096>::new(),
    ));
    // Odd 3-byte blocks: the free-list link sits unaligned, which Miri checks.
    exercise(&mut TinySlabAllocator::<21, 7, Align1>::new());
}

#[test]
fn alloc_get_free_round_trip() {
    let mut alloc = TinySlabAllocator::<1024, 32>::new();
    let (h, buf) = alloc.alloc_uninit(16).unwrap();
    assert_eq!(buf.len(), 16);
    buf.copy_from_slice(b"0123456789abcdef");
    assert_eq!(alloc.get(h).unwrap(), b"0123456789abcdef");
    alloc.get_mut(h).unwrap()[0] = b'X';
    assert_eq!(alloc.get(h).unwrap()[0], b'X');
    let empty = alloc.alloc(b"").unwrap();
    assert_eq!(alloc.get(empty), Some(&[][..]));
    assert_eq!(alloc.len(), 2);
    alloc.free(h);
    alloc.free(empty);
    assert_eq!(alloc.len(), 0);
}

#[test]
fn too_large_fails_and_changes_nothing_but_the_count() {
    let mut alloc = TinySlabAllocator::<1024, 32>::new();
    let keep = alloc.alloc(b"kept").unwrap();
    let err = alloc.alloc_uninit(64).unwrap_err();
    assert_eq!(
        err,
        AllocError::TooLarge {
            requested: 64,
            block_size: 32
        }
    );
    assert_eq!(
        alloc.alloc(&[0; 33]).unwrap_err(),
        AllocError::TooLarge {
            requested: 33,
            block_size: 32
        }
    );
    assert_eq!(alloc.len(), 1);
    assert_eq!(alloc.get(keep), Some(&b"kept"[..]));
    let stats = alloc.stats();
    assert_eq!(stats.failed_allocs, 2);
    assert_eq!(stats.in_use, 1);
    // a request of exactly one block is fine
    assert!(alloc.alloc_uninit(32).is_ok());
}

#[test]
fn full_pool_fails_with_out_of_memory_and_recovers() {
    let mut alloc = TinySlabAllocator::<64, 4>::new();
    let handles: Vec<_> = (0..4u8).map(|i| alloc.alloc(&[i; 16]).unwrap()).collect();
    assert_eq!(alloc.alloc(b"x"), Err(AllocError::OutOfMemory));
    assert_eq!(alloc.stats().failed_allocs, 1);
    for (i, &h) in handles.iter().enumerate() {
        assert_eq!(alloc.get(h).unwrap(), &[i as u8; 16]);
    }
    alloc.free(handles[2]);
    let again = alloc.alloc(b"again").unwrap();
    assert_eq!(again.index(), handles[2].index());
    assert_ne!(again, handles[2]);
}

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

#[test]
fn freed_slots_are_reused_last_in_first_out() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let hs: Vec<_> = (0..5).map(|_| alloc.alloc(b"").unwrap()).collect();
    alloc.free(hs[1]);
    alloc.free(hs[3]);
    assert_eq!(alloc.alloc(b"").unwrap().index(), 3);
    assert_eq!(alloc.alloc(b"").unwrap().index(), 1);
    assert_eq!(alloc.alloc(b"").unwrap().index(), 5, "then fresh slots");
}

#[test]
fn high_water_mark_remembers_the_peak() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let hs: Vec<_> = (0..6).map(|_| alloc.alloc(b"").unwrap()).collect();
    for h in hs {
        alloc.free(h);
    }
    let _ = alloc.alloc(b"").unwrap();
    let stats = alloc.stats();
    assert_eq!((stats.in_use, stats.high_water, stats.blocks), (1, 6, 8));
}

#[test]
fn clear_frees_everything_and_stales_every_handle() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let hs: Vec<_> = (0..8u8).map(|i| alloc.alloc(&[i]).unwrap()).collect();
    alloc.free(hs[4]);
    alloc.clear();
    assert!(alloc.is_empty());
    for &h in &hs {
        assert_eq!(alloc.get(h), None);
    }
    let again: Vec<_> = (0..8).map(|_| alloc.alloc(b"").unwrap()).collect();
    for (old, new) in hs.iter().zip(&again) {
        assert_eq!(old.index(), new.index());
        assert_ne!(old, new);
        assert_eq!(alloc.get(*old), None);
    }
    assert!(alloc.alloc(b"").is_err());
}

#[test]
fn after_clear_blocks_come_from_the_start_and_the_peak_is_kept() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let hs: Vec<_> = (0..5).map(|_| alloc.alloc(b"").unwrap()).collect();
    alloc.free(hs[3]);
    alloc.clear();
    let a = alloc.alloc(b"a").unwrap();
    let b = alloc.alloc(b"b").unwrap();
    assert_eq!((a.index(), b.index()), (0, 1));
    alloc.free(a);
    assert_eq!(
        alloc.alloc(b"").unwrap().index(),
        0,
        "the freed block first"
    );
    assert_eq!(
        alloc.alloc(b"").unwrap().index(),
        2,
        "then the next from the start"
    );
    assert_eq!(alloc.stats().high_water, 5);
    let more: Vec<_> = (0..5).map(|_| alloc.alloc(b"").unwrap()).collect();
    assert_eq!(more.last().unwrap().index(), 7);
    assert_eq!(alloc.stats().high_water, 8);
    assert_eq!(alloc.get(b), Some(&b"b"[..]));
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

#[test]
#[cfg_attr(miri, ignore)] // 65,535 allocations; the small pools cover the same code
fn the_largest_pool_indexes_65535_slots() {
    let mut alloc = Box::new(TinySlabAllocator::<{ 65_535 * 2 }, 65_535, Align2>::new());
    let handles: Vec<_> = (0..65_535).map(|_| alloc.alloc(b"").unwrap()).collect();
    assert_eq!(handles.last().unwrap().index(), 65_534);
    assert_eq!(alloc.alloc(b""), Err(AllocError::OutOfMemory));
    assert!(alloc.free(handles[65_534]));
    assert_eq!(alloc.alloc(b"").unwrap().index(), 65_534);
    assert_eq!(alloc.stats().high_water, 65_535);
}

/// Everything a slab holds but its two counters.
type State = (Vec<Slot>, u16, u16, u16, Vec<u8>);

fn state<const SIZE: usize, const SLOTS: usize, A: Alignment>(
    alloc: &TinySlabAllocator<SIZE, SLOTS, A>,
) -> State {
    (
        alloc.slots.to_vec(),
        alloc.free_head,
        alloc.fresh,
        alloc.in_use,
        alloc.storage.bytes.to_vec(),
    )
}

/// Runs `refusal` on the slab and checks that it moved one counter by one, or none,
/// and nothing else: no slot, link, byte or other counter.
fn changes_only_its_counter<const SIZE: usize, const SLOTS: usize, A: Alignment>(
    alloc: &mut TinySlabAllocator<SIZE, SLOTS, A>,
    (failed, rejected): (usize, usize),
    refusal: impl FnOnce(&mut TinySlabAllocator<SIZE, SLOTS, A>),
) {
    let (before, mut stats) = (state(alloc), alloc.stats());
    refusal(alloc);
    stats.failed_allocs += failed;
    stats.rejected_handles += rejected;
    assert_eq!(alloc.stats(), stats);
    assert!(state(alloc) == before, "a refusal changed the slab");
}

/// Fills the pool three times over (so slots come from `fresh`, then from the free
/// list at later generations), and on the full pool tries every refusal: too large,
/// out of memory, each handle freed or cleared so far, and indices past the last
/// slot. The blocks at index 0 and `SLOTS - 1` are freed first. On the emptied pool,
/// each slot's next handle, forged before the slot hands it out, is refused too.
fn refusals_change_nothing<const SIZE: usize, const SLOTS: usize, A: Alignment>() {
    let mut alloc = Box::new(TinySlabAllocator::<SIZE, SLOTS, A>::new());
    let block = TinySlabAllocator::<SIZE, SLOTS, A>::BLOCK_SIZE;
    let mut dead: Vec<Handle> = Vec::new();
    for round in 0..3u8 {
        let mut live = Vec::new();
        for i in 0..SLOTS {
            let (h, bytes) = alloc.alloc_uninit(block).unwrap();
            assert_eq!(
                bytes.as_ptr() as usize % A::ALIGN,
                0,
                "block {i} misaligned"
            );
            bytes.fill((i as u8).wrapping_add(round));
            live.push(h);
        }
        changes_only_its_counter(&mut alloc, (1, 0), |a| {
            assert!(matches!(
                a.alloc_uninit(block + 1),
                Err(AllocError::TooLarge { .. })
            ));
        });
        changes_only_its_counter(&mut alloc, (1, 0), |a| {
            assert_eq!(a.alloc(&[7]), Err(AllocError::OutOfMemory));
        });
        changes_only_its_counter(&mut alloc, (1, 0), |a| {
            assert_eq!(a.alloc_uninit(0).unwrap_err(), AllocError::OutOfMemory);
        });
        for &h in &dead {
            changes_only_its_counter(&mut alloc, (0, 1), |a| assert_eq!(a.get(h), None));
            changes_only_its_counter(&mut alloc, (0, 1), |a| assert_eq!(a.get_mut(h), None));
            changes_only_its_counter(&mut alloc, (0, 1), |a| assert!(!a.free(h)));
            changes_only_its_counter(&mut alloc, (0, 0), |a| assert!(!a.contains(h)));
        }
        for index in [SLOTS, SLOTS + 1, Handle::MAX_SLOTS - 1] {
            for generation in [0, 1, u16::MAX] {
                let Some(h) = Handle::new(index, generation) else {
                    continue;
                };
                changes_only_its_counter(&mut alloc, (0, 1), |a| assert_eq!(a.get(h), None));
                changes_only_its_counter(&mut alloc, (0, 1), |a| assert!(!a.free(h)));
            }
        }
        live.sort_by_key(|h| h.index());
        assert_eq!(live[0].index(), 0);
        assert_eq!(live[SLOTS - 1].index(), SLOTS - 1);
        let last = live.pop().unwrap();
        live.insert(1.min(live.len()), last);
        for &h in &live {
            assert!(alloc.free(h));
            dead.push(h);
        }
        let stats = alloc.stats();
        assert_eq!((stats.in_use, stats.high_water), (0, SLOTS));
        // Each slot is free at the generation it hands out next: a handle forged
        // with it meets the slot's free tag exactly, and is refused.
        let next: Vec<_> = live
            .iter()
            .map(|h| Handle::new(h.index(), h.generation().wrapping_add(1)).unwrap())
            .collect();
        for &h in &next {
            changes_only_its_counter(&mut alloc, (0, 1), |a| assert_eq!(a.get(h), None));
            changes_only_its_counter(&mut alloc, (0, 1), |a| assert_eq!(a.get_mut(h), None));
            changes_only_its_counter(&mut alloc, (0, 1), |a| assert!(!a.free(h)));
            changes_only_its_counter(&mut alloc, (0, 0), |a| assert!(!a.contains(h)));
        }
        // They are the handles handed out next, last freed first.
        for &h in next.iter().rev() {
            let (handed_out, _) = alloc.alloc_uninit(0).unwrap();
            assert_eq!(handed_out, h);
        }
        alloc.clear();
        dead.extend(next);
    }
}

#[test]
fn refusals_change_nothing_but_their_counter_in_any_shape() {
    // One slot, at the smallest block and at the largest alignment.
    refusals_change_nothing::<2, 1, Align1>();
    refusals_change_nothing::<4096, 1, Align4096>();
    // The largest block.
    refusals_change_nothing::<65_534, 1, Align2>();
    // Blocks exactly one alignment long.
    refusals_change_nothing::<64, 8, crate::align::Align8>();
    refusals_change_nothing::<{ 64 * 5 }, 5, Align64>();
    // Odd blocks: the free-list link sits unaligned.
    refusals_change_nothing::<21, 7, Align1>();
}

#[test]
fn works_through_the_trait_object() {
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let dynamic: &mut dyn Allocator = &mut alloc;
    let h = dynamic.alloc(b"dyn").unwrap();
    assert_eq!(dynamic.get(h), Some(&b"dyn"[..]));
    assert_eq!(
        (dynamic.block_size(), dynamic.capacity(), dynamic.len()),
        (32, 8, 1)
    );
    assert!(dynamic.free(h));
    assert!(dynamic.is_empty());
    assert_eq!(dynamic.stats().high_water, 1);
}

fn message(size: usize, slots: usize, align: usize) -> std::string::String {
    use std::string::ToString;
    check_config(size, slots, align)
        .unwrap_err()
        .message()
        .as_str()
        .to_string()
}

#[test]
fn config_check_names_every_mistake_and_the_fix() {
    assert!(check_config(1024, 32, 8).is_ok());
    assert_eq!(
        message(1024, 0, 8),
        "tinyalloc: SLOTS is 0; a pool needs at least one slot"
    );
    assert!(message(0, 32, 8).contains("SIZE is 0"));
    assert_eq!(
        message(1000, 32, 1),
        "tinyalloc: SIZE = 1000 is not a multiple of SLOTS = 32, so the blocks cannot all be \
         the same size; use SIZE = 992 (31-byte blocks) or SIZE = 1024 (32-byte blocks)"
    );
    assert_eq!(
        message(1000, 32, 8),
        "tinyalloc: SIZE = 1000 is not a multiple of SLOTS = 32, so the blocks cannot all be \
         the same size; blocks must also be a multiple of the 8-byte alignment, so use \
         SIZE = 768 (24-byte blocks) or SIZE = 1024 (32-byte blocks)"
    );
    assert!(message(20, 32, 1).ends_with("use SIZE = 64 (2-byte blocks)"));
    assert!(
        message(32, 32, 1)
            .contains("use SIZE = 64 (2-byte blocks) or a larger multiple of 32 for 32 slots")
    );
    assert!(
        message(32, 32, 8)
            .contains("use SIZE = 256 (8-byte blocks) or a larger multiple of 256 for 32 slots")
    );
    assert!(message(65_535 * 2, 2, 1).contains("blocks of 65535 bytes are above the 65534-byte"));
    assert!(message(65_536 * 2, 65_536, 2).contains("SLOTS = 65536 is more than the 65535"));
    assert_eq!(
        message(96, 8, 8),
        "tinyalloc: blocks of 12 bytes are not a multiple of the 8-byte alignment, so some \
         blocks would be misaligned; use 8-byte or 16-byte blocks, or an alignment of at most \
         4 (Align4)"
    );
    assert!(message(6, 2, 8).contains("use 8-byte blocks, or an alignment of at most 1 (Align1)"));
    assert!(message(65_532, 1, 8).contains("use 65528-byte blocks, or an alignment of at most 4"));
}

/// The sizes a configuration error suggests: each `SIZE = n` after its "use", and for
/// a misalignment each `n-byte` block size before "blocks, or", times `slots`.
fn suggested_sizes(text: &str, slots: usize) -> std::vec::Vec<usize> {
    let number = |word: &str| word.trim_end_matches("-byte").parse::<usize>().unwrap();
    let fixes = text.rsplit_once(" use ").unwrap().1;
    match fixes.split_once("blocks, or") {
        Some((blocks, _)) => blocks
            .split(' ')
            .filter(|word| word.ends_with("-byte"))
            .map(|word| number(word) * slots)
            .collect(),
        None => fixes
            .split("SIZE = ")
            .skip(1)
            .map(|rest| number(rest.split(' ').next().unwrap()))
            .collect(),
    }
}

#[test]
fn every_size_a_configuration_error_suggests_passes_the_check() {
    // Under Miri, which interprets every formatting step, every fourth alignment
    // (1, 16, 256, 4096): all thirteen took a minute and a half there.
    let (step, at_least) = if cfg!(miri) { (4, 150) } else { (1, 500) };
    let mut checked = 0;
    for slots in [1, 2, 3, 7, 32, 100, 4096, 65_535] {
        for shift in (0..=12).step_by(step) {
            let align = 1 << shift;
            for size in [
                1,
                20,
                31,
                32,
                96,
                1000,
                4097,
                65_532,
                65_535,
                200_001,
                1 << 20,
            ]
            .into_iter()
            .chain([
                slots,
                slots * 3,
                slots * 12,
                slots * 65_532,
                slots * 65_533 + 1,
            ]) {
                let Err(error) = check_config(size, slots, align) else {
                    continue;
                };
                let text = error.message();
                let text = text.as_str();
                assert!(text.len() < 320, "cut off: {text}");
                if !text.contains(" use SIZE") && !text.contains("-byte blocks, or") {
                    continue;
                }
                let sizes = suggested_sizes(text, slots);
                assert!(!sizes.is_empty(), "no size in: {text}");
                for suggested in sizes {
                    assert_eq!(
                        check_config(suggested, slots, align),
                        Ok(()),
                        "SIZE = {size}, SLOTS = {slots}, align {align}: {text}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > at_least, "only {checked} suggestions checked");
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> TinySlabAllocator<SIZE, SLOTS, A> {
    /// Writes the free-list link of the block at `index` (not its slot number).
    fn write_link_for_test(&mut self, index: usize, link: u16) {
        assert!(index < SLOTS);
        // SAFETY: checked just above: the slot number `index + 1` is at most `SLOTS`.
        unsafe { self.write_link(index + 1, link) }
    }
}

#[test]
fn iter_yields_exactly_the_live_blocks_in_slot_order() {
    let mut slab = TinySlabAllocator::<256, 16>::new();
    assert_eq!(slab.iter().count(), 0);
    // The model: each live handle with the bytes written into it.
    let mut live: Vec<(Handle, Vec<u8>)> = Vec::new();
    let mut seed = 0x2545_f491u32;
    let steps = if cfg!(miri) { 200 } else { 5_000 };
    for step in 0..steps {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        match seed % 7 {
            0..=3 => {
                let bytes: Vec<u8> = (0..seed % 17).map(|i| (step + i) as u8).collect();
                if let Ok(handle) = slab.alloc(&bytes) {
                    live.push((handle, bytes));
                }
            }
            4 | 5 if !live.is_empty() => {
                let (handle, _) = live.swap_remove(seed as usize / 7 % live.len());
                assert!(slab.free(handle));
            }
            _ => {
                slab.clear();
                live.clear();
            }
        }
        let rejected = slab.stats().rejected_handles;
        let mut seen: Vec<(Handle, Vec<u8>)> = slab.iter().map(|(h, b)| (h, b.to_vec())).collect();
        assert!(
            seen.windows(2).all(|w| w[0].0.index() < w[1].0.index()),
            "step {step}: not in slot order"
        );
        seen.sort_by_key(|(h, _)| h.index());
        live.sort_by_key(|(h, _)| h.index());
        assert_eq!(seen, live, "step {step}");
        assert_eq!((&slab).into_iter().count(), slab.len());
        assert_eq!(
            slab.stats().rejected_handles,
            rejected,
            "iter counted a rejection"
        );
    }
}

#[test]
fn retain_frees_what_it_is_told_to_and_keeps_the_changes_to_the_rest() {
    let mut slab = TinySlabAllocator::<256, 8>::new();
    let handles: Vec<Handle> = (0..6u8).map(|i| slab.alloc(&[i; 3]).unwrap()).collect();
    slab.free(handles[1]);
    let mut visited = Vec::new();
    slab.retain(|handle, bytes| {
        visited.push(handle);
        bytes[2] = 9;
        bytes[0] % 2 == 0
    });
    // Slot 1 was free: the others are visited once each, in order.
    assert_eq!(
        visited,
        [handles[0], handles[2], handles[3], handles[4], handles[5]]
    );
    assert_eq!(slab.len(), 3);
    for (i, &handle) in handles.iter().enumerate() {
        match slab.get(handle) {
            Some(bytes) => assert_eq!(bytes, [i as u8, i as u8, 9]),
            None => assert!(i % 2 == 1),
        }
    }
    let stats = slab.stats();
    // Three `get`s of freed handles just now, none from `retain`.
    assert_eq!(stats.rejected_handles, 3);
    // The freed slots are handed out again.
    assert!(slab.alloc(b"again").is_ok());
}

#[test]
fn iter_size_hint_bounds_what_is_left() {
    let mut slab = TinySlabAllocator::<256, 8>::new();
    let handles: Vec<Handle> = (0..5u8).map(|i| slab.alloc(&[i]).unwrap()).collect();
    slab.free(handles[0]);
    let mut iter = slab.iter();
    assert_eq!(iter.size_hint(), (0, Some(4)));
    assert_eq!(iter.next().map(|(h, _)| h), Some(handles[1]));
    let (low, high) = iter.size_hint();
    assert!(low <= 3 && high >= Some(3));
    assert_eq!(iter.clone().count(), 3);
    assert_eq!(iter.by_ref().count(), 3);
    assert_eq!(iter.next(), None);
    assert_eq!(iter.size_hint(), (0, Some(0)));
}

#[test]
fn debug_shows_the_configuration_and_the_counters() {
    use std::format;
    let mut alloc = TinySlabAllocator::<1024, 16, Align64>::new();
    let h = alloc.alloc(b"x").unwrap();
    let shown = format!("{alloc:?}");
    for part in ["block_size: 64", "align: 64", "in_use: 1", "high_water: 1"] {
        assert!(shown.contains(part), "{shown} lacks {part}");
    }
    let mut live = alloc.iter();
    assert!(format!("{live:?}").contains("next_slot: 0"));
    assert_eq!(live.next().map(|(handle, _)| handle), Some(h));
    assert!(format!("{live:?}").contains("next_slot: 1"));
}
