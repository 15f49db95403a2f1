//! [`FreeListAllocator`]: good fit over segregated size classes, with splitting and
//! coalescing with both neighbours, and no header in allocated blocks.
//!
//! Layout of the arena: the heads of the class lists (`u32` each), then a side bitmap
//! with one bit per 16-byte pair of the heap, then the heap.
//!
//! - Sizes are rounded up to 8 bytes, 16 at least; `dealloc` gets the size back from
//!   its `Layout`, so an allocated block carries nothing but the caller's bytes.
//! - A free block holds its size, the next and previous block of its class list
//!   (32-bit offsets) and, in its last 4 bytes, its size again (the footer).
//! - The side bit of a pair is set when a free block starts or ends in it. Because
//!   allocated blocks are at least two granules long and free neighbours are always
//!   merged, a set bit next to a block being freed can only mean a free neighbour:
//!   the bit of the pair holding `end` says a free block starts at `end`, the bit of
//!   the pair holding `start - 8` says one ends there (its footer gives its start).
//! - Classes: one per 8 bytes below 128, then 8 per power of two. `alloc` takes the
//!   first non-empty class whose every block fits (a bitmap search), splits the
//!   block and files the rest. Only when that finds nothing does it walk the lists
//!   of every class that could hold the request, so it fails only when no free block
//!   can serve it, as first fit would.
//! - A free block is never 8 bytes (it could not hold its links), so a split that
//!   would leave 8 bytes looks further.

use core::alloc::Layout;
use core::ptr;

use super::engine_type::heap_engine;
use super::shell::Engine;
use super::{Counters, HeapStats, VerifyError};
use classes::{block_size, class_of, fit_class};
use lists::Mem;

mod classes;
mod lists;

const GRANULE: u32 = 8;
const MIN_BLOCK: u32 = 16;
const NIL: u32 = u32::MAX;
/// Below this size every class holds one size.
const LINEAR_LIMIT: u32 = 128;
/// Bytes at each end of the heap that are never handed out.
const GUARD: u32 = 16;
/// Enough classes for `MAX_ARENA_SIZE`: `class_of(1 << 31) = 208`.
const MAX_CLASSES: usize = 256;
const WORD_BITS: usize = usize::BITS as usize;
const WORDS: usize = MAX_CLASSES / WORD_BITS;

/// The word of the non-empty bitmap that holds `class`'s bit. Classes are below
/// `MAX_CLASSES`; the mask (free: `WORDS` is a power of two) lets the compiler drop
/// the bounds check, so no panic path is left in the allocator.
#[inline(always)]
const fn word_of(class: usize) -> usize {
    (class / WORD_BITS) % WORDS
}

heap_engine! {
    /// A general-purpose heap: good fit over size classes, with splitting and
    /// coalescing with both neighbours, O(1) `alloc` and `dealloc`, and no header in
    /// allocated blocks.
    ///
    /// `SIZE` is the inline arena in bytes (default [`DEFAULT_ARENA_SIZE`], 16 KiB);
    /// `FreeListAllocator<0>` has none and takes a region with [`init`](Self::init).
    /// `SIZE / 128` bytes plus a few hundred go to bookkeeping (the side bitmap, the
    /// class heads and two 16-byte guards: 464 bytes of the default 16 KiB); every
    /// other byte can be handed out. Each allocation costs
    /// its size rounded up to 8 bytes (16 at least), nothing more.
    ///
    /// `alloc` finds a block with a bitmap search over size classes and splits it;
    /// `dealloc` finds both neighbours through boundary tags kept in free memory and
    /// merges with the free ones; `realloc` grows into a free next block or shrinks in
    /// place. Only when the heap is nearly full does `alloc` search every free block
    /// that could serve the request, so a request fails only when no free block can
    /// hold it.
    ///
    /// ```
    /// use core::alloc::{GlobalAlloc, Layout};
    /// use tinyalloc::heap::FreeListAllocator;
    ///
    /// static HEAP: FreeListAllocator<{ 8 * 1024 }> = FreeListAllocator::new();
    ///
    /// let small = Layout::from_size_align(24, 8).unwrap();
    /// let page = Layout::from_size_align(512, 4096).unwrap();
    /// unsafe {
    ///     let a = HEAP.alloc(small);
    ///     let b = HEAP.alloc(page);
    ///     assert_eq!(b as usize % 4096, 0);
    ///     HEAP.dealloc(a, small);
    ///     HEAP.dealloc(b, page);
    /// }
    /// let stats = HEAP.stats();
    /// assert_eq!((stats.used, stats.allocations), (0, 0));
    /// assert_eq!(stats.largest_free, stats.free); // merged back into one block
    /// assert_eq!(HEAP.verify(), Ok(()));
    /// ```
    ///
    /// As the program's allocator:
    ///
    /// ```no_run
    /// use tinyalloc::heap::FreeListAllocator;
    ///
    /// #[global_allocator]
    /// static ALLOCATOR: FreeListAllocator<{ 32 * 1024 }> = FreeListAllocator::new();
    /// ```
    ///
    /// [`DEFAULT_ARENA_SIZE`]: crate::heap::DEFAULT_ARENA_SIZE
    FreeListAllocator, FreeList
}

