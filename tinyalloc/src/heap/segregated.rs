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

use core::alloc::Layout;
use core::ptr;

use super::engine_type::heap_engine;
use super::shell::Engine;
use super::{Counters, HeapStats, MAX_ARENA_SIZE, VerifyError};

const GRANULE: u32 = 16;
const NIL: u32 = u32::MAX;
/// Enough classes for `MAX_ARENA_SIZE`: `class_of(1 << 31) = 99`.
const MAX_CLASSES: usize = 128;
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
    /// The fastest heap: O(1) size-class bins over a bump pointer.
    ///
    /// `SIZE` is the inline arena in bytes (default [`DEFAULT_ARENA_SIZE`], 16 KiB);
    /// `SegregatedBumpAllocator<0>` has none and takes a region with
    /// [`init`](Self::init). The class heads take a few hundred bytes of it.
    ///
    /// A request is rounded up to its size class (16, 32, 64, 128 bytes, then four
    /// classes per power of two, so at most a quarter more than asked for above 128
    /// bytes); `alloc` pops the class's list or bumps the pointer, `dealloc` pushes the
    /// block back. Reuse is by class only: memory freed in one class serves another
    /// only once the bump region is exhausted (a larger block is then split) or every
    /// block has been freed (the arena is reset). It suits firmware whose allocations
    /// come in a few recurring sizes.
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

/// The engine's state. The class heads are at the start of the arena, the heap
/// after them.
pub(crate) struct Segregated {
    /// Bytes in the heap proper; 0 until set up.
    heap_len: u32,
    /// Where the heap starts, from the arena's base.
    heap_off: u32,
    /// How many class heads the arena holds.
    classes: u32,
    /// The bump pointer: bytes `top..heap_len` have never been handed out (or came back).
    top: u32,
    /// Bit `c` is set when class `c`'s list is non-empty; a head is only read then.
    nonempty: [usize; WORDS],
    counters: Counters,
}

/// The class of a request of `size` bytes and the class's block size.
#[inline(always)]
fn class_of(size: u32) -> (usize, u32) {
    if size <= TABLE_LIMIT {
        // One load each instead of a dozen arithmetic instructions on both paths.
        let index = (size.max(1) as usize).div_ceil(GRANULE as usize);
        (
            TABLE_CLASS[index] as usize,
            TABLE_BLOCK[index] as u32 * GRANULE,
        )
    } else {
        class_formula(size)
    }
}

/// Requests up to this size take their class from the tables.
const TABLE_LIMIT: u32 = 1024;
const TABLE_LEN: usize = (TABLE_LIMIT / GRANULE) as usize + 1;
// `const`, not `static`: each user's copy is addressed directly, not through the GOT.
const TABLE_CLASS: [u8; TABLE_LEN] = table(true);
const TABLE_BLOCK: [u8; TABLE_LEN] = table(false);

/// Class (or block size in granules) of every request size up to `TABLE_LIMIT`, by
/// the request rounded up to 16.
const fn table(class: bool) -> [u8; TABLE_LEN] {
    let mut table = [0; TABLE_LEN];
    let mut index = 0;
    while index < TABLE_LEN {
        let (c, block) = class_formula(if index == 0 {
            1
        } else {
            index as u32 * GRANULE
        });
        table[index] = if class {
            c as u8
        } else {
            (block / GRANULE) as u8
        };
        index += 1;
    }
    table
}

/// 16, 32, 64, 128, then four classes per power of two.
const fn class_formula(size: u32) -> (usize, u32) {
    if size <= 128 {
        let block = if size < GRANULE { GRANULE } else { size }.next_power_of_two();
        ((block.trailing_zeros() - 4) as usize, block)
    } else {
        let t = size - 1;
        let fl = 31 - t.leading_zeros();
        let k = (t >> (fl - 2)) & 3;
        ((4 + (fl - 7) * 4 + k) as usize, (5 + k) << (fl - 2))
    }
}

/// The block size of class `class`.
fn class_size(class: usize) -> u32 {
    if class < 4 {
        GRANULE << class
    } else {
        let j = class as u32 - 4;
        (5 + j % 4) << (7 + j / 4 - 2)
    }
}

/// The largest class whose blocks fit in `len` bytes (a multiple of 16, at least 16).
fn floor_class(len: u32) -> usize {
    let fl = 31 - len.leading_zeros();
    if len < 160 {
        (fl - 4).min(3) as usize
    } else {
        (3 + (fl - 7) * 4 + ((len >> (fl - 2)) & 3)) as usize
    }
}

impl Segregated {
    #[inline(always)]
    fn heap(&self, base: *mut u8) -> *mut u8 {
        base.wrapping_add(self.heap_off as usize)
    }

