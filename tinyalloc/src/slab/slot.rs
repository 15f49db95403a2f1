//! [`Slot`]: the 4-byte word that says whether a block is live, at which generation,
//! and how long its allocation is.

use crate::handle::Handle;

/// What a free slot's tag is in place of a length: no allocation is this long
/// (`MAX_BLOCK_SIZE` is one less).
pub(super) const FREE: u32 = 0xFFFF;

/// Per-slot metadata, one 4-byte word: `tag - handle` (wrapping), where `handle` is
/// the bits of the slot's handle of its current generation and `tag` is the length of
/// the live allocation, or [`FREE`] when the slot is free.
///
/// Adding the bits of a handle for this slot gives back the tag exactly when the
/// handle is of the current generation; for any other generation the sum is the tag
/// plus a nonzero multiple of 0x1_0000 (the handles differ in the high half only), so
/// at least 0x1_0000. One add from memory and one compare answer `get`, and give the
/// length. A slot freed through `handle` holds `FREE - (handle + 0x1_0000)`, which is
/// `!handle`.
///
/// A slot never handed out is all zeroes (so `new()` is), which is no free slot's word
/// and would read as live: the pool never looks at one, as it takes a slot number only
/// up to `fresh` (see `TinySlabAllocator::live_len`).
#[derive(Clone, Copy)]
#[cfg_attr(test, derive(Debug, PartialEq, Eq))]
pub(super) struct Slot {
    word: u32,
}

impl Slot {
    pub(super) const UNUSED: Slot = Slot { word: 0 };

    /// The live slot named by the handle with bits `handle`, holding `len` bytes
    /// (`len <= MAX_BLOCK_SIZE`).
    #[inline]
    pub(super) const fn live(handle: u32, len: usize) -> Slot {
        Slot {
            word: (len as u32).wrapping_sub(handle),
        }
    }

    /// The free slot that follows the live one `handle` names: the next generation
    /// (wrapping from 65,535 to 0).
    #[inline]
    pub(super) const fn freed(handle: u32) -> Slot {
        // `FREE` minus the next generation's handle, `handle + 0x1_0000` (a carry out
        // of 32 bits wraps the generation from 65,535 to 0): `!handle`.
        Slot { word: !handle }
    }

    /// The length of the allocation if the slot is live and `handle`, which names this
    /// slot, is of its current generation.
    #[inline]
    pub(super) fn live_len(self, handle: Handle) -> Option<usize> {
        let tag = self.word.wrapping_add(handle.to_bits());
        (tag < FREE).then_some(tag as usize)
    }

    /// The bits of the handle this free slot hands out next (its current generation).
    #[inline]
    pub(super) const fn next_handle(self) -> u32 {
        FREE.wrapping_sub(self.word)
    }

    /// The bits of the handle of slot `number`, one ever handed out, if it is live.
    #[inline]
    pub(super) const fn live_handle(self, number: usize) -> Option<u32> {
        // Its handle's low half is `number`, and the tag fits in 16 bits.
        let tag = self.word.wrapping_add(number as u32) & 0xFFFF;
        if tag == FREE {
            None
        } else {
            Some(tag.wrapping_sub(self.word))
        }
    }
}