/// The engine's state; see the module docs for the arena layout.
pub(crate) struct FreeList {
    /// Bytes in the heap proper; 0 until set up.
    heap_len: u32,
    /// Where the heap starts, from the arena's base.
    heap_off: u32,
    /// Where the side bitmap starts, from the arena's base (the class heads are at 0).
    bits_off: u32,
    /// How many class heads the arena holds.
    classes: u32,
    /// Bit `c` is set when class `c`'s list is non-empty; a head is only read then.
    nonempty: [usize; WORDS],
    counters: Counters,
}

impl Engine for FreeList {
    const NEW: Self = FreeList {
        heap_len: 0,
        heap_off: 0,
        bits_off: 0,
        classes: 0,
        nonempty: [0; WORDS],
        counters: Counters::NEW,
    };
    const MIN_ARENA: usize = 256;
    const TOO_SMALL: &'static str = "tinyalloc: the inline arena SIZE of this FreeListAllocator is below 256 bytes, too small for its bookkeeping; make SIZE at least 256 (the default is 16 KiB), or 0 to hand it a region with init()";

    fn is_set_up(&self) -> bool {
        self.heap_len != 0
    }

    unsafe fn set_up(&mut self, base: *mut u8, len: usize) {
        let classes = class_of(len as u32) as u32 + 1;
        let bits_off = classes * 4;
        let words = (len as u32 / 16).div_ceil(32);
        let heap_off = (bits_off + words * 4).next_multiple_of(16);
        *self = FreeList {
            heap_len: len as u32 - heap_off,
            heap_off,
            bits_off,
            classes,
            counters: self.counters,
            ..FreeList::NEW
        };
        let m = self.mem(base);
        // SAFETY: the heads lie at the start of the arena; all ones is NIL.
        unsafe { ptr::write_bytes(m.heads, 0xff, classes as usize) };
        // SAFETY: the bitmap's words lie in the arena, below the heap.
        unsafe { ptr::write_bytes(m.bits, 0, words as usize) };
        // The first and last 16 bytes are guards that are never free, so every block
        // has a pair on each side to test and no test needs a bounds check.
        // SAFETY: the rest of the heap is one free block with no neighbours.
        unsafe { self.push(m, GUARD, self.heap_len - 2 * GUARD) };
    }

    #[inline(always)]
    unsafe fn alloc(&mut self, base: *mut u8, layout: Layout) -> *mut u8 {
        let Some(want) = block_size(layout.size()) else {
            return ptr::null_mut();
        };
        let m = self.mem(base);
        if layout.align() <= GRANULE as usize {
            let mut class = fit_class(want);
            while let Some(found) = self.first_nonempty(class) {
                // SAFETY: a marked class has a filed head block.
                let off = unsafe { m.head(found) };
                // SAFETY: as above; every block of `found` holds `want` bytes.
                let size = unsafe { m.get(off) };
                let rest = size.wrapping_sub(want);
                if rest == 0 {
                    // SAFETY: filed block, taken whole.
                    unsafe { self.unlink(m, off, size) };
                } else if rest != GRANULE {
                    let after = off + want;
                    let rest_class = class_of(rest);
                    if rest_class == found {
                        // SAFETY: the rest is free and keeps the list place of the
                        // block it was part of.
                        unsafe { self.move_node(m, off, after, rest, found) };
                    } else {
                        // SAFETY: filed block; the rest is free, at least 16 bytes.
                        unsafe { self.detach(m, off, || found) };
                        // SAFETY: as above.
                        unsafe { self.attach(m, after, rest, rest_class) };
                    }
                    // The block's end bit stays: it is the rest's end now.
                    // SAFETY: both pairs are in the heap.
                    unsafe { m.clear_bit(off >> 4) };
                    // SAFETY: as above.
                    unsafe { m.set_bit(after >> 4) };
                } else {
                    class = found + 1;
                    continue;
                }
                self.counters.allocated(want as usize);
                return m.heap.wrapping_add(off as usize);
            }
        }
        self.alloc_searching(m, want, layout.align())
    }

