//! [`SegregatedBumpAllocator`]: O(1) size-class bins over a bump pointer.
//!
//! Every request is rounded up to a size class: 16, 32, 64 or 128 bytes, then four
//! classes per power of two (160, 192, 224, 256, 320, …). A freed block goes onto its
//! class's list (a `u32` link in its first bytes) and the next request of that class
//! takes it back; a class with nothing to reuse bumps the pointer. Blocks are never
//! split or merged on the fast path, which is what makes both operations a handful of
//! instructions. Memory does come back: a block freed just below the bump pointer
//! lowers it, when the bump region runs out a larger class's block is split into
//! class-sized pieces, and when the last live block is freed the whole arena returns
//! to the bump pointer.
//!
//! The heads of the 16 classes up to 1 KiB live in the engine's state (64 bytes of
//! `.bss` beside the arena), so the fast path reads nothing of an arena that is not
//! set up yet and needs no bitmap of non-empty classes: an empty list is a `NIL`
//! head (0, the arena's base, which is never a block). The heads of larger classes
//! live at the start of the arena. Every binned block lies below the bump pointer,
//! so when the last block is freed with the pointer already at the start of the heap
//! no list holds anything and the reset has nothing to clear.

use core::alloc::Layout;
use core::ptr;

use super::engine::Engine;
use super::engine_type::heap_engine;
use super::{Counters, HeapStats, MAX_ARENA_SIZE, VerifyError};
use classes::{TABLE_LIMIT, class_formula, class_of, class_size, floor_class, small_class};

mod classes;

const GRANULE: u32 = 16;
/// The end of a list: offset 0 is the arena's base, never a block.
const NIL: u32 = 0;
/// Classes of requests up to [`TABLE_LIMIT`] bytes, whose heads live in the engine's
/// state (`class_of(1024) = 15`); the heads of larger classes live in the arena.
const SMALL: usize = 16;

heap_engine! {
    /// The fastest heap: O(1) size-class bins over a bump pointer.
    ///
    /// `SIZE` is the inline arena in bytes (default [`DEFAULT_ARENA_SIZE`], 16 KiB);
    /// `SegregatedBumpAllocator<0>` has none and takes a region with
    /// [`init`](Self::init). The heads of the classes above 1 KiB take 4 bytes each of
    /// it (64 bytes of the default 16 KiB, 160 of 1 MiB); those of the 16 classes up
    /// to 1 KiB are in the value itself.
    ///
    /// A request is rounded up to its size class (16, 32, 64, 128 bytes, then four
    /// classes per power of two, so at most a quarter more than asked for above 128
    /// bytes); `alloc` pops the class's list or bumps the pointer, `dealloc` pushes the
    /// block back. Reuse is by class only: memory freed in one class serves another
    /// only once the bump region is exhausted (a larger block is then split) or every
    /// block has been freed (the arena is reset). It suits firmware whose allocations
    /// come in a few recurring sizes.
    ///
    /// `realloc` stays in place within the block's class, shrinks in place (the tail
    /// is binned), and grows in place at the bump pointer or into a free block right
    /// after it that holds the growth. Finding that block takes a step per block
    /// binned in the classes large enough to hold the growth (a binned block carries
    /// no mark of its own): unlike `alloc` and `dealloc`, not O(1).
    ///
    /// ```
    /// use core::alloc::{GlobalAlloc, Layout};
    /// use tinyalloc::heap::SegregatedBumpAllocator;
    ///
    /// static HEAP: SegregatedBumpAllocator<4096> = SegregatedBumpAllocator::new();
    ///
    /// let packet = Layout::from_size_align(60, 4).unwrap(); // the 64-byte class
    /// unsafe {
    ///     let a = HEAP.alloc(packet);
    ///     HEAP.dealloc(a, packet);
    ///     let b = HEAP.alloc(packet);
    ///     assert_eq!(a, b); // the same block, straight from the bin
    ///     assert_eq!(HEAP.stats().used, 64);
    ///     HEAP.dealloc(b, packet);
    /// }
    /// assert_eq!(HEAP.stats().used, 0);
    /// ```
    ///
    /// [`DEFAULT_ARENA_SIZE`]: crate::heap::DEFAULT_ARENA_SIZE
    SegregatedBumpAllocator, Segregated
}

