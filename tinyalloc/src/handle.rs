//! [`Handle`]: the 4-byte name of a block in a slab pool.

use core::fmt;
use core::num::NonZeroU32;

/// A generation-checked reference to one block of a slab pool.
///
/// A handle is a slot index plus the slot's generation when the block was handed
/// out. Freeing the block bumps the generation, so every handle taken before the
/// free is *stale*: the pool answers it with `None` (or `false`) and counts it in
/// [`Stats::rejected_handles`](crate::Stats::rejected_handles), whatever the block
/// holds now.
///
/// It is 4 bytes, `Copy`, and has a niche, so `Option<Handle>` is 4 bytes too.
///
/// # Generations and their wrap
///
/// The generation is 16 bits wide and counts the frees of its slot. A stale handle is
/// rejected for the next 65,535 reuses of its slot; on the 65,536th reuse the
/// generation has come round to the same value and a handle kept that long would
/// name the new block again. Slots are never retired: a pool that recycles the same
/// block forever keeps working. Keep handles for shorter than 65,536 reuses of their
/// block, or check them against your own data. A pool hands out the block freed last
/// first, so a program that takes and frees one block at a time reuses the same slot
/// each time: there a handle kept over 65,536 allocations can name a new block,
/// however many slots the pool has.
///
/// # Handles given to another pool
///
/// A handle does not name its pool, but each pool starts its slots at its own
/// generation, drawn from a counter shared by every pool of the program when it
/// first hands out a block: the first 65,536 pools to do so start at different
/// generations (statics, pools made one after another in a loop or a constructor at
/// one address, a pool made anew in place of an old one), and pools that drew fewer
/// than 10 draws apart are at least 3,656 generations apart. A handle given to
/// another pool is checked against that pool's slot like any other and refused,
/// unless that slot has been reused exactly as many more times as the pools' starts
/// differ by: a coincidence to make rare, not a guarantee to build on. Memory safety
/// never depends on it. (The generations a handle shows are therefore not counts
/// from 0.) A clone of a `TinySlabAllocator` is the exception by design: it is a
/// copy, and takes the original's handles. On a Cortex-M0 or M0+, which has no atomic
/// add, the draw is a load and a store: a pool that an interrupt handler makes and
/// first uses in the middle of another pool's first allocation can draw the same
/// start.
///
/// ```
/// use tinyalloc::prelude::*;
///
/// let mut pools = [TinySlabAllocator::<256, 8>::new(), TinySlabAllocator::<256, 8>::new()];
/// let [rx, tx] = &mut pools;
/// let frame = rx.alloc(b"rx").unwrap();
/// let other = tx.alloc(b"tx").unwrap(); // the same slot index in the other pool
/// assert_eq!(frame.index(), other.index());
/// assert_eq!(tx.get(frame), None); // refused: another pool's generation
/// assert!(!tx.free(frame));
/// assert_eq!(tx.get(other), Some(&b"tx"[..]));
/// ```
///
/// ```
/// use tinyalloc::prelude::*;
///
/// let mut pool = TinySlabAllocator::<256, 8>::new();
/// let handle = pool.alloc(b"abc").unwrap();
/// assert_eq!(core::mem::size_of::<Handle>(), 4);
/// assert_eq!(core::mem::size_of::<Option<Handle>>(), 4);
/// assert!(pool.free(handle));
/// assert_eq!(pool.get(handle), None); // stale
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[must_use = "a block is freed only through its handle: dropping the handle leaves the block in use until the pool is cleared"]
pub struct Handle {
    /// The generation in the high half, `index + 1` in the low half (never 0). One
    /// word, so a handle moves in one register and compares in one instruction.
    bits: NonZeroU32,
}

impl Handle {
    /// The largest number of slots a handle can index (indices `0..65_535`).
    pub const MAX_SLOTS: usize = u16::MAX as usize;

