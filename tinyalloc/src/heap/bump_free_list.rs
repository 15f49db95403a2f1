//! [`BumpFreeListAllocator`]: a bump pointer plus one address-ordered free list.
//!
//! Sizes are rounded up to 8 bytes. A free block holds the link to the next free
//! block (a `u32`, 0 for none) and its size; allocated blocks hold nothing extra.
//! `alloc` takes the first free block that fits (splitting it), else bumps the
//! pointer; `dealloc` walks the list to the block's place, merges it with free
//! neighbours, and lowers the bump pointer when the merged block reaches it. The
//! least code of the three engines, at the price of list walks.

use core::alloc::Layout;

use super::engine::Engine;
use super::engine_type::heap_engine;
use super::{Counters, HeapStats, MAX_ARENA_SIZE, VerifyError};

const GRANULE: u32 = 8;

heap_engine! {
    /// The smallest heap: a bump pointer plus an address-ordered free list with first
    /// fit and coalescing.
    ///
    /// `SIZE` is the inline arena in bytes (default [`DEFAULT_ARENA_SIZE`], 16 KiB);
    /// `BumpFreeListAllocator<0>` has none and takes a region with
    /// [`init`](Self::init). All of the arena can be handed out: the engine keeps its
    /// list in free memory and allocated blocks carry no header (each costs its size
    /// rounded up to 8 bytes).
    ///
    /// `alloc` and `dealloc` walk the free list (O(free blocks)), which stays short
    /// when a program frees roughly in reverse order of allocation, as most firmware
    /// does. `realloc` grows in place into a free next block or at the bump pointer.
    ///
    /// ```
    /// use core::alloc::{GlobalAlloc, Layout};
    /// use tinyalloc::heap::BumpFreeListAllocator;
    ///
    /// static HEAP: BumpFreeListAllocator<1024> = BumpFreeListAllocator::new();
    ///
    /// let layout = Layout::from_size_align(100, 4).unwrap();
    /// unsafe {
    ///     let a = HEAP.alloc(layout);
    ///     let b = HEAP.alloc(layout);
    ///     HEAP.dealloc(a, layout);           // a hole below `b`
    ///     assert_eq!(HEAP.alloc(layout), a); // first fit reuses it
    ///     HEAP.dealloc(a, layout);
    ///     HEAP.dealloc(b, layout);           // everything merges into the bump region
    /// }
    /// assert_eq!(HEAP.stats().largest_free, 1024);
    /// ```
    ///
    /// [`DEFAULT_ARENA_SIZE`]: crate::heap::DEFAULT_ARENA_SIZE
    BumpFreeListAllocator, BumpFreeList
}

/// The engine's state: the heap is the whole arena.
pub(crate) struct BumpFreeList {
    /// Bytes in the heap; 0 until set up.
    heap_len: u32,
    /// The bump pointer: bytes `top..heap_len` are free and on no list.
    top: u32,
    /// The first free block's offset + 8; 0 when the list is empty.
    first: u32,
    counters: Counters,
}

/// A free block: where it is, its size and its link (next offset + 8, or 0).
#[derive(Clone, Copy)]
struct Node {
    off: u32,
    size: u32,
    next: u32,
}

/// The block size for a request: rounded up to 8, at least 8.
#[inline(always)]
fn block_size(len: usize) -> Option<u32> {
    if len > MAX_ARENA_SIZE {
        return None;
    }
    Some(((len as u32 + GRANULE - 1) & !(GRANULE - 1)).max(GRANULE))
}

impl BumpFreeList {
    /// # Safety
    /// `link` is a non-zero link of the list in `heap`.
    #[inline(always)]
    unsafe fn node(heap: *mut u8, link: u32) -> Node {
        let off = link - GRANULE;
        let at = heap.wrapping_add(off as usize).cast::<u32>();
        // SAFETY: a free block holds its link and its size in its first 8 bytes.
        let next = unsafe { at.read() };
        // SAFETY: as above.
        let size = unsafe { at.wrapping_add(1).read() };
        Node { off, size, next }
    }

