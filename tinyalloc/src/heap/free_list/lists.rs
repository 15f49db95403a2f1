//! The free list's arena view ([`Mem`]) and its list operations: file a free block
//! on its class list, take one off, and the slow path of `alloc`.

use core::alloc::Layout;

use super::classes::{checked_block_size, class_of, fit_class, place};
use super::{FreeList, GRANULE, MIN_BLOCK, NEXT, NIL, PREV, SIZE, WORD_BITS, WORDS, word_of};
use crate::heap::MAX_ARENA_SIZE;
use crate::heap::engine::Engine;
use crate::hint::cold;

/// Pointers into the arena for one operation: its base (the class heads are there,
/// and every offset counts from it) and the side bitmap.
#[derive(Clone, Copy)]
pub(super) struct Mem {
    pub(super) base: *mut u8,
    pub(super) bits: *mut u32,
}

impl Mem {
    /// The `u32` at `off + field`.
    ///
    /// # Safety
    /// `off + field + 4` is within the arena and a multiple of 4.
    #[inline(always)]
    pub(super) unsafe fn get(self, off: usize, field: usize) -> usize {
        // SAFETY: in bounds and aligned (the arena is 16-aligned), by the caller.
        unsafe { self.base.wrapping_add(off + field).cast::<u32>().read() as usize }
    }

    /// # Safety
    /// As for [`get`](Self::get), and the 4 bytes are a class head or free memory.
    #[inline(always)]
    pub(super) unsafe fn set(self, off: usize, field: usize, value: usize) {
        // SAFETY: in bounds, aligned and not live, by the caller.
        unsafe {
            self.base
                .wrapping_add(off + field)
                .cast::<u32>()
                .write(value as u32)
        }
    }

    /// The footer of the free block that ends at `end`: its last 4 bytes.
    ///
    /// # Safety
    /// `end - 4` is within the arena and a multiple of 4.
    #[inline(always)]
    pub(super) unsafe fn footer(self, end: usize) -> usize {
        // SAFETY: in bounds and aligned, by the caller.
        unsafe { self.get(end - 4, SIZE) }
    }

    /// # Safety
    /// As for [`footer`](Self::footer), and the 4 bytes are free memory.
    #[inline(always)]
    pub(super) unsafe fn set_footer(self, end: usize, size: usize) {
        // SAFETY: in bounds, aligned and not live, by the caller.
        unsafe { self.set(end - 4, SIZE, size) }
    }

    /// The first block of `class`'s list (or `NIL`).
    ///
    /// # Safety
    /// `class` is below the engine's class count.
    #[inline(always)]
    pub(super) unsafe fn head(self, class: usize) -> usize {
        // SAFETY: the heads lie at the start of the arena, one `u32` per class.
        unsafe { self.base.cast::<u32>().wrapping_add(class).read() as usize }
    }

    /// Makes `off` the first block of `class`'s list.
    ///
    /// # Safety
    /// `class` is below the engine's class count.
    #[inline(always)]
    pub(super) unsafe fn set_head(self, class: usize, off: usize) {
        // SAFETY: as in `head`.
        unsafe {
            self.base
                .cast::<u32>()
                .wrapping_add(class)
                .write(off as u32)
        }
    }

    /// Whether the bit of the 16-byte pair holding `off` is set: an end of a free
    /// block lies in it.
    ///
    /// # Safety
    /// `off` is at most the arena's length (the bitmap has a bit for that pair too).
    #[inline(always)]
    pub(super) unsafe fn bit(self, off: usize) -> bool {
        let pair = off / 16;
        // SAFETY: the bitmap has a bit for every pair of the arena and one more.
        let word = unsafe { self.bits.wrapping_add(pair / 32).read() };
        word & (1 << (pair % 32)) != 0
    }

    /// Flips the bit of the pair holding `off`; whether it was set.
    ///
    /// # Safety
    /// As for [`bit`](Self::bit).
    #[inline(always)]
    pub(super) unsafe fn flip(self, off: usize) -> bool {
        let pair = off / 16;
        let mask = 1 << (pair % 32);
        let word = self.bits.wrapping_add(pair / 32);
        // SAFETY: as in `bit`.
        let old = unsafe { word.read() };
        // SAFETY: as above.
        unsafe { word.write(old ^ mask) };
        old & mask != 0
    }