    #[inline(always)]
    unsafe fn dealloc(&mut self, base: *mut u8, block: *mut u8, layout: Layout) {
        let Some(size) = block_size(layout.size()) else {
            return;
        };
        let m = self.mem(base);
        let off = (block as usize).wrapping_sub(m.heap as usize) as u32;
        let end = off + size;
        // SAFETY: `end` is the end of the live block being freed.
        let next = unsafe { self.free_at(m, end) };
        // SAFETY: `off >= 16` (the first pair is a guard), so `off - 8` is in the
        // heap; a set bit before a live block marks the end of a free block.
        let prev = if unsafe { m.bit((off - GRANULE) >> 4) } {
            // SAFETY: the free block's footer is its last 4 bytes.
            unsafe { m.get(off - 4) }
        } else {
            0
        };
        let start = off - prev;
        let merged = prev + size + next;
        let last = (start + merged - GRANULE) >> 4;
        let class = class_of(merged);
        if next != 0 {
            if end >> 4 != last {
                // SAFETY: the next block's first pair is in the heap; its end bit
                // is the merged block's.
                unsafe { m.clear_bit(end >> 4) };
            }
            // SAFETY: a filed free block of `next` bytes starts at `end`.
            unsafe { self.detach(m, end, || class_of(next)) };
        } else {
            // SAFETY: the merged block's last pair is in the heap.
            unsafe { m.set_bit(last) };
        }
        if prev != 0 {
            if (off - GRANULE) >> 4 != start >> 4 {
                // SAFETY: the previous block's last pair is in the heap; its start
                // bit is the merged block's.
                unsafe { m.clear_bit((off - GRANULE) >> 4) };
            }
            // SAFETY: a filed free block of `prev` bytes starts at `start`.
            unsafe { self.detach(m, start, || class_of(prev)) };
        } else {
            // SAFETY: the merged block's first pair is in the heap.
            unsafe { m.set_bit(start >> 4) };
        }
        // SAFETY: `[start, start + merged)` is free and on no list.
        unsafe { self.attach(m, start, merged, class) };
        self.counters.freed(size as usize);
    }

    unsafe fn resize_in_place(
        &mut self,
        base: *mut u8,
        block: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> bool {
        let (Some(old), Some(new)) = (block_size(layout.size()), block_size(new_size)) else {
            return false;
        };
        if new == old {
            return true;
        }
        let m = self.mem(base);
        let off = (block as usize).wrapping_sub(m.heap as usize) as u32;
        let end = off + old;
        // SAFETY: `end` is the end of the live block.
        let next = unsafe { self.free_at(m, end) };
        if new > old {
            let need = new - old;
            if next < need || next - need == GRANULE {
                return false;
            }
            // SAFETY: a free block of `next` bytes starts at `end`.
            unsafe { self.unlink(m, end, next) };
            if next > need {
                // SAFETY: the rest of the next block, free, at least 16 bytes.
                unsafe { self.push(m, off + new, next - need) };
            }
            self.counters.grew(need as usize);
        } else {
            let tail = old - new;
            if next != 0 {
                // SAFETY: a free block of `next` bytes starts at `end`.
                unsafe { self.unlink(m, end, next) };
            } else if tail == GRANULE {
                return false;
            }
            // SAFETY: the cut-off tail and the free block after it, if any.
            unsafe { self.push(m, off + new, tail + next) };
            self.counters.shrank(tail as usize);
        }
        true
    }

    unsafe fn stats(&self, base: *mut u8) -> HeapStats {
        let mut largest = 0;
        if let Some(top) = (0..self.classes as usize)
            .rev()
            .find(|&c| self.is_marked(c))
        {
            let m = self.mem(base);
            // SAFETY: a marked class has a filed head block.
            let mut off = unsafe { m.head(top) };
            let mut steps = 0;
            while off != NIL && steps <= self.heap_len / MIN_BLOCK {
                // SAFETY: `off` is a filed free block.
                largest = largest.max(unsafe { m.get(off) });
                // SAFETY: as above.
                off = unsafe { m.get(off + 4) };
                steps += 1;
            }
        }
        // A region heap has no heap, and so no guards, until `init`.
        let usable = self.heap_len.saturating_sub(2 * GUARD) as usize;
        HeapStats {
            arena: 0,
            used: self.counters.used,
            free: usable - self.counters.used,
            high_water: self.counters.high_water,
            largest_free: largest as usize,
            allocations: self.counters.allocations,
            failed_allocs: self.counters.failed_allocs,
        }
    }

    unsafe fn verify(&self, base: *mut u8) -> Result<(), VerifyError> {
        if !self.is_set_up() {
            return Ok(());
        }
        // SAFETY: the engine is set up over `base`.
        unsafe { verify::check(self, self.mem(base)) }
    }

    fn counters(&mut self) -> &mut Counters {
        &mut self.counters
    }
}

mod verify;

#[cfg(test)]
mod tests;