    /// The offset of the node `link` names, if a node could lie there: 8-aligned,
    /// its header below the top. `stats` and `verify` check this before they read a
    /// node, since a stray write into free memory may have left any link.
    #[inline]
    fn node_offset(&self, link: u32) -> Option<u32> {
        let off = link.wrapping_sub(GRANULE);
        (off.is_multiple_of(GRANULE) && off < self.top && self.top - off >= GRANULE).then_some(off)
    }

    /// Writes a free block's link and size.
    ///
    /// # Safety
    /// `[off, off + 8)` is free memory in `heap`.
    #[inline(always)]
    unsafe fn write(heap: *mut u8, off: u32, size: u32, next: u32) {
        let at = heap.wrapping_add(off as usize).cast::<u32>();
        // SAFETY: free memory, at least 8 bytes, 8-aligned.
        unsafe { at.write(next) };
        // SAFETY: as above.
        unsafe { at.wrapping_add(1).write(size) };
    }

    /// Points the link before a node (the list head, or the node at `prev`) at `link`.
    ///
    /// # Safety
    /// `prev`, if any, is a node of the list.
    #[inline(always)]
    unsafe fn relink(&mut self, heap: *mut u8, prev: Option<u32>, link: u32) {
        match prev {
            // SAFETY: a node's link is its first 4 bytes.
            Some(off) => unsafe { heap.wrapping_add(off as usize).cast::<u32>().write(link) },
            None => self.first = link,
        }
    }

    /// Returns `[off, off + len)` to the free memory: merged with the free blocks
    /// around it, or with the bump region when it reaches the top.
    ///
    /// A range that cannot be allocated memory (not below the top, misaligned, or
    /// overlapping a free block: a block given back twice, or with a larger size than
    /// it has) is refused, and `false` returned: linked in, it would make the list
    /// loop, and the next walk of it would never end.
    ///
    /// # Safety
    /// The range was allocated until now (or the caller broke `dealloc`'s contract,
    /// which this detects as far as the list can tell).
    unsafe fn release(&mut self, heap: *mut u8, off: u32, len: u32) -> bool {
        if off >= self.top || len > self.top - off || !off.is_multiple_of(GRANULE) {
            return false;
        }
        let mut before: Option<u32> = None; // the node before `prev`
        let mut prev: Option<Node> = None;
        let mut link = self.first;
        // `link - 8` is the node's offset; for the end of the list (link 0) it wraps
        // past every offset, so one comparison stops the walk at either.
        while link.wrapping_sub(GRANULE) < off {
            // SAFETY: `link` is a link of the list.
            let node = unsafe { Self::node(heap, link) };
            before = prev.map(|p| p.off);
            prev = Some(node);
            link = node.next;
        }
        let mut start = off;
        let mut end = off + len;
        if prev.is_some_and(|p| p.off + p.size > start) || link.wrapping_sub(GRANULE) < end {
            return false;
        }
        if link.wrapping_sub(GRANULE) == end {
            // SAFETY: as above.
            let next = unsafe { Self::node(heap, link) };
            end += next.size;
            link = next.next;
        }
        let mut slot = prev.map(|p| p.off);
        if let Some(p) = prev
            && p.off + p.size == start
        {
            start = p.off;
            slot = before;
        }
        if end == self.top {
            // The merged block is the last free one: it joins the bump region.
            self.top = start;
            // SAFETY: `slot` is a node of the list, or the head.
            unsafe { self.relink(heap, slot, 0) };
        } else {
            // SAFETY: `[start, end)` is free memory; `slot` is a node or the head.
            unsafe { Self::write(heap, start, end - start, link) };
            // SAFETY: as above.
            unsafe { self.relink(heap, slot, start + GRANULE) };
        }
        true
    }
}

impl Engine for BumpFreeList {
    const NEW: Self = BumpFreeList {
        heap_len: 0,
        top: 0,
        first: 0,
        counters: Counters::NEW,
    };
    const MIN_ARENA: usize = 16;
    const TOO_SMALL: &'static str = "tinyalloc: the inline arena SIZE of this BumpFreeListAllocator is below 16 bytes, the smallest heap; make SIZE at least 16 (the default is 16 KiB), or 0 to hand it a region with init()";

