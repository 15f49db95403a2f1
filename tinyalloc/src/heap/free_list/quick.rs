//! The quick slots: the last two blocks freed of each size from 16 to 512 bytes wait
//! in the engine's state, unmerged, for the next request of exactly that size.
//!
//! A program mostly asks again for the sizes it has just given back, and for those
//! sizes the slots skip the whole free-list path: no neighbour test, no merge, no
//! list to file on, no size class to split from. To the rest of the engine a waiting
//! block is still allocated (its side bits and neighbours are as they were while it
//! was live), so it is merged simply by freeing it for real, which [`flush`] does to
//! every waiting block when a request would otherwise fail and when the last live
//! block is freed, and [`unquick`] and [`unquick_ending`] do to one that a `realloc`
//! wants to grow or shrink into.
//!
//! [`flush`]: FreeList::flush
//! [`unquick`]: FreeList::unquick
//! [`unquick_ending`]: FreeList::unquick_ending

use super::lists::Mem;
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
    #[cold]
    #[inline(never)]
    pub(super) unsafe fn release_last(&mut self, m: Mem, off: usize, size: usize) {
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
        // SAFETY: the caller's contract.
        unsafe { self.unquick_where(m, |start, _| start == off) }
    }

    /// Frees for real the waiting block that ends at `end`, if one does; whether one
    /// did.
    ///
    /// # Safety
    /// The engine is set up over the arena `m` points into.
    pub(super) unsafe fn unquick_ending(&mut self, m: Mem, end: usize) -> bool {
        // SAFETY: the caller's contract.
        unsafe { self.unquick_where(m, |start, size| start + size == end) }
    }

    /// Frees for real the first waiting block `[start, start + size)` for which
    /// `is_it(start, size)` holds; whether there was one.
    ///
    /// # Safety
    /// The engine is set up over the arena `m` points into.
    unsafe fn unquick_where(&mut self, m: Mem, is_it: impl Fn(usize, usize) -> bool) -> bool {
        // Nothing waits: no need to look through all 126 slots.
        if self.waiting == 0 {
            return false;
        }
        for index in 0..QUICK_SIZES {
            let slot = &mut self.quick[index];
            for depth in 0..2 {
                let off = slot[depth] as usize;
                if off != 0 && is_it(off, size_at(index)) {
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

    /// The waiting blocks in address order.
    pub(super) fn waiting_by_address(&self) -> ByAddress<'_> {
        let mut sorted = ByAddress {
            quick: self.quick.as_flattened(),
            order: [0; MAX_WAITING],
            len: 0,
        };
        let quick = sorted.quick;
        let occupied = (0..MAX_WAITING).filter(|&slot| offset_in(quick, slot) != 0);
        for (entry, slot) in sorted.order.iter_mut().zip(occupied) {
            *entry = slot as u8;
            sorted.len += 1;
        }
        sorted.sort();
        sorted
    }

    /// The largest free block that merging the waiting blocks would make: each
    /// waiting block with the free blocks on either side of it, joined with the
    /// waiting blocks those touch.
    ///
    /// # Safety
    /// The engine is set up over the arena `m` points into, and its bookkeeping is
    /// whole.
    pub(super) unsafe fn largest_merged(&self, m: Mem) -> usize {
        let mut largest = 0;
        // The run of touching free and waiting memory being measured.
        let (mut start, mut stop) = (0, 0);
        for (off, size) in self.waiting_by_address().iter() {
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

/// The waiting blocks in address order, each named by its slot (`2 × size index +
/// depth`, its index in the flattened slots), so the order takes a byte a block on
/// the stack.
pub(super) struct ByAddress<'a> {
    quick: &'a [u32],
    order: [u8; MAX_WAITING],
    len: usize,
}

impl ByAddress<'_> {
    /// The offset of the block in slot `slot`; 0 when the slot is empty.
    #[inline(always)]
    fn offset(&self, slot: usize) -> usize {
        offset_in(self.quick, slot)
    }

    /// The block in slot `slot` as `(offset, size)`; offset 0 when the slot is empty.
    #[inline]
    fn block(&self, slot: usize) -> (usize, usize) {
        (self.offset(slot), size_at(slot / 2))
    }

    /// Sorts `order[..len]` by offset: a heapsort, so that `stats()` and `verify()`
    /// stay O(n log n) with every slot full (an insertion sort took over 200,000
    /// x86_64 instructions with all 126 blocks in reverse order, this about 30,000)
    /// for 128 bytes more of Cortex-M code.
    fn sort(&mut self) {
        let quick = self.quick;
        let key = |slot: u8| offset_in(quick, usize::from(slot));
        let len = self.len;
        let order = self.order.get_mut(..len).unwrap_or_default();
        for root in (0..order.len() / 2).rev() {
            sift_down(order, root, key);
        }
        // Move the heap's top (the highest offset left) behind what is still a heap,
        // which then shrinks by one. Slice patterns rather than indices: no panic path.
        let mut unsorted = order;
        while let Some((last, rest)) = core::mem::take(&mut unsorted).split_last_mut() {
            let Some(top) = rest.first_mut() else {
                break;
            };
            core::mem::swap(top, last);
            sift_down(rest, 0, key);
            unsorted = rest;
        }
    }

    /// The slots of the waiting blocks, in address order once sorted.
    #[inline]
    fn sorted(&self) -> &[u8] {
        // `len` never passes the array's length; `get` says so without a panic path.
        self.order.get(..self.len).unwrap_or_default()
    }

    /// How many blocks wait.
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The `i`-th waiting block by address, as `(offset, size)`.
    #[inline]
    pub(super) fn get(&self, i: usize) -> (usize, usize) {
        // `i` is below `len`; `get` keeps both the panic path and (on a Cortex-M0) the
        // division routine of `% MAX_WAITING` out.
        let slot = self.order.get(i).copied().unwrap_or(0);
        self.block(usize::from(slot))
    }

    /// Every waiting block by address, as `(offset, size)`.
    #[inline]
    pub(super) fn iter(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.len).map(|i| self.get(i))
    }

    /// The offset of the first waiting block that ends after `off`, if it starts
    /// before `stop`: one that overlaps `[off, stop)`, as the blocks do not overlap
    /// one another.
    #[inline]
    pub(super) fn overlapping(&self, off: usize, stop: usize) -> Option<usize> {
        let after = self.sorted().partition_point(|&slot| {
            let (w, size) = self.block(usize::from(slot));
            w + size <= off
        });
        (after < self.len)
            .then(|| self.get(after).0)
            .filter(|&w| w < stop)
    }
}

/// The offset of the block in slot `slot` of the flattened slots; 0 when it is empty.
#[inline(always)]
fn offset_in(quick: &[u32], slot: usize) -> usize {
    quick.get(slot).map_or(0, |&off| off as usize)
}

/// Moves `heap[root]` down the max-heap `heap` (ordered by `key`) to its place.
fn sift_down(heap: &mut [u8], mut root: usize, key: impl Fn(u8) -> usize) {
    let Some(&item) = heap.get(root) else {
        return;
    };
    let item_key = key(item);
    loop {
        let mut child = 2 * root + 1;
        let Some(&left) = heap.get(child) else {
            break;
        };
        let (mut top, mut top_key) = (left, key(left));
        if let Some(&right) = heap.get(child + 1) {
            let right_key = key(right);
            if right_key > top_key {
                child += 1;
                (top, top_key) = (right, right_key);
            }
        }
        if item_key >= top_key {
            break;
        }
        // `root` and `child` are in bounds (both were read above); `get_mut` says so
        // without the panic path indexing would leave in the allocator.
        if let Some(place) = heap.get_mut(root) {
            *place = top;
        }
        root = child;
    }
    if let Some(place) = heap.get_mut(root) {
        *place = item;
    }
}
