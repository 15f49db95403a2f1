//! The free list's arena view ([`Mem`]) and its list operations: file a free block
//! on its class list, take it off, move its node, and the searching slow path.

use core::ptr;

use super::classes::{class_of, fit_class, place};
use super::{FreeList, GRANULE, MIN_BLOCK, NIL, WORD_BITS, word_of};
use crate::heap::MAX_ARENA_SIZE;

/// Pointers into the arena for one operation.
#[derive(Clone, Copy)]
pub(super) struct Mem {
    pub(super) heap: *mut u8,
    pub(super) heads: *mut u32,
    pub(super) bits: *mut u32,
}

impl Mem {
    /// # Safety
    /// `off + 4` is within the heap and `off` is a multiple of 4.
    #[inline(always)]
    pub(super) unsafe fn get(self, off: u32) -> u32 {
        // SAFETY: in bounds and aligned (the heap is 16-aligned), by the caller.
        unsafe { self.heap.wrapping_add(off as usize).cast::<u32>().read() }
    }

    /// # Safety
    /// As for [`get`](Self::get), and the 4 bytes are free memory.
    #[inline(always)]
    pub(super) unsafe fn set(self, off: u32, value: u32) {
        // SAFETY: in bounds, aligned and free, by the caller.
        unsafe {
            self.heap
                .wrapping_add(off as usize)
                .cast::<u32>()
                .write(value)
        }
    }

    /// # Safety
    /// `class` is below the engine's class count.
    #[inline(always)]
    pub(super) unsafe fn head(self, class: usize) -> u32 {
        // SAFETY: the heads array has one `u32` per class, by the caller.
        unsafe { self.heads.wrapping_add(class).read() }
    }

    /// # Safety
    /// `class` is below the engine's class count.
    #[inline(always)]
    pub(super) unsafe fn set_head(self, class: usize, off: u32) {
        // SAFETY: as in `head`.
        unsafe { self.heads.wrapping_add(class).write(off) }
    }

    /// # Safety
    /// `pair` is below `heap_len / 16`.
    #[inline(always)]
    pub(super) unsafe fn bit(self, pair: u32) -> bool {
        // SAFETY: the bitmap has a bit for every pair of the heap, by the caller.
        let word = unsafe { self.bits.wrapping_add((pair >> 5) as usize).read() };
        word & (1 << (pair & 31)) != 0
    }

    /// # Safety
    /// As for [`bit`](Self::bit).
    #[inline(always)]
    pub(super) unsafe fn set_bit(self, pair: u32) {
        let word = self.bits.wrapping_add((pair >> 5) as usize);
        // SAFETY: as in `bit`.
        unsafe { *word |= 1 << (pair & 31) };
    }

    /// # Safety
    /// As for [`bit`](Self::bit).
    #[inline(always)]
    pub(super) unsafe fn clear_bit(self, pair: u32) {
        let word = self.bits.wrapping_add((pair >> 5) as usize);
        // SAFETY: as in `bit`.
        unsafe { *word &= !(1 << (pair & 31)) };
    }
}

impl FreeList {
    #[inline(always)]
    pub(super) fn mem(&self, base: *mut u8) -> Mem {
        Mem {
            heap: base.wrapping_add(self.heap_off as usize),
            heads: base.cast(),
            bits: base.wrapping_add(self.bits_off as usize).cast(),
        }
    }

    #[inline(always)]
    pub(super) fn is_marked(&self, class: usize) -> bool {
        self.nonempty[word_of(class)] & (1 << (class % WORD_BITS)) != 0
    }

    /// The first non-empty class at or above `from`.
    #[inline(always)]
    pub(super) fn first_nonempty(&self, from: usize) -> Option<usize> {
        let mut word = from / WORD_BITS;
        let mut bits = *self.nonempty.get(word)? & (usize::MAX << (from % WORD_BITS));
        loop {
            if bits != 0 {
                return Some(word * WORD_BITS + bits.trailing_zeros() as usize);
            }
            word += 1;
            bits = *self.nonempty.get(word)?;
        }
    }