    /// # Safety
    /// As for [`bit`](Self::bit).
    #[inline(always)]
    pub(super) unsafe fn set_bit(self, off: usize) {
        let pair = off / 16;
        // SAFETY: as in `bit`.
        unsafe { *self.bits.wrapping_add(pair / 32) |= 1 << (pair % 32) };
    }

    /// # Safety
    /// As for [`bit`](Self::bit).
    #[inline(always)]
    pub(super) unsafe fn clear_bit(self, off: usize) {
        let pair = off / 16;
        // A rotated mask, not `!(1 << n)`: that would share `1 << n` with the test in
        // `bit`, and the compiler would then compute it before every test, on the
        // paths that set a bit or none too.
        let keep = (!1u32).rotate_left((pair % 32) as u32);
        // SAFETY: as in `bit`.
        unsafe { *self.bits.wrapping_add(pair / 32) &= keep };
    }
}

/// The offset of class `class`'s list head seen as a node: its `NEXT` field is the
/// head, so the first block's `PREV` points here and unlinking needs no special case.
/// Below every block (the heads precede the heap) and never `NIL` (classes of blocks
/// are at least 2).
#[inline(always)]
pub(super) const fn head_node(class: usize) -> usize {
    class * 4 - NEXT
}

impl FreeList {
    #[inline(always)]
    pub(super) fn mem(&self, base: *mut u8) -> Mem {
        Mem {
            base,
            bits: base.wrapping_add(self.bits).cast(),
        }
    }

    #[inline(always)]
    pub(super) fn is_marked(&self, class: usize) -> bool {
        self.nonempty[word_of(class)] & (1 << (class % WORD_BITS)) != 0
    }

    #[inline(always)]
    fn mark(&mut self, class: usize) {
        self.nonempty[word_of(class)] |= 1 << (class % WORD_BITS);
    }

    #[inline(always)]
    fn unmark(&mut self, class: usize) {
        self.nonempty[word_of(class)] &= !(1 << (class % WORD_BITS));
    }

    /// The first non-empty class at or above `from`.
    #[inline(always)]
    pub(super) fn first_nonempty(&self, from: usize) -> Option<usize> {
        let mut word = from / WORD_BITS;
        let mut bits = *self.nonempty.get(word)? & (usize::MAX << (from % WORD_BITS));
        while bits == 0 {
            word += 1;
            if word >= WORDS {
                return None;
            }
            bits = self.nonempty[word];
        }
        Some(word * WORD_BITS + bits.trailing_zeros() as usize)
    }

    /// Files the free block `[off, off + size)` at the front of `class`'s list (its
    /// class), with its header and footer. The side bits are the caller's.
    ///
    /// # Safety
    /// The block is free memory inside the heap, at least 16 bytes, a multiple of 8,
    /// and `class = class_of(size)`.
    #[inline]
    pub(super) unsafe fn attach(&mut self, m: Mem, off: usize, size: usize, class: usize) {
        // SAFETY: `class_of(size) < classes` for any size within the heap.
        let first = unsafe { m.head(class) };
        // SAFETY: the block is free, at least 16 bytes, inside the heap.
        unsafe { m.set(off, SIZE, size) };
        // SAFETY: as above.
        unsafe { m.set(off, NEXT, first) };
        // SAFETY: as above.
        unsafe { m.set(off, PREV, head_node(class)) };
        // SAFETY: as above: the footer is the block's last 4 bytes.
        unsafe { m.set_footer(off + size, size) };
        if first != NIL {
            // SAFETY: `first` heads a list: a free block in the heap.
            unsafe { m.set(first, PREV, off) };
        } else {
            cold();
            self.mark(class);
        }
        // SAFETY: `class` is below the class count.
        unsafe { m.set_head(class, off) };
    }

