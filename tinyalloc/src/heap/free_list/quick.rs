//! The quick slots: the last two blocks freed of each size from 16 to 512 bytes wait
//! in the engine's state, unmerged, for the next request of exactly that size.
//!
//! A program mostly asks again for the sizes it has just given back, and for those
//! sizes the slots skip the whole free-list path: no neighbour test, no merge, no
//! list to file on, no size class to split from. To the rest of the engine a waiting
//! block is still allocated (its side bits and neighbours are as they were while it
//! was live), so it is merged simply by freeing it for real, which [`flush`] does to
//! every waiting block when a request would otherwise fail and when the last live
//! block is freed, and [`unquick`] does to one that a `realloc` wants to grow into.
//!
//! [`flush`]: FreeList::flush
//! [`unquick`]: FreeList::unquick

use super::lists::{Mem, cold};
use super::{FreeList, GRANULE, MIN_BLOCK, SIZE};

/// The largest block size that waits in a quick slot.
pub(super) const QUICK_LIMIT: usize = 512;
/// Sizes with slots: every multiple of 8 from 16 to [`QUICK_LIMIT`].
pub(super) const QUICK_SIZES: usize = (QUICK_LIMIT - MIN_BLOCK) / GRANULE + 1;
/// The most blocks that wait at once.
pub(super) const MAX_WAITING: usize = QUICK_SIZES * 2;

/// The two slots of one size: the most recently freed block first, 0 for none (a
/// block never starts at offset 0, where the class heads are); the second is empty
/// whenever the first is.
pub(super) type Slots = [u32; 2];

/// The slots of blocks of `size` bytes.
///
/// # Safety
/// `size` is a multiple of 8 from 16 to [`QUICK_LIMIT`]: the compiler cannot see the
/// lower bound through `block_size`'s rounding, and a check would cost an instruction
/// on every allocation and free.
#[inline(always)]
unsafe fn slot(quick: &mut [Slots; QUICK_SIZES], size: usize) -> &mut Slots {
    debug_assert!((MIN_BLOCK..=QUICK_LIMIT).contains(&size) && size.is_multiple_of(GRANULE));
    // SAFETY: `(size - 16) / 8 < QUICK_SIZES` for such a size, by the caller.
    unsafe { quick.get_unchecked_mut((size - MIN_BLOCK) / GRANULE) }
}

/// The size of the blocks in the slots at `index`.
const fn size_at(index: usize) -> usize {
    MIN_BLOCK + index * GRANULE
}

impl FreeList {
    /// A waiting block of exactly `want` bytes, taken out of its slot, if one waits.
    ///
    /// # Safety
    /// `want` is a multiple of 8 from 16 to [`QUICK_LIMIT`].
    #[inline(always)]
    pub(super) unsafe fn take_quick(&mut self, want: usize) -> Option<usize> {
        // SAFETY: the caller's contract.
        let slot = unsafe { slot(&mut self.quick, want) };
        let off = slot[0] as usize;
        if off == 0 {
            return None;
        }
        slot[0] = slot[1];
        slot[1] = 0;
        self.waiting -= 1;
        Some(off)
    }

    /// Keeps the freed block `[off, off + size)` in a slot of its size; `false` when
    /// both are taken (the caller frees it for real).
    ///
    /// # Safety
    /// `size` is a multiple of 8 from 16 to [`QUICK_LIMIT`].
    #[inline(always)]
    pub(super) unsafe fn keep_quick(&mut self, off: usize, size: usize) -> bool {
        // SAFETY: the caller's contract.
        let slot = unsafe { slot(&mut self.quick, size) };
        if slot[1] != 0 {
            return false;
        }
        slot[1] = slot[0];
        slot[0] = off as u32;
        self.waiting += 1;
        true
    }