    /// Files the free block `[off, off + size)` on the list of `class` (its class)
    /// with its header and footer. The side bits are the caller's.
    ///
    /// # Safety
    /// The block is free memory inside the heap, at least 16 bytes, a multiple of 8.
    #[inline(always)]
    pub(super) unsafe fn attach(&mut self, m: Mem, off: u32, size: u32, class: usize) {
        // SAFETY: `class = class_of(size) < classes` for any size within the heap;
        // heads are NIL or a filed block.
        let head = unsafe { m.head(class) };
        // SAFETY: the block is free, at least 16 bytes, inside the heap.
        unsafe { m.set(off, size) };
        // SAFETY: as above.
        unsafe { m.set(off + 4, head) };
        // SAFETY: as above.
        unsafe { m.set(off + 8, NIL) };
        // SAFETY: as above.
        unsafe { m.set(off + size - 4, size) };
        if head != NIL {
            // SAFETY: `head` is the first block of a list: a free block in the heap.
            unsafe { m.set(head + 8, off) };
        } else {
            self.nonempty[word_of(class)] |= 1 << (class % WORD_BITS);
        }
        // SAFETY: `class < classes`, as above.
        unsafe { m.set_head(class, off) };
    }

    /// Takes the filed free block at `off` off its list. `class` gives its class; it
    /// is only called when the block heads its list. The side bits are the caller's.
    ///
    /// # Safety
    /// The block is a filed free block of the class `class()` returns.
    #[inline(always)]
    pub(super) unsafe fn detach(&mut self, m: Mem, off: u32, class: impl FnOnce() -> usize) {
        // SAFETY: a filed free block holds its links at +4 and +8.
        let next = unsafe { m.get(off + 4) };
        // SAFETY: as above.
        let prev = unsafe { m.get(off + 8) };
        if prev != NIL {
            // SAFETY: `prev` is the filed free block before this one.
            unsafe { m.set(prev + 4, next) };
        } else {
            let class = class();
            // SAFETY: the block is filed in `class`, which is below `classes`.
            unsafe { m.set_head(class, next) };
            if next == NIL {
                self.nonempty[word_of(class)] &= !(1 << (class % WORD_BITS));
            }
        }
        if next != NIL {
            // SAFETY: `next` is the filed free block after this one.
            unsafe { m.set(next + 8, prev) };
        }
    }

    /// Moves the list node of the filed block at `old` to `new`, which now describes a
    /// free block of `size` bytes in the same class, `class`: the list keeps its order.
    ///
    /// # Safety
    /// `old` is filed in `class_of(size)`; `[new, new + size)` is free memory in the
    /// heap that covers the old block's links if they are still needed (they are read
    /// first).
    #[inline(always)]
    pub(super) unsafe fn move_node(&mut self, m: Mem, old: u32, new: u32, size: u32, class: usize) {
        // SAFETY: a filed free block holds its links at +4 and +8.
        let next = unsafe { m.get(old + 4) };
        // SAFETY: as above.
        let prev = unsafe { m.get(old + 8) };
        // SAFETY: the new block is free, at least 16 bytes, in the heap.
        unsafe { m.set(new, size) };
        // SAFETY: as above.
        unsafe { m.set(new + 4, next) };
        // SAFETY: as above.
        unsafe { m.set(new + 8, prev) };
        // SAFETY: as above.
        unsafe { m.set(new + size - 4, size) };
        if prev != NIL {
            // SAFETY: `prev` is the filed block before the old node.
            unsafe { m.set(prev + 4, new) };
        } else {
            // SAFETY: the block's class is below `classes`.
            unsafe { m.set_head(class, new) };
        }
        if next != NIL {
            // SAFETY: `next` is the filed block after the old node.
            unsafe { m.set(next + 8, new) };
        }
    }

    /// Files the free block `[off, off + size)` and sets its side bits.
    ///
    /// # Safety
    /// As for [`attach`](Self::attach), and neither neighbour is a free block.
    #[inline(always)]
    pub(super) unsafe fn push(&mut self, m: Mem, off: u32, size: u32) {
        // SAFETY: the caller's contract.
        unsafe { self.attach(m, off, size, class_of(size)) };
        // SAFETY: both granules are inside the heap, so their pairs have bits.
        unsafe { m.set_bit(off >> 4) };
        // SAFETY: as above.
        unsafe { m.set_bit((off + size - GRANULE) >> 4) };
    }

