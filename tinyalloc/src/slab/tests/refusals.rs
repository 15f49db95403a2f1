//! A refusal of any kind changes nothing but its counter, through the trait object too.

use super::*;

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