    /// Frees every waiting block for real, merging each with its free neighbours;
    /// whether there was any.
    ///
    /// # Safety
    /// The engine is set up over the arena `m` points into.
    #[inline(never)]
    pub(super) unsafe fn flush(&mut self, m: Mem) -> bool {
        if self.waiting == 0 {
            return false;
        }
        self.waiting = 0;
        for index in 0..QUICK_SIZES {
            for depth in 0..2 {
                let off = core::mem::take(&mut self.quick[index][depth]) as usize;
                if off != 0 {
                    // SAFETY: a waiting block is a block of its slot's size that the
                    // engine handed out and got back, which the rest of it still
                    // counts as allocated; it is in no slot now.
                    unsafe { self.release(m, off, size_at(index)) };
                }
            }
        }
        true
    }

    /// Frees the last live block `[off, off + size)` and every waiting block for
    /// real: the heap is one free block again.
    ///
    /// # Safety
    /// As for [`release`](Self::release).
    #[inline(never)]
    pub(super) unsafe fn release_last(&mut self, m: Mem, off: usize, size: usize) {
        cold();
        // SAFETY: the caller's contract.
        unsafe { self.release(m, off, size) };
        // SAFETY: as above: the engine is set up over `m`'s arena.
        unsafe { self.flush(m) };
    }

    /// Frees for real the waiting block that starts at `off`, if one does; whether
    /// one did.
    ///
    /// # Safety
    /// The engine is set up over the arena `m` points into.
    pub(super) unsafe fn unquick(&mut self, m: Mem, off: usize) -> bool {
        for index in 0..QUICK_SIZES {
            let slot = &mut self.quick[index];
            for depth in 0..2 {
                if slot[depth] as usize == off {
                    slot[depth] = 0;
                    // Keep the second slot empty whenever the first is.
                    slot.swap(depth, 1);
                    self.waiting -= 1;
                    // SAFETY: as in `flush`, for the block just taken out of its slot.
                    unsafe { self.release(m, off, size_at(index)) };
                    return true;
                }
            }
        }
        false
    }

    /// The waiting blocks as `(offset, size)`, in address order, and how many.
    pub(super) fn waiting_by_address(&self) -> ([(usize, usize); MAX_WAITING], usize) {
        let mut sorted = [(0, 0); MAX_WAITING];
        let mut count = 0;
        for (index, slot) in self.quick.iter().enumerate() {
            for &off in slot.iter().filter(|&&off| off != 0) {
                let off = off as usize;
                // Insertion: at most `MAX_WAITING` blocks, and far less code on a
                // microcontroller than a general sort.
                let mut at = count;
                while at > 0 && sorted[at - 1].0 > off {
                    sorted[at] = sorted[at - 1];
                    at -= 1;
                }
                sorted[at] = (off, size_at(index));
                count += 1;
            }
        }
        (sorted, count)
    }

    /// The largest free block that merging the waiting blocks would make: each
    /// waiting block with the free blocks on either side of it, joined with the
    /// waiting blocks those touch.
    ///
    /// # Safety
    /// The engine is set up over the arena `m` points into, and its bookkeeping is
    /// whole.
    pub(super) unsafe fn largest_merged(&self, m: Mem) -> usize {
        let (sorted, count) = self.waiting_by_address();
        let mut largest = 0;
        // The run of touching free and waiting memory being measured.
        let (mut start, mut stop) = (0, 0);
        for &(off, size) in &sorted[..count] {
            // A waiting block is live to the engine, so (as for any live block) the
            // side bit of its start says a free block ends there, the bit of its end
            // that one starts there.
            let end = off + size;
            // SAFETY: the block lies in the heap; its ends have side bits.
            let low = if unsafe { m.bit(off) } {
                // SAFETY: a free block ends at `off`; its footer holds its size.
                off - unsafe { m.footer(off) }
            } else {
                off
            };
            // SAFETY: as above.
            let high = if unsafe { m.bit(end) } {
                // SAFETY: a free block starts at `end`; it holds its size.
                end + unsafe { m.get(end, SIZE) }
            } else {
                end
            };
            // Blocks come in address order, so a run goes on while each starts
            // where the last one's free neighbour ends (offsets are never 0).
            if low > stop {
                start = low;
            }
            stop = high;
            largest = largest.max(stop - start);
        }
        largest
    }
}