/// The engine's state. Every offset counts from the arena's base; the heads of the
/// classes above [`SMALL`] are at the start of the arena, the heap after them.
pub(crate) struct Segregated {
    /// The arena's length, where the heap ends; 0 until set up.
    end: u32,
    /// Where the heap starts.
    heap: u32,
    /// How many classes the arena can serve (at least [`SMALL`]).
    classes: u32,
    /// The bump pointer: bytes `top..end` have never been handed out (or came back).
    top: u32,
    /// The heads of the small classes (`NIL` when empty). Kept here, not in the
    /// arena, so the fast path reads nothing of an arena that is not set up.
    small: [u32; SMALL],
    counters: Counters,
}

impl Segregated {
    /// The head of `class`'s list.
    ///
    /// # Safety
    /// The engine is set up over `base` and `class < classes`.
    #[inline(always)]
    unsafe fn head(&self, base: *mut u8, class: usize) -> u32 {
        if class < SMALL {
            self.small[class]
        } else {
            // SAFETY: the arena holds a head for every class from `SMALL` up to
            // `classes`.
            unsafe { base.cast::<u32>().wrapping_add(class - SMALL).read() }
        }
    }

    /// # Safety
    /// As for [`head`](Self::head).
    #[inline(always)]
    unsafe fn set_head(&mut self, base: *mut u8, class: usize, off: u32) {
        if class < SMALL {
            self.small[class] = off;
        } else {
            // SAFETY: as in `head`.
            unsafe { base.cast::<u32>().wrapping_add(class - SMALL).write(off) };
        }
    }

    /// The link in the first 4 bytes of the binned block at `off`.
    ///
    /// # Safety
    /// A binned block (or free memory of at least 4 bytes) lies at `off`.
    #[inline(always)]
    unsafe fn link(base: *mut u8, off: u32) -> u32 {
        // SAFETY: the caller's contract; blocks are 16-aligned.
        unsafe { base.wrapping_add(off as usize).cast::<u32>().read() }
    }

    /// # Safety
    /// As for [`link`](Self::link).
    #[inline(always)]
    unsafe fn set_link(base: *mut u8, off: u32, next: u32) {
        // SAFETY: the caller's contract.
        unsafe { base.wrapping_add(off as usize).cast::<u32>().write(next) }
    }

    /// Pops the head of a non-empty class.
    ///
    /// # Safety
    /// The engine is set up over `base`; `class < classes` and its list is not empty.
    unsafe fn pop(&mut self, base: *mut u8, class: usize) -> u32 {
        // SAFETY: the caller's contract.
        let off = unsafe { self.head(base, class) };
        // SAFETY: `off` is a binned block.
        let next = unsafe { Self::link(base, off) };
        // SAFETY: as above.
        unsafe { self.set_head(base, class, next) };
        off
    }

    /// Puts the free block at `off` on the list of `class`.
    ///
    /// # Safety
    /// The engine is set up over `base`; `class < classes`; the block is free, in the
    /// heap below the top, of `class`'s size.
    unsafe fn push(&mut self, base: *mut u8, class: usize, off: u32) {
        // SAFETY: the caller's contract.
        let first = unsafe { self.head(base, class) };
        // SAFETY: as above.
        unsafe { Self::set_link(base, off, first) };
        // SAFETY: as above.
        unsafe { self.set_head(base, class, off) };
    }

    /// Files the free range `[off, off + len)` (multiples of 16) as class-sized blocks.
    ///
    /// # Safety
    /// The engine is set up over `base`; the range is free memory in the heap below
    /// the top.
    unsafe fn release(&mut self, base: *mut u8, mut off: u32, mut len: u32) {
        while len > 0 {
            let class = floor_class(len).min(self.classes as usize - 1);
            let size = class_size(class);
            // SAFETY: `size <= len`, so the block is inside the free range.
            unsafe { self.push(base, class, off) };
            off += size;
            len -= size;
        }
    }