    /// Takes the filed free block `[off, off + size)` off its list and clears its
    /// side bits.
    ///
    /// # Safety
    /// The block is a filed free block of this size.
    #[inline(always)]
    pub(super) unsafe fn unlink(&mut self, m: Mem, off: u32, size: u32) {
        // SAFETY: the caller's contract.
        unsafe { self.detach(m, off, || class_of(size)) };
        // SAFETY: both granules are inside the heap.
        unsafe { m.clear_bit(off >> 4) };
        // SAFETY: as above.
        unsafe { m.clear_bit((off + size - GRANULE) >> 4) };
    }

    /// Serves `want` bytes at `at` from the filed free block `[off, off + size)`,
    /// filing what is left before and after.
    ///
    /// # Safety
    /// The block is filed and `at` came from [`place`] for it.
    #[inline(always)]
    pub(super) unsafe fn take(
        &mut self,
        m: Mem,
        off: u32,
        size: u32,
        at: u32,
        want: u32,
    ) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { self.unlink(m, off, size) };
        if at > off {
            // SAFETY: `place` left no gap of 8 bytes; the gap is free and its
            // neighbours are the allocation and an allocated block.
            unsafe { self.push(m, off, at - off) };
        }
        let end = at + want;
        if off + size > end {
            // SAFETY: as above, for the remainder after the allocation.
            unsafe { self.push(m, end, off + size - end) };
        }
        self.counters.allocated(want as usize);
        m.heap.wrapping_add(at as usize)
    }

    /// The slow path: over-aligned requests, and a heap too fragmented for the
    /// class search. Checks the head of every class that could serve the request,
    /// then walks their whole lists.
    #[cold]
    #[inline(never)]
    pub(super) fn alloc_searching(&mut self, m: Mem, want: u32, align: usize) -> *mut u8 {
        let quick = (want as usize)
            .saturating_add(align)
            .saturating_add(GRANULE as usize)
            .min(MAX_ARENA_SIZE);
        let mut class = fit_class(quick as u32);
        while let Some(found) = self.first_nonempty(class) {
            // SAFETY: a marked class has a filed head block.
            let off = unsafe { m.head(found) };
            // SAFETY: as above.
            let size = unsafe { m.get(off) };
            if let Some(at) = place(m.heap, off, size, want, align) {
                // SAFETY: filed block, `at` from `place`.
                return unsafe { self.take(m, off, size, at, want) };
            }
            class = found + 1;
        }
        let mut class = class_of(want);
        let limit = self.heap_len / MIN_BLOCK;
        while let Some(found) = self.first_nonempty(class) {
            // SAFETY: a marked class has a filed head block.
            let mut off = unsafe { m.head(found) };
            let mut steps = 0;
            while off != NIL && steps <= limit {
                // SAFETY: `off` is a filed free block.
                let size = unsafe { m.get(off) };
                if let Some(at) = place(m.heap, off, size, want, align) {
                    // SAFETY: filed block, `at` from `place`.
                    return unsafe { self.take(m, off, size, at, want) };
                }
                // SAFETY: as above.
                off = unsafe { m.get(off + 4) };
                steps += 1;
            }
            class = found + 1;
        }
        ptr::null_mut()
    }

    /// The size of the free block that starts at `off`, if one does.
    ///
    /// # Safety
    /// `off` is the end of a live allocation.
    #[inline(always)]
    pub(super) unsafe fn free_at(&self, m: Mem, off: u32) -> u32 {
        // SAFETY: `off <= heap_len - 16` (the last pair is a guard), so its pair has a
        // bit; a set bit next to a live block marks the start of a free block, which
        // holds its size.
        if unsafe { m.bit(off >> 4) } {
            // SAFETY: as above.
            unsafe { m.get(off) }
        } else {
            0
        }
    }
}