    fn is_set_up(&self) -> bool {
        self.heap_len != 0
    }

    unsafe fn set_up(&mut self, _base: *mut u8, len: usize) {
        self.heap_len = len as u32;
        self.top = 0;
        self.first = 0;
    }

    unsafe fn alloc(&mut self, heap: *mut u8, layout: Layout, fresh: usize) -> *mut u8 {
        let Some(size) = block_size(layout.size()) else {
            return self.counters.fail();
        };
        let align = layout.align();
        let gap_at = |off: u32| (heap as usize + off as usize).wrapping_neg() & (align - 1);
        let at = 'found: {
            let mut prev: Option<u32> = None;
            let mut link = self.first;
            while link != 0 {
                // SAFETY: `link` is a link of the list.
                let node = unsafe { Self::node(heap, link) };
                let gap = gap_at(node.off);
                if gap + size as usize <= node.size as usize {
                    let at = node.off + gap as u32;
                    let end = at + size;
                    let mut after = node.next;
                    if end < node.off + node.size {
                        // SAFETY: the rest of the free block, at least 8 bytes.
                        unsafe { Self::write(heap, end, node.off + node.size - end, after) };
                        after = end + GRANULE;
                    }
                    if gap > 0 {
                        // SAFETY: the gap is the front of the free block, a multiple of 8.
                        unsafe { Self::write(heap, node.off, gap as u32, after) };
                    } else {
                        // SAFETY: `prev` is a node of the list, or the head.
                        unsafe { self.relink(heap, prev, after) };
                    }
                    break 'found at;
                }
                prev = Some(node.off);
                link = node.next;
            }
            if !self.is_set_up() && fresh != 0 {
                // The first allocation of an inline arena: nothing is free yet, and
                // the list is empty, so the bump region is all there is to try.
                // SAFETY: the caller's contract for an engine that is not set up.
                unsafe { self.set_up(heap, fresh) };
            }
            let gap = gap_at(self.top);
            if self.top as usize + gap + size as usize > self.heap_len as usize {
                return self.counters.fail();
            }
            if gap > 0 {
                // The alignment gap becomes the last free block (nothing free touches
                // the top, so it merges with nothing).
                // SAFETY: the gap is free memory at the old top.
                unsafe { Self::write(heap, self.top, gap as u32, 0) };
                // SAFETY: `prev` is the last node of the list, or the head.
                unsafe { self.relink(heap, prev, self.top + GRANULE) };
            }
            let at = self.top + gap as u32;
            self.top = at + size;
            at
        };
        self.counters.allocated(size as usize);
        heap.wrapping_add(at as usize)
    }

    unsafe fn dealloc(&mut self, heap: *mut u8, block: *mut u8, layout: Layout) {
        let Some(size) = block_size(layout.size()) else {
            return;
        };
        let off = (block as usize).wrapping_sub(heap as usize) as u32;
        // A block given back twice is refused (the list is left whole), but counted
        // all the same: `used` then wraps, and `verify` reports the damage.
        // SAFETY: the caller returns a live block of this size.
        unsafe { self.release(heap, off, size) };
        self.counters.freed(size as usize);
    }

    unsafe fn resize_in_place(
        &mut self,
        heap: *mut u8,
        block: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> bool {
        let (Some(old), Some(new)) = (block_size(layout.size()), block_size(new_size)) else {
            return false;
        };
        let off = (block as usize).wrapping_sub(heap as usize) as u32;
        let end = off + old;
        if new == old {
            return true;
        }
        if end == self.top {
            if off as usize + new as usize > self.heap_len as usize {
                return false;
            }
            self.top = off + new;
        } else if new < old {
            // SAFETY: the tail of the live block is free from now on (so it is
            // never refused).
            unsafe { self.release(heap, off + new, old - new) };
        } else {
            let need = new - old;
            let mut prev: Option<u32> = None;
            let mut link = self.first;
            // As in `release`: `link - 8` wraps past every offset at the list's end.
            while link.wrapping_sub(GRANULE) < end {
                // SAFETY: `link` is a link of the list.
                let node = unsafe { Self::node(heap, link) };
                prev = Some(node.off);
                link = node.next;
            }
            if link.wrapping_sub(GRANULE) != end {
                return false;
            }
            // SAFETY: as above.
            let next = unsafe { Self::node(heap, link) };
            if next.size < need {
                return false;
            }
            let after = if next.size == need {
                next.next
            } else {
                // SAFETY: the rest of the next free block moves up by `need`.
                unsafe { Self::write(heap, end + need, next.size - need, next.next) };
                end + need + GRANULE
            };
            // SAFETY: `prev` is a node of the list, or the head.
            unsafe { self.relink(heap, prev, after) };
        }
        if new > old {
            self.counters.grew((new - old) as usize);
        } else {
            self.counters.shrank((old - new) as usize);
        }
        true
    }

    unsafe fn stats(&self, heap: *mut u8) -> HeapStats {
        let mut largest = self.heap_len - self.top;
        let mut link = self.first;
        let mut steps = 0;
        while link != 0 && steps <= self.heap_len / GRANULE {
            // A damaged list (which `verify` reports) ends the walk where it leaves
            // the heap, and no block counts as larger than the heap below the top.
            let Some(off) = self.node_offset(link) else {
                break;
            };
            // SAFETY: `off + 8 <= top`: a node's header is in the heap.
            let node = unsafe { Self::node(heap, link) };
            largest = largest.max(node.size.min(self.top - off));
            link = node.next;
            steps += 1;
        }
        HeapStats {
            arena: 0,
            used: self.counters.used,
            // Wrapping: after a block freed twice `used` has wrapped (`verify` says so).
            free: (self.heap_len as usize).wrapping_sub(self.counters.used),
            high_water: self.counters.high_water,
            largest_free: largest as usize,
            allocations: self.counters.allocations,
            failed_allocs: self.counters.failed_allocs,
        }
    }

    unsafe fn verify(&self, heap: *mut u8) -> Result<(), VerifyError> {
        if !self.is_set_up() {
            return Ok(());
        }
        // Wrapping: a damaged link is any `u32`, and on a 32-bit target the heap's
        // address plus one can pass the end of the address space.
        let addr = |off: u32| (heap as usize).wrapping_add(off as usize);
        if self.top > self.heap_len || !self.top.is_multiple_of(GRANULE) {
            return Err(VerifyError::OutOfBounds {
                addr: addr(self.top),
            });
        }
        let mut free = (self.heap_len - self.top) as usize;
        let mut link = self.first;
        let mut last_end: Option<u32> = None;
        let mut steps = 0;
        while link != 0 {
            steps += 1;
            // A bound, not a detector: the list is in address order, so a loop
            // steps back and is reported as a `BrokenLink` first.
            if steps > self.heap_len / GRANULE {
                return Err(VerifyError::Cycle);
            }
            let Some(off) = self.node_offset(link) else {
                return Err(VerifyError::OutOfBounds {
                    addr: addr(link.wrapping_sub(GRANULE)),
                });
            };
            if let Some(end) = last_end {
                if off < end {
                    return Err(VerifyError::BrokenLink { addr: addr(off) });
                }
                if off == end {
                    return Err(VerifyError::NotCoalesced { addr: addr(off) });
                }
            }
            // SAFETY: `off + 8 <= top`, checked above: a node of the list.
            let node = unsafe { Self::node(heap, link) };
            if node.size == 0 || !node.size.is_multiple_of(GRANULE) || node.size > self.top - off {
                return Err(VerifyError::BadSize {
                    addr: addr(off),
                    size: node.size as usize,
                });
            }
            if off + node.size == self.top {
                return Err(VerifyError::NotCoalesced { addr: addr(off) });
            }
            free += node.size as usize;
            last_end = Some(off + node.size);
            link = node.next;
        }
        // Checked: after a block freed twice `used` has wrapped, and the sum must
        // neither panic nor wrap back to the heap's size.
        if free.checked_add(self.counters.used) != Some(self.heap_len as usize) {
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