    /// Unlinks the binned block that starts at `off` if it holds at least `need`
    /// bytes, and returns its size; `None` when no such block is binned there.
    ///
    /// A binned block does not say so itself, so this looks through the lists of the
    /// classes of `need` bytes and more, a step per block binned there (bounded, so a
    /// list looped by a double free ends the search). It reads only binned blocks,
    /// never the memory at `off` until it is found among them: that may be a live
    /// block that its owner is writing on another thread.
    ///
    /// # Safety
    /// The engine is set up over `base`.
    unsafe fn take_binned(&mut self, base: *mut u8, off: u32, need: u32) -> Option<u32> {
        let mut steps = (self.end - self.heap) / GRANULE;
        for class in class_of(need as usize).0..self.classes as usize {
            let mut prev = NIL;
            // SAFETY: set up, `class < classes`.
            let mut at = unsafe { self.head(base, class) };
            while at != NIL {
                steps = steps.checked_sub(1)?;
                // SAFETY: `at` is a binned block.
                let next = unsafe { Self::link(base, at) };
                if at == off {
                    if prev == NIL {
                        // SAFETY: set up, `class < classes`.
                        unsafe { self.set_head(base, class, next) };
                    } else {
                        // SAFETY: `prev` is a binned block.
                        unsafe { Self::set_link(base, prev, next) };
                    }
                    return Some(class_size(class));
                }
                prev = at;
                at = next;
            }
        }
        None
    }

    /// Everything `alloc`'s fast path leaves: set-up on first use, large and
    /// over-aligned requests, an exhausted bump region (a larger class's block is
    /// split), and failures (counted).
    ///
    /// # Safety
    /// As for [`Engine::alloc`].
    #[cold]
    #[inline(never)]
    unsafe fn alloc_cold(&mut self, base: *mut u8, layout: Layout, fresh: usize) -> *mut u8 {
        if !self.is_set_up() {
            if fresh == 0 {
                return self.counters.fail();
            }
            // SAFETY: the caller's contract for an engine that is not set up.
            unsafe { self.set_up(base, fresh) };
        }
        if layout.size() > MAX_ARENA_SIZE {
            return self.counters.fail();
        }
        let (class, size) = class_of(layout.size());
        if class >= self.classes as usize {
            return self.counters.fail();
        }
        let align = layout.align();
        let at = 'found: {
            // SAFETY: set up, `class < classes`.
            let head = unsafe { self.head(base, class) };
            // A mask, not `is_multiple_of`: `align` is a power of two, and a division
            // by it is a library call on a Cortex-M0.
            if head != NIL && (base as usize + head as usize) & (align - 1) == 0 {
                // SAFETY: the class is not empty.
                break 'found unsafe { self.pop(base, class) };
            }
            let gap = (base as usize + self.top as usize).wrapping_neg() & (align - 1);
            // What is left above the top, not `top + gap + size`: with a region near
            // `MAX_ARENA_SIZE` on a 32-bit target, that sum can pass `usize::MAX`.
            let room = (self.end - self.top) as usize;
            if gap <= room && size as usize <= room - gap {
                let at = self.top + gap as u32;
                // SAFETY: the gap lies between the old top and the new block.
                unsafe { self.release(base, self.top, gap as u32) };
                self.top = at + size;
                break 'found at;
            }
            for larger in class + 1..self.classes as usize {
                // SAFETY: set up, `larger < classes`.
                let off = unsafe { self.head(base, larger) };
                if off == NIL {
                    continue;
                }
                let block = class_size(larger);
                let gap = (base as usize + off as usize).wrapping_neg() & (align - 1);
                if gap + size as usize > block as usize {
                    continue;
                }
                // SAFETY: `larger` is not empty.
                unsafe { self.pop(base, larger) };
                let at = off + gap as u32;
                // SAFETY: the pieces before and after the new block are free.
                unsafe { self.release(base, off, gap as u32) };
                // SAFETY: as above.
                unsafe { self.release(base, at + size, off + block - at - size) };
                break 'found at;
            }
            return self.counters.fail();
        };
        self.served(base, at, size)
    }

    /// Counts a block of `size` bytes at `off` as allocated and returns it.
    #[inline(always)]
    fn served(&mut self, base: *mut u8, off: u32, size: u32) -> *mut u8 {
        self.counters.allocated(size as usize);
        base.wrapping_add(off as usize)
    }

    /// `dealloc` of a block larger than `TABLE_LIMIT`, out of line.
    ///
    /// # Safety
    /// As for [`Engine::dealloc`].
    #[inline(never)]
    unsafe fn dealloc_large(&mut self, base: *mut u8, block: *mut u8, layout: Layout) {
        let (class, size) = class_formula(layout.size() as u32);
        let off = (block as usize).wrapping_sub(base as usize) as u32;
        if off + size == self.top {
            self.top = off;
        } else {
            // SAFETY: the caller returns a live block of this class.
            unsafe { self.push(base, class, off) };
        }
        self.freed(base, size);
    }

    /// Counts `size` bytes freed; when nothing is live any more, the whole heap is the
    /// bump region again.
    #[inline(always)]
    fn freed(&mut self, base: *mut u8, size: u32) {
        self.counters.freed(size as usize);
        if self.counters.allocations == 0 {
            self.reset(base);
        }
    }

    /// Empties every list and lowers the top to the start of the heap. Every binned
    /// block lies below the top, so with the top already there no list holds one.
    #[cold]
    #[inline(never)]
    fn reset(&mut self, base: *mut u8) {
        if self.top != self.heap {
            self.small = [NIL; SMALL];
            // SAFETY: the heads of the classes above `SMALL` lie at the start of the
            // arena, below the heap.
            unsafe { ptr::write_bytes(base, 0, (self.classes as usize - SMALL) * 4) };
            self.top = self.heap;
        }
    }
}