    /// Takes the filed free block at `off` off its list. The side bits are the
    /// caller's.
    ///
    /// # Safety
    /// A filed free block starts at `off`.
    #[inline]
    pub(super) unsafe fn detach(&mut self, m: Mem, off: usize) {
        // SAFETY: a filed free block holds its links.
        let next = unsafe { m.get(off, NEXT) };
        // SAFETY: as above.
        let prev = unsafe { m.get(off, PREV) };
        // SAFETY: `prev` is the block before, or the head node of the class.
        unsafe { m.set(prev, NEXT, next) };
        if next != NIL {
            // SAFETY: `next` is the filed block after this one.
            unsafe { m.set(next, PREV, prev) };
        } else if prev < self.heap {
            cold();
            // The block was alone on its list: `prev` is the head node.
            self.unmark((prev + NEXT) / 4);
        }
    }

    /// Takes the first block of the marked class `class`, whose `NEXT` is `next`, off
    /// the list. The side bits are the caller's.
    ///
    /// # Safety
    /// `class` is marked and `next` is its first block's `NEXT`.
    #[inline(always)]
    pub(super) unsafe fn pop(&mut self, m: Mem, class: usize, next: usize) {
        // SAFETY: `class` is below the class count.
        unsafe { m.set_head(class, next) };
        if next != NIL {
            // SAFETY: `next` is a filed block of the class.
            unsafe { m.set(next, PREV, head_node(class)) };
        } else {
            self.unmark(class);
        }
    }

    /// Frees the block `[off, off + size)` for real: merges it with its free
    /// neighbours and files the result. The counters are the caller's.
    ///
    /// Out of line: `dealloc` calls it for the frees the quick slots do not take, and
    /// the slots' merges call it too, so one copy serves all (76 bytes less flash on
    /// Thumb than inlining it into `dealloc`, for 0.7 more instructions per operation
    /// on the benchmark's mixed workload).
    ///
    /// # Safety
    /// The engine is set up over `m`'s arena, and the block is one it handed out that
    /// is in no quick slot and no longer used; to the rest of the engine, still live.
    #[inline(never)]
    pub(super) unsafe fn release(&mut self, m: Mem, off: usize, size: usize) {
        let end = off + size;
        // The markers are flipped whatever they were (see the module docs); each was
        // set only if a free neighbour lies on its side.
        let (mut start, mut stop) = (off, end);
        // SAFETY: `end` is at most the arena's length; its pair can only hold the
        // marker of a free block that starts at `end`.
        if unsafe { m.flip(end) } {
            // SAFETY: a filed free block starts at `end`.
            unsafe { self.detach(m, end) };
            // SAFETY: as above.
            stop += unsafe { m.get(end, SIZE) };
        }
        // SAFETY: `off` is in the heap; its pair can only hold the marker of a free
        // block that ends at `off`.
        if unsafe { m.flip(off) } {
            // SAFETY: a filed free block ends at `off`; its footer is its last 4 bytes.
            start = off - unsafe { m.footer(off) };
            // SAFETY: a filed free block starts at `start`.
            unsafe { self.detach(m, start) };
        }
        let merged = stop - start;
        // SAFETY: `[start, stop)` is free and on no list.
        unsafe { self.attach(m, start, merged, class_of(merged)) };
    }

    /// Files the free block `[off, off + size)` and sets its markers.
    ///
    /// # Safety
    /// As for [`attach`](Self::attach) (any class), and neither neighbour is free.
    #[inline(never)]
    pub(super) unsafe fn push(&mut self, m: Mem, off: usize, size: usize) {
        // SAFETY: the caller's contract.
        unsafe { self.attach(m, off, size, class_of(size)) };
        // SAFETY: the block's ends are at most the arena's length.
        unsafe { m.set_bit(off) };
        // SAFETY: as above.
        unsafe { m.set_bit(off + size) };
    }

    /// Takes the filed free block `[off, off + size)` off its list and clears its
    /// markers.
    ///
    /// # Safety
    /// The block is a filed free block of this size.
    #[inline(never)]
    pub(super) unsafe fn unlink(&mut self, m: Mem, off: usize, size: usize) {
        // SAFETY: the caller's contract.
        unsafe { self.detach(m, off) };
        // SAFETY: as in `push`.
        unsafe { m.clear_bit(off) };
        // SAFETY: as above.
        unsafe { m.clear_bit(off + size) };
    }

