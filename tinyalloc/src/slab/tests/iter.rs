//! `iter`, `retain` and `Debug`.

use super::*;

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