impl Engine for Segregated {
    const NEW: Self = Segregated {
        end: 0,
        heap: 0,
        classes: 0,
        top: 0,
        small: [NIL; SMALL],
        counters: Counters::NEW,
    };
    const MIN_ARENA: usize = 256;
    const TOO_SMALL: &'static str = "tinyalloc: the inline arena SIZE of this SegregatedBumpAllocator is below 256 bytes, too small for its bookkeeping; make SIZE at least 256 (the default is 16 KiB), or 0 to hand it a region with init()";

    fn is_set_up(&self) -> bool {
        self.end != 0
    }

    unsafe fn set_up(&mut self, base: *mut u8, len: usize) {
        let classes = (class_of(len).0 as u32 + 1).max(SMALL as u32);
        // At least one granule: offset 0 is `NIL`, never a block.
        let heap = ((classes - SMALL as u32) * 4)
            .next_multiple_of(GRANULE)
            .max(GRANULE);
        self.end = len as u32;
        self.heap = heap;
        self.classes = classes;
        self.top = heap;
        self.small = [NIL; SMALL];
        // SAFETY: the heads of the classes above `SMALL` lie at the start of the
        // arena, below the heap; all `NIL`.
        unsafe { ptr::write_bytes(base, 0, heap as usize) };
    }

    #[inline(always)]
    unsafe fn alloc(&mut self, base: *mut u8, layout: Layout, fresh: usize) -> *mut u8 {
        if layout.size() <= TABLE_LIMIT && layout.align() <= GRANULE as usize {
            let (class, size) = small_class(layout.size());
            let off = self.small[class];
            if off != NIL {
                // SAFETY: a binned block of this class lies at `off` (an engine that
                // is not set up has no binned block).
                self.small[class] = unsafe { Self::link(base, off) };
                return self.served(base, off, size);
            }
            if size <= self.end - self.top {
                let off = self.top;
                self.top += size;
                return self.served(base, off, size);
            }
        }
        // SAFETY: the caller's contract.
        unsafe { self.alloc_cold(base, layout, fresh) }
    }

    #[inline(always)]
    unsafe fn dealloc(&mut self, base: *mut u8, block: *mut u8, layout: Layout) {
        if layout.size() > TABLE_LIMIT {
            // SAFETY: the caller's contract.
            return unsafe { self.dealloc_large(base, block, layout) };
        }
        let (class, size) = small_class(layout.size());
        let off = (block as usize).wrapping_sub(base as usize) as u32;
        if off + size == self.top {
            self.top = off;
        } else {
            // SAFETY: the caller returns a live block of this class, below the top.
            unsafe { Self::set_link(base, off, self.small[class]) };
            self.small[class] = off;
        }
        self.freed(base, size);
    }

