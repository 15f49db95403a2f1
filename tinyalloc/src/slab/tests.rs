//! The slab engine's unit tests, one file per topic, and the helpers they share.

extern crate std;

use std::boxed::Box;
use std::vec::Vec;

use super::start::SPREAD;
use super::*;
use crate::align::{Align1, Align2, Align64, Align4096};

mod blocks;
mod config;
mod handles;
mod iter;
mod layout;
mod refusals;

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

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> TinySlabAllocator<SIZE, SLOTS, A> {
    /// Writes the free-list link of the block at `index` (not its slot number).
    fn write_link_for_test(&mut self, index: usize, link: u16) {
        assert!(index < SLOTS);
        // SAFETY: checked just above: the slot number `index + 1` is at most `SLOTS`.
        unsafe { self.write_link(index + 1, link) }
    }
}