    #[inline(always)]
    fn is_marked(&self, class: usize) -> bool {
        self.nonempty[word_of(class)] & (1 << (class % WORD_BITS)) != 0
    }

    /// Pops the head of a marked class.
    ///
    /// # Safety
    /// `base` is the arena and `class` is marked.
    #[inline(always)]
    unsafe fn pop(&mut self, base: *mut u8, class: usize) -> u32 {
        let head = base.cast::<u32>().wrapping_add(class);
        // SAFETY: the arena holds a head for every class below `classes`.
        let off = unsafe { head.read() };
        // SAFETY: `off` is a binned block; its first 4 bytes are its link.
        let next = unsafe {
            self.heap(base)
                .wrapping_add(off as usize)
                .cast::<u32>()
                .read()
        };
        // SAFETY: as above.
        unsafe { head.write(next) };
        if next == NIL {
            self.nonempty[word_of(class)] &= !(1 << (class % WORD_BITS));
        }
        off
    }

    /// Puts the free block at `off` on the list of `class`.
    ///
    /// # Safety
    /// `base` is the arena; the block is free, in the heap, of `class`'s size.
    #[inline(always)]
    unsafe fn push(&mut self, base: *mut u8, class: usize, off: u32) {
        let head = base.cast::<u32>().wrapping_add(class);
        let next = if self.is_marked(class) {
            // SAFETY: the arena holds a head for every class below `classes`.
            unsafe { head.read() }
        } else {
            NIL
        };
        // SAFETY: the block is free and at least 16 bytes.
        unsafe {
            self.heap(base)
                .wrapping_add(off as usize)
                .cast::<u32>()
                .write(next)
        };
        // SAFETY: as above.
        unsafe { head.write(off) };
        self.nonempty[word_of(class)] |= 1 << (class % WORD_BITS);
    }

    /// Files the free range `[off, off + len)` (multiples of 16) as class-sized blocks.
    ///
    /// # Safety
    /// `base` is the arena; the range is free memory in the heap below the top.
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

    /// Over-aligned requests, and an exhausted bump region.
    #[cold]
    #[inline(never)]
    fn alloc_slow(&mut self, base: *mut u8, class: usize, size: u32, align: usize) -> *mut u8 {
        let heap = self.heap(base);
        let aligned = |off: u32| (heap as usize + off as usize).is_multiple_of(align);
        if self.is_marked(class) {
            // SAFETY: the arena holds a head for every class below `classes`.
            let head = unsafe { base.cast::<u32>().wrapping_add(class).read() };
            if aligned(head) {
                // SAFETY: `class` is marked.
                let off = unsafe { self.pop(base, class) };
                self.counters.allocated(size as usize);
                return heap.wrapping_add(off as usize);
            }
        }
        let gap = (heap as usize + self.top as usize).wrapping_neg() & (align - 1);
        if (self.top as usize + gap + size as usize) <= self.heap_len as usize {
            let at = self.top + gap as u32;
            // SAFETY: the gap lies between the old top and the new block.
            unsafe { self.release(base, self.top, gap as u32) };
            self.top = at + size;
            self.counters.allocated(size as usize);
            return heap.wrapping_add(at as usize);
        }
        for larger in class + 1..self.classes as usize {
            if !self.is_marked(larger) {
                continue;
            }
            // SAFETY: the arena holds a head for every class below `classes`.
            let off = unsafe { base.cast::<u32>().wrapping_add(larger).read() };
            let block = class_size(larger);
            let gap = (heap as usize + off as usize).wrapping_neg() & (align - 1);
            if gap + size as usize > block as usize {
                continue;
            }
            // SAFETY: `larger` is marked.
            unsafe { self.pop(base, larger) };
            let at = off + gap as u32;
            // SAFETY: the pieces before and after the new block are free.
            unsafe { self.release(base, off, gap as u32) };
            // SAFETY: as above.
            unsafe { self.release(base, at + size, off + block - at - size) };
            self.counters.allocated(size as usize);
            return heap.wrapping_add(at as usize);
        }
        ptr::null_mut()
    }
}

impl Engine for Segregated {
    const NEW: Self = Segregated {
        heap_len: 0,
        heap_off: 0,
        classes: 0,
        top: 0,
        nonempty: [0; WORDS],
        counters: Counters::NEW,
    };
    const MIN_ARENA: usize = 256;
    const TOO_SMALL: &'static str = "tinyalloc: the inline arena SIZE of this SegregatedBumpAllocator is below 256 bytes, too small for its bookkeeping; make SIZE at least 256 (the default is 16 KiB), or 0 to hand it a region with init()";