    unsafe fn resize_in_place(
        &mut self,
        base: *mut u8,
        block: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> bool {
        if new_size > MAX_ARENA_SIZE {
            return false;
        }
        let (_, old) = class_of(layout.size());
        let (_, new) = class_of(new_size);
        let off = (block as usize).wrapping_sub(base as usize) as u32;
        if new == old {
            return true;
        }
        if off + old == self.top {
            if off as usize + new as usize > self.end as usize {
                return false;
            }
            self.top = off + new;
        } else if new < old {
            // SAFETY: the tail of a live block being shrunk is free from now on.
            unsafe { self.release(base, off + new, old - new) };
        } else {
            // SAFETY: set up (a live block exists).
            let Some(next) = (unsafe { self.take_binned(base, off + old, new - old) }) else {
                return false;
            };
            // SAFETY: the binned block was free and is unlinked; past the grown
            // block, its rest is free from now on.
            unsafe { self.release(base, off + new, old + next - new) };
        }
        if new > old {
            self.counters.grew((new - old) as usize);
        } else {
            self.counters.shrank((old - new) as usize);
        }
        true
    }

    unsafe fn stats(&self, base: *mut u8) -> HeapStats {
        // A request takes a whole class-sized block: the largest one can take is the
        // largest class with a binned block (a request of that size pops it) or the
        // largest class whose blocks fit in the bump region, not the region's length,
        // which a request rounds up to a class that may not fit.
        let largest_binned = (0..self.classes as usize)
            .rev()
            // SAFETY: set up (`classes` is 0 otherwise), `class < classes`.
            .find(|&class| unsafe { self.head(base, class) } != NIL)
            .map_or(0, class_size);
        let bump = self.end - self.top;
        let largest_bumped = if bump < GRANULE {
            0
        } else {
            class_size(floor_class(bump).min(self.classes as usize - 1))
        };
        HeapStats {
            arena: 0,
            used: self.counters.used,
            // Wrapping: after a block freed twice `used` has wrapped (`verify` says so).
            free: ((self.end - self.heap) as usize).wrapping_sub(self.counters.used),
            high_water: self.counters.high_water,
            largest_free: largest_binned.max(largest_bumped) as usize,
            allocations: self.counters.allocations,
            failed_allocs: self.counters.failed_allocs,
        }
    }

    unsafe fn verify(&self, base: *mut u8) -> Result<(), VerifyError> {
        if !self.is_set_up() {
            return Ok(());
        }
        // Wrapping: a damaged link is any `u32`, and on a 32-bit target the arena's
        // address plus one can pass the end of the address space.
        let addr = |off: u32| (base as usize).wrapping_add(off as usize);
        if self.top < self.heap || self.top > self.end || !self.top.is_multiple_of(GRANULE) {
            return Err(VerifyError::OutOfBounds {
                addr: addr(self.top),
            });
        }
        let mut binned = 0usize;
        let mut blocks = 0u32;
        for class in 0..self.classes as usize {
            let size = class_size(class);
            // SAFETY: set up, `class < classes`.
            let mut off = unsafe { self.head(base, class) };
            while off != NIL {
                blocks += 1;
                if blocks > (self.end - self.heap) / GRANULE {
                    return Err(VerifyError::Cycle);
                }
                if !off.is_multiple_of(GRANULE)
                    || off < self.heap
                    || off > self.top
                    || self.top - off < size
                {
                    return Err(VerifyError::OutOfBounds { addr: addr(off) });
                }
                binned += size as usize;
                // SAFETY: a binned block below the top holds its link.
                off = unsafe { Self::link(base, off) };
            }
        }
        let free = binned + (self.end - self.top) as usize;
        // Checked: after a block freed twice `used` has wrapped, and the sum must
        // neither panic nor wrap back to the heap's size.
        if free.checked_add(self.counters.used) != Some((self.end - self.heap) as usize) {
            return Err(VerifyError::Accounting {
                used: self.counters.used,
                free,
                heap: (self.end - self.heap) as usize,
            });
        }
        Ok(())
    }

    fn counters(&mut self) -> &mut Counters {
        &mut self.counters
    }
}

#[cfg(test)]
mod tests;