    /// Builds a handle from a slot index and a generation; `None` when `index` is
    /// 65,535 or more. Pools make handles; this is for code that stores them in
    /// another form (see also [`from_bits`](Self::from_bits)).
    #[inline]
    pub const fn new(index: usize, generation: u16) -> Option<Self> {
        if index >= Self::MAX_SLOTS {
            return None;
        }
        Handle::from_bits(((generation as u32) << 16) | (index as u32 + 1))
    }

    /// The handle with bits `bits` (see [`to_bits`](Self::to_bits)), for a pool that
    /// keeps handles in that form.
    ///
    /// # Safety
    /// The low half of `bits` is not zero: [`slot_number`](Self::slot_number) tells the
    /// compiler so, and pools index with it.
    #[cfg(feature = "tinyslab")]
    #[inline]
    pub(crate) const unsafe fn from_bits_unchecked(bits: u32) -> Self {
        debug_assert!(bits & 0xFFFF != 0);
        // SAFETY: the caller's low half is not zero, so neither is `bits`.
        let bits = unsafe { NonZeroU32::new_unchecked(bits) };
        Handle { bits }
    }

    /// The slot index this handle names.
    #[inline]
    pub const fn index(self) -> usize {
        self.slot_number() - 1
    }

    /// The slot index plus one: the low half, from 1 to `MAX_SLOTS`.
    #[inline]
    pub(crate) const fn slot_number(self) -> usize {
        let number = (self.bits.get() & 0xFFFF) as usize;
        // SAFETY: every constructor refuses a zero low half (`from_bits` checks it,
        // `new` adds one to an index, `from_bits_unchecked` requires it), and the field
        // is private, so no handle has one. Telling the compiler lets a pool test `index < SLOTS`
        // as `number <= SLOTS`, without computing the index first.
        unsafe { core::hint::assert_unchecked(number != 0) };
        number
    }

    /// The generation of the slot when this handle was made.
    #[inline]
    pub const fn generation(self) -> u16 {
        (self.bits.get() >> 16) as u16
    }

    /// The handle as one `u32` (generation in the high half, `index + 1` in the low
    /// half), for storing it in a register, a message or a C struct.
    #[inline]
    pub const fn to_bits(self) -> u32 {
        self.bits.get()
    }

    /// The inverse of [`to_bits`](Self::to_bits); `None` when the low half is zero.
    ///
    /// Any other `u32` makes a handle: pools check every handle they are given, so a
    /// forged one is rejected like a stale one unless it names a live block exactly.
    #[inline]
    pub const fn from_bits(bits: u32) -> Option<Self> {
        if bits & 0xFFFF == 0 {
            return None;
        }
        match NonZeroU32::new(bits) {
            Some(bits) => Some(Handle { bits }),
            None => None,
        }
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("index", &self.index())
            .field("generation", &self.generation())
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Handle {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "Handle {{ index: {=usize}, generation: {=u16} }}",
            self.index(),
            self.generation()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_four_bytes_with_a_niche() {
        assert_eq!(core::mem::size_of::<Handle>(), 4);
        assert_eq!(core::mem::size_of::<Option<Handle>>(), 4);
    }

    #[test]
    fn index_and_generation_round_trip() {
        for (index, generation) in [(0, 0), (1, 7), (65_534, u16::MAX), (300, 1)] {
            let h = Handle::new(index, generation).unwrap();
            assert_eq!(h.index(), index);
            assert_eq!(h.generation(), generation);
            assert_eq!(Handle::from_bits(h.to_bits()), Some(h));
        }
        assert_eq!(Handle::new(65_535, 0), None);
        assert_eq!(Handle::from_bits(0xABCD_0000), None);
    }

    #[test]
    fn debug_names_index_and_generation() {
        let h = Handle::new(3, 9).unwrap();
        extern crate std;
        assert_eq!(std::format!("{h:?}"), "Handle { index: 3, generation: 9 }");
    }
}