    fn is_set_up(&self) -> bool {
        self.heap_len != 0
    }

    unsafe fn set_up(&mut self, _base: *mut u8, len: usize) {
        let classes = class_of(len as u32).0 as u32 + 1;
        let heap_off = (classes * 4).next_multiple_of(GRANULE);
        *self = Segregated {
            heap_len: len as u32 - heap_off,
            heap_off,
            classes,
            counters: self.counters,
            ..Segregated::NEW
        };
    }

    #[inline(always)]
    unsafe fn alloc(&mut self, base: *mut u8, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ARENA_SIZE {
            return ptr::null_mut();
        }
        let (class, size) = class_of(layout.size() as u32);
        if layout.align() <= GRANULE as usize {
            if self.is_marked(class) {
                // SAFETY: `class` is marked.
                let off = unsafe { self.pop(base, class) };
                self.counters.allocated(size as usize);
                return self.heap(base).wrapping_add(off as usize);
            }
            if self.top + size <= self.heap_len {
                let off = self.top;
                self.top += size;
                self.counters.allocated(size as usize);
                return self.heap(base).wrapping_add(off as usize);
            }
        }
        if class >= self.classes as usize {
            return ptr::null_mut();
        }
        self.alloc_slow(base, class, size, layout.align())
    }

    #[inline(always)]
    unsafe fn dealloc(&mut self, base: *mut u8, block: *mut u8, layout: Layout) {
        let (class, size) = class_of(layout.size() as u32);
        let off = (block as usize).wrapping_sub(self.heap(base) as usize) as u32;
        if off + size == self.top {
            self.top = off;
        } else {
            // SAFETY: the caller returns a live block of this class.
            unsafe { self.push(base, class, off) };
        }
        self.counters.freed(size as usize);
        if self.counters.allocations == 0 {
            // Nothing is live: the whole heap is the bump region again.
            self.top = 0;
            self.nonempty = [0; WORDS];
        }
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
        let (_, old) = class_of(layout.size() as u32);
        let (_, new) = class_of(new_size as u32);
        let off = (block as usize).wrapping_sub(self.heap(base) as usize) as u32;
        if new == old {
            return true;
        }
        if off + old == self.top {
            if off as usize + new as usize > self.heap_len as usize {
                return false;
            }
            self.top = off + new;
        } else if new < old {
            // SAFETY: the tail of a live block being shrunk is free from now on.
            unsafe { self.release(base, off + new, old - new) };
        } else {
            return false;
        }
        if new > old {
            self.counters.grew((new - old) as usize);
        } else {
            self.counters.shrank((old - new) as usize);
        }
        true
    }

    unsafe fn stats(&self, _base: *mut u8) -> HeapStats {
        let largest_binned = (0..self.classes as usize)
            .rev()
            .find(|&c| self.is_marked(c))
            .map_or(0, class_size);
        HeapStats {
            arena: 0,
            used: self.counters.used,
            free: self.heap_len as usize - self.counters.used,
            high_water: self.counters.high_water,
            largest_free: largest_binned.max(self.heap_len - self.top) as usize,
            allocations: self.counters.allocations,
            failed_allocs: self.counters.failed_allocs,
        }
    }

    unsafe fn verify(&self, base: *mut u8) -> Result<(), VerifyError> {
        if !self.is_set_up() {
            return Ok(());
        }
        let heap = self.heap(base);
        if self.top > self.heap_len || !self.top.is_multiple_of(GRANULE) {
            return Err(VerifyError::OutOfBounds {
                addr: heap as usize + self.top as usize,
            });
        }
        let mut binned = 0usize;
        let mut blocks = 0u32;
        for class in 0..self.classes as usize {
            if !self.is_marked(class) {
                continue;
            }
            let size = class_size(class);
            // SAFETY: the arena holds a head for every class below `classes`.
            let mut off = unsafe { base.cast::<u32>().wrapping_add(class).read() };
            while off != NIL {
                blocks += 1;
                if blocks > self.heap_len / GRANULE {
                    return Err(VerifyError::Cycle);
                }
                if !off.is_multiple_of(GRANULE) || off > self.top || self.top - off < size {
                    return Err(VerifyError::OutOfBounds {
                        addr: heap as usize + off as usize,
                    });
                }
                binned += size as usize;
                // SAFETY: a binned block below the top holds its link.
                off = unsafe { heap.wrapping_add(off as usize).cast::<u32>().read() };
            }
        }
        let free = binned + (self.heap_len - self.top) as usize;
        if free + self.counters.used != self.heap_len as usize {
            return Err(VerifyError::Accounting {
                used: self.counters.used,
                free,
                heap: self.heap_len as usize,
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