    /// Serves `want` bytes at `at` from the filed free block `[off, off + size)`,
    /// filing what is left before and after.
    ///
    /// # Safety
    /// The block is filed and `at` came from [`place`] for it.
    unsafe fn take(&mut self, m: Mem, off: usize, size: usize, at: usize, want: usize) -> *mut u8 {
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
        self.counters.allocated(want);
        m.base.wrapping_add(at)
    }

    /// Everything `alloc`'s fast path leaves: set-up on first use, large and
    /// over-aligned requests, a good-fit class whose head would leave 8 bytes, and a
    /// heap too fragmented for the class search. Checks the head of every class whose
    /// blocks all hold the request at any alignment, then walks the whole list of
    /// every class that could hold it; when none can serve it, merges the blocks
    /// waiting in the quick slots and searches once more, among the blocks the
    /// merges made, and fails (counted) only when still no free block can. A request
    /// larger than the heap fails at once, the waiting blocks left as they are.
    ///
    /// # Safety
    /// As for [`Engine::alloc`].
    #[cold]
    #[inline(never)]
    pub(super) unsafe fn alloc_cold(
        &mut self,
        base: *mut u8,
        layout: Layout,
        fresh: usize,
    ) -> *mut u8 {
        if !self.is_set_up() {
            if fresh == 0 {
                return self.counters.fail();
            }
            // SAFETY: the caller's contract for an engine that is not set up.
            unsafe { self.set_up(base, fresh) };
        }
        let Some(want) = checked_block_size(layout.size()) else {
            return self.counters.fail();
        };
        // Larger than the heap: no free block serves it, nor could any merge.
        if want > self.end - self.heap {
            return self.counters.fail();
        }
        let align = layout.align();
        let m = self.mem(base);
        let slack = if align > GRANULE { align + 8 } else { 0 };
        let reach = want.saturating_add(slack).min(MAX_ARENA_SIZE);
        // The most blocks of a class list to look at: all of them (a list is never
        // longer), then, once the waiting blocks are merged, only as many as were
        // merged.
        let mut limit = self.end / MIN_BLOCK;
        loop {
            // First the first block of every class whose blocks all hold the request
            // at any alignment, then every block of every class that could hold it.
            for (from, whole) in [(fit_class(reach), false), (class_of(want), true)] {
                let mut class = from;
                while let Some(found) = self.first_nonempty(class) {
                    // SAFETY: a marked class has a filed head block.
                    let mut off = unsafe { m.head(found) };
                    let mut steps = 0;
                    while off != NIL && steps <= limit {
                        // SAFETY: `off` is a filed free block.
                        let size = unsafe { m.get(off, SIZE) };
                        if let Some(at) = place(base, off, size, want, align) {
                            // SAFETY: filed block, `at` from `place`.
                            return unsafe { self.take(m, off, size, at, want) };
                        }
                        if !whole {
                            break;
                        }
                        // SAFETY: as above.
                        off = unsafe { m.get(off, NEXT) };
                        steps += 1;
                    }
                    class = found + 1;
                }
            }
            // Every free block has failed the request, and stays as it was unless a
            // merge takes it in. Each merge files one block at the front of its
            // class's list, so the blocks the merges make are among the first
            // `merged` of their lists: the search looks no further. (Walking every
            // free block a second time took 65,849 x86_64 instructions for a failing
            // request in a 64 KiB heap cut into 2,019 free blocks.)
            let merged = self.waiting;
            // SAFETY: set up over `base` (above). Once the slots are empty, the
            // search above has seen every free byte.
            if !unsafe { self.flush(m) } {
                return self.counters.fail();
            }
            limit = merged - 1;
        }
    }

    /// The size of the free block that starts at `off`, if one does.
    ///
    /// # Safety
    /// `off` is the end of a live allocation.
    #[inline(always)]
    pub(super) unsafe fn free_at(&self, m: Mem, off: usize) -> usize {
        // SAFETY: `off` is at most the arena's length, so its pair has a bit; set,
        // next to a live block, it marks the start of a free block, which holds its
        // size.
        if unsafe { m.bit(off) } {
            // SAFETY: as above.
            unsafe { m.get(off, SIZE) }
        } else {
            0
        }
    }
}
