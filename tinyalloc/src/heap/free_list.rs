//! [`FreeListAllocator`]: good fit over segregated size classes, with splitting,
//! coalescing with both neighbours, quick slots for the sizes just freed, and no
//! header in allocated blocks.
//!
//! # Policy
//!
//! First the quick slots. The last two blocks freed of each size from 16 to 512 bytes
//! (in steps of 8) wait in slots of their size instead of being merged, and a request
//! that rounds to exactly that size takes one back: a load, a test and two stores,
//! where the free list would test both neighbours, merge, file the block, and later
//! search a size class and split. Programs ask again and again for the sizes they
//! have just given back; on the benchmark's mixed workload, whose sizes are spread
//! evenly from 8 to 512 bytes, 69 % of the requests are served from a slot
//! (`quick`). A waiting block is still allocated as far as the free list knows, so
//! it never confuses the neighbour tests; the waiting blocks are merged (freed for
//! real) when a request would otherwise fail (the search after the merge looks only
//! at the blocks the merges made), when the last live block is freed (an empty heap
//! is one free block, as at the start), and one by one when `realloc` wants to grow
//! into one. `stats()` counts them as free, and its `largest_free` is
//! the block merging them would make, so what waits is never lost to the program.
//!
//! Every other request goes to the free list, which is **not** address-ordered first
//! fit. `alloc` takes the first block of the smallest non-empty size class whose
//! every block holds the request (segregated good fit, as TLSF does): one search of a
//! bitmap of non-empty classes, O(1). It
//! splits that block at the front, hands out the front and files the rest on the
//! list of the rest's own class. A class list is in no address order: a block joins
//! its list at the front when it is freed, merged or split off. Only when no such
//! class has a usable first block (none is non-empty, or its first block would leave
//! an 8-byte rest, or the request is over-aligned or larger than 1 KiB) does `alloc`
//! go on, out of line: it tries the first block of every class that holds the request
//! at any alignment, then walks every block of every class that could hold it, and
//! fails only when none can serve it: hold it at its alignment with nothing, or at
//! least 16 bytes, to spare on each side. So, as with first fit, an allocation fails
//! only when no free block can serve it; unlike first fit, a block that would be left
//! with 8 bytes before or after the request does not (see "Eight-byte rests").
//!
//! Why not address-ordered first fit: it finds the lowest-addressed block that fits
//! with a search that grows with the number of free blocks (linked_list_allocator,
//! which does that, takes over 800 instructions per operation on the benchmark's
//! mixed workload), whereas the search by size class takes a bitmap lookup. The
//! exhaustive search before failing keeps first fit's property that matters for
//! packing: the heap fills as far as first fit's does in the benchmark's random-growth
//! workload (see the README's measurements).
//!
//! First fit with an index instead of a list was measured too: free blocks in a treap
//! ordered by address, each node holding the largest size beneath it, so the lowest
//! fit is found in O(log n). On the benchmark's mixed workload it took 298.7
//! instructions per operation against this engine's 100.9 at the time (58.0 now,
//! with the quick slots),
//! and it packed the random-growth workload to 94.8–95.3 % against 95.8–96.0 % (a
//! node needs 24 bytes, and 8- or 16-byte rests wait for a neighbour to be freed).
//! Good fit is kept.
//!
//! # Eight-byte rests
//!
//! A free block is never 8 bytes: it holds its size, two links and a footer, and the
//! side bitmap, a bit per 16-byte pair, could not tell the ends of an 8-byte block
//! from those of its neighbours. So no split leaves 8 bytes, and a request that fits
//! in a free block only with 8 bytes to spare before or after it is not served from
//! that block. When no other block serves it, it fails although a free block holds
//! it: in a fresh `FreeListAllocator<4096>`, whose one free block has 3,824 bytes,
//! 3,816 bytes fail where 3,824 and 3,808 succeed; and when the free block starts 8
//! bytes past a 16-byte boundary, a request aligned to 16 that would fill it from its
//! first 16-aligned byte to its end fails too (the unit test
//! `a_request_that_would_leave_eight_bytes_of_the_only_block_fails` pins both).
//! Likewise a `realloc` does not grow into a free next block that would keep only 8
//! bytes of it: the block moves instead.
//!
//! Handing out the whole block instead is not sound at this engine's cost: `dealloc`
//! and `realloc` take the block's size from the `Layout`, which names 8 bytes fewer,
//! and nothing records the other 8 (the side bit of their pair may be a free
//! neighbour's marker, and the bitmap has no bit to spare), so they would stay lost
//! when the block is freed and the emptied heap would no longer be one free block.
//!
//! # Shrinking by 8 bytes
//!
//! A `realloc` shrinks in place, the cut-off tail filed as free memory together with
//! a free block after it, except when the tail is 8 bytes and the block after it is
//! live: 8 bytes cannot be a free block of their own. Then, in turn: a block after
//! it that waits in a quick slot is merged and takes the 8 bytes; a free block just
//! before it takes the block instead, which slides down to that block's start and
//! leaves the free block and the tail as one free block behind it; failing both, the
//! block moves as any `realloc` that cannot stay does. So such a shrink returns null
//! (counted, the block as it was) only when no free block anywhere serves the new
//! size (a free block exactly 8 bytes larger does not: see "Eight-byte rests").
//!
//! A slide takes two critical sections and copies between them, with interrupts
//! enabled, as a moving `realloc` does: the first takes the free block below (counted
//! as used meanwhile, not as a new high-water mark), the second files what is left
//! behind the moved block. Copying inside one section, a block of almost a 64 KiB
//! heap kept interrupts masked for 66,063 x86_64 instructions.
//!
//! # Layout
//!
//! The arena holds the heads of the class lists (`u32` each, `NIL` = 0), then a side
//! bitmap with one bit per 16-byte pair of the arena (and one for the pair just past
//! its end), then the heap. Every offset counts from the arena's base. The quick
//! slots (two `u32` offsets per size, 504 bytes) are part of the engine's state,
//! beside the arena.
//!
//! - Sizes are rounded up to 8 bytes, 16 at least; `dealloc` gets the size back from
//!   its `Layout`, so an allocated block carries nothing but the caller's bytes.
//! - A free block holds its size, the next and previous block of its class list
//!   (32-bit offsets) and, in its last 4 bytes, its size again (the footer). The
//!   first block of a list has the list's head as its previous "block": the head seen
//!   as a node whose next field it is, so unlinking needs no special case.
//! - Each free block `[start, stop)` sets two side bits, its markers: the bits of the
//!   pairs holding its two ends, the offsets `start` and `stop`. Because every block
//!   is at least two granules long and free neighbours are always merged, the
//!   markers of different free blocks never share a pair, and the pair holding an
//!   end of a live block `[off, end)` can hold no marker but a free neighbour's: the
//!   bit of `end`'s pair says a free block starts at `end`, the bit of `off`'s pair
//!   says one ends at `off` (its footer gives its start). These are also the freed
//!   block's own markers, so `dealloc` flips both bits whatever it finds: a set bit
//!   was a neighbour's marker, cleared as the neighbour merges in; a clear one
//!   becomes the new block's marker. The pair of the arena's end has a bit too, so
//!   no test needs a bounds check.
//! - Classes: one per 8 bytes below 128, then 8 per power of two. A class's blocks
//!   differ by less than an eighth, so "every block holds the request" loses little.
//! - A free block is never 8 bytes (it could not hold its links), so a split that
//!   would leave 8 bytes looks further (see "Eight-byte rests").

use core::alloc::Layout;
use core::ptr;

use super::engine::Engine;
use super::engine_type::heap_engine;
use super::{Counters, HeapStats, VerifyError};
use classes::{TABLE_LIMIT, below_fit, block_size, checked_block_size, class_of};
use lists::Mem;
use quick::{QUICK_LIMIT, QUICK_SIZES, Slots};

mod classes;
mod lists;
mod quick;

const GRANULE: usize = 8;
const MIN_BLOCK: usize = 16;
/// The end of a list; offset 0 is the first class head, never a block.
const NIL: usize = 0;
/// The fields of a free block: its size, then the next and previous block of its
/// class list (offsets from the arena's base); its last 4 bytes repeat the size.
/// Fields hold `u32`s (an arena is at most 2 GiB); the code works on `usize`, so on
/// a 64-bit target an offset needs no widening before it addresses memory.
const SIZE: usize = 0;
const NEXT: usize = 4;
const PREV: usize = 8;
/// Below this size every class holds one size.
const LINEAR_LIMIT: usize = 128;
/// Enough classes for `MAX_ARENA_SIZE`: `class_of(1 << 31) = 208`.
const MAX_CLASSES: usize = 256;
const WORD_BITS: usize = usize::BITS as usize;
const WORDS: usize = MAX_CLASSES / WORD_BITS;
/// The classes `alloc`'s fast path starts its search at are below this (the fit class
/// of a 1,024-byte request is 40, the class below it 39).
const FAST_CLASSES: usize = 41;

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
    /// `SIZE / 128` bytes plus a few hundred go to bookkeeping (the side bitmap and
    /// the class heads: 432 bytes of the default 16 KiB); every other byte can be
    /// handed out. Each allocation costs its size rounded up to 8 bytes (16 at least),
    /// nothing more. Besides the arena, the value holds the engine's state: 592 bytes on
    /// a 32-bit target, 504 of them the quick slots.
    ///
    /// `dealloc` keeps the last two blocks freed of each size up to 512 bytes in
    /// quick slots, and `alloc` hands one back to the next request of exactly that
    /// size. Otherwise `alloc` takes the first block of the smallest non-empty size
    /// class whose every block fits (good fit; see the module's "Policy" for why not
    /// address-ordered first fit) and splits it; `dealloc` finds both neighbours
    /// through a side bitmap and boundary tags kept in free memory and merges with
    /// the free ones; `realloc` grows into the free and waiting blocks right after
    /// it unless that would leave 8 bytes of them, or shrinks in place (see the
    /// module's "Shrinking by 8 bytes" for the one shrink that may move). Only when
    /// that class search finds nothing does `alloc` search every free block that
    /// could serve the request, merging the waiting blocks if it has to, so a request
    /// fails only when no free block can serve it.
    ///
    /// One case holds a request and still fails it: a free block is at least 16
    /// bytes, so a block is never split to leave 8 bytes before or after a request. A
    /// request exactly 8 bytes smaller than the only free block that holds it fails
    /// (in a fresh `FreeListAllocator<4096>`, one free block of 3,824 bytes, a
    /// request of 3,816 bytes fails where 3,824 and 3,808 succeed), as does an
    /// over-aligned one that fits in it only when started 8 bytes into it. Giving out
    /// the whole block would lose the 8 bytes: `dealloc` learns the size from the
    /// smaller `Layout`.
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

/// The engine's state; see the module docs for the arena layout. Every offset counts
/// from the arena's base.
pub(crate) struct FreeList {
    /// The arena's length, where the heap ends; 0 until set up.
    end: usize,
    /// Where the heap starts, after the class heads and the side bitmap.
    heap: usize,
    /// Where the side bitmap starts (the class heads are at 0).
    bits: usize,
    /// How many class heads the arena holds.
    classes: usize,
    /// Bit `c` is set when class `c`'s list is non-empty.
    nonempty: [usize; WORDS],
    /// The quick slots of every size from 16 to 512 bytes (see `quick`).
    quick: [Slots; QUICK_SIZES],
    /// How many blocks wait in the quick slots.
    waiting: usize,
    counters: Counters,
}

impl Engine for FreeList {
    const NEW: Self = FreeList {
        end: 0,
        heap: 0,
        bits: 0,
        classes: 0,
        nonempty: [0; WORDS],
        quick: [[0; 2]; QUICK_SIZES],
        waiting: 0,
        counters: Counters::NEW,
    };
    const MIN_ARENA: usize = 256;
    const TOO_SMALL: &'static str = "tinyalloc: the inline arena SIZE of this FreeListAllocator is below 256 bytes, too small for its bookkeeping; make SIZE at least 256 (the default is 16 KiB), or 0 to hand it a region with init()";
    const SLIDES: bool = true;

    fn is_set_up(&self) -> bool {
        self.end != 0
    }

    unsafe fn set_up(&mut self, base: *mut u8, len: usize) {
        let end = len;
        let classes = class_of(end) + 1;
        let bits = classes * 4;
        // A bit per pair of the arena, and one for the pair just past its end, where
        // the marker of a free block at the end of the heap lies.
        let words = (end / 16 + 1).div_ceil(32);
        let heap = (bits + words * 4).next_multiple_of(16);
        self.end = end;
        self.heap = heap;
        self.bits = bits;
        self.classes = classes;
        self.nonempty = [0; WORDS];
        // SAFETY: the heads (all `NIL`) and the bitmap (all clear) lie at the start of
        // the arena, below `heap`.
        unsafe { ptr::write_bytes(base, 0, heap) };
        // SAFETY: the heap is one free block with no neighbours.
        unsafe { self.push(self.mem(base), heap, end - heap) };
    }

    #[inline(always)]
    unsafe fn alloc(&mut self, base: *mut u8, layout: Layout, fresh: usize) -> *mut u8 {
        if layout.size() <= TABLE_LIMIT && layout.align() <= GRANULE {
            let want = block_size(layout.size());
            if want <= QUICK_LIMIT {
                // SAFETY: `want` is a multiple of 8 from 16 to `QUICK_LIMIT`.
                if let Some(off) = unsafe { self.take_quick(want) } {
                    self.counters.allocated(want);
                    // SAFETY: a waiting block lies in the arena.
                    return unsafe { base.add(off) };
                }
            }
            let m = self.mem(base);
            // SAFETY: `16 <= want <= TABLE_LIMIT`: the request is at most that.
            let below = unsafe { below_fit(want) };
            // The non-empty classes above `below`, word by word of the bitmap; a
            // block that would leave 8 bytes drops its class from `mask`. (Where a
            // word holds every class of this path, as on 64-bit targets, the
            // compiler knows the first word. When `below` is a word's last class,
            // the first mask is empty and the search goes on with the next word.)
            let mut word = if FAST_CLASSES <= WORD_BITS {
                0
            } else {
                below / WORD_BITS
            };
            let above = (usize::MAX << 1) << (below % WORD_BITS);
            let mut mask = self.nonempty[word % WORDS] & above;
            let (found, off, size) = loop {
                while mask == 0 {
                    word += 1;
                    if word >= WORDS {
                        // SAFETY: the caller's contract.
                        return unsafe { self.alloc_cold(base, layout, fresh) };
                    }
                    mask = self.nonempty[word];
                }
                let found = word * WORD_BITS + mask.trailing_zeros() as usize;
                // SAFETY: a marked class has a filed head block.
                let off = unsafe { m.head(found) };
                // SAFETY: as above; every block of `found` holds `want` bytes.
                let size = unsafe { m.get(off, SIZE) };
                if size - want != GRANULE {
                    break (found, off, size);
                }
                // An 8-byte rest could not hold its links: look further.
                mask &= mask - 1;
            };
            let rest = size - want;
            // SAFETY: as above.
            let next = unsafe { m.get(off, NEXT) };
            // SAFETY: `off` heads `found`, and `next` follows it.
            unsafe { self.pop(m, found, next) };
            if rest != 0 {
                let after = off + want;
                // SAFETY: the rest is free memory in the heap, at least 16 bytes.
                unsafe { self.attach(m, after, rest, class_of(rest)) };
                // The block's marker at its end stays: it is the rest's now.
                // SAFETY: in the heap.
                unsafe { m.set_bit(after) };
            } else {
                // SAFETY: the block's end is at most the arena's.
                unsafe { m.clear_bit(off + size) };
            }
            // SAFETY: in the heap.
            unsafe { m.clear_bit(off) };
            self.counters.allocated(want);
            // SAFETY: the block lies in the arena.
            return unsafe { base.add(off) };
        }
        // SAFETY: the caller's contract.
        unsafe { self.alloc_cold(base, layout, fresh) }
    }

    #[inline(always)]
    unsafe fn dealloc(&mut self, base: *mut u8, block: *mut u8, layout: Layout) {
        let size = block_size(layout.size());
        let off = (block as usize).wrapping_sub(base as usize);
        self.counters.freed(size);
        if self.counters.used == 0 {
            // The last live block: merge everything, so an empty heap is one free
            // block, as it was at the start.
            // SAFETY: the caller's contract: a live block of `size` bytes.
            return unsafe { self.release_last(self.mem(base), off, size) };
        }
        // SAFETY: `size` is a multiple of 8, at least 16, and checked against the limit.
        if size <= QUICK_LIMIT && unsafe { self.keep_quick(off, size) } {
            return;
        }
        // SAFETY: the caller's contract: a live block of `size` bytes.
        unsafe { self.release(self.mem(base), off, size) };
    }

    unsafe fn resize_in_place(
        &mut self,
        base: *mut u8,
        block: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> bool {
        let old = block_size(layout.size());
        let Some(new) = checked_block_size(new_size) else {
            return false;
        };
        if new == old {
            return true;
        }
        let m = self.mem(base);
        let off = (block as usize).wrapping_sub(base as usize);
        let end = off + old;
        // SAFETY: `end` is the end of the live block.
        let mut next = unsafe { self.free_at(m, end) };
        if new > old {
            let need = new - old;
            // A block waiting in a quick slot is free to the program that gave it
            // back: merge the one that starts where the free memory after the block
            // ends (right at its end when none is free), and look again. Each look
            // scans every slot, so from the second on, all the waiting blocks are
            // merged at once instead, in one scan: one by one, a growth through all
            // 126 took 70,000 x86_64 instructions with interrupts masked.
            let mut merged = false;
            while next < need || next - need == GRANULE {
                let found = if merged {
                    // SAFETY: the engine is set up over `m`'s arena; the blocks it
                    // merges join their free neighbours, the one at `end` among them.
                    unsafe { self.flush(m) }
                } else {
                    // SAFETY: as above; `end` is still the end of the live block, and
                    // the merged block joins the free one there.
                    unsafe { self.unquick(m, end + next) }
                };
                if !found {
                    break;
                }
                merged = true;
                // SAFETY: as above.
                next = unsafe { self.free_at(m, end) };
            }
            if next < need || next - need == GRANULE {
                return false;
            }
            // SAFETY: a free block of `next` bytes starts at `end`.
            unsafe { self.unlink(m, end, next) };
            if next > need {
                // SAFETY: the rest of the next block, free, at least 16 bytes.
                unsafe { self.push(m, off + new, next - need) };
            }
            self.counters.grew(need);
        } else {
            let tail = old - new;
            // An 8-byte tail cannot be a free block of its own: it needs a free block
            // after it to join, and one waiting in a quick slot will do.
            // SAFETY: as for growing.
            if next == 0 && tail == GRANULE && unsafe { self.unquick(m, end) } {
                // SAFETY: as above.
                next = unsafe { self.free_at(m, end) };
            }
            if next != 0 {
                // SAFETY: a free block of `next` bytes starts at `end`.
                unsafe { self.unlink(m, end, next) };
            } else if tail == GRANULE {
                return false;
            }
            // SAFETY: the cut-off tail and the free block after it, if any.
            unsafe { self.push(m, off + new, tail + next) };
            self.counters.shrank(tail);
        }
        true
    }

    /// The shrink `resize_in_place` refuses (8 bytes off a block whose next block is
    /// live), started: the block will slide down to the start of the free block
    /// before it, which is taken and counted as used until `finish_slide` hands it
    /// back, with the cut-off tail, as one free block after the moved block.
    unsafe fn claim_below(
        &mut self,
        base: *mut u8,
        block: *mut u8,
        layout: Layout,
        _new_size: usize,
    ) -> *mut u8 {
        let m = self.mem(base);
        let off = (block as usize).wrapping_sub(base as usize);
        // SAFETY: the engine is set up (it handed out `block`); `off` is the start
        // of the live block, so a block waiting there ends at `off`.
        unsafe { self.unquick_ending(m, off) };
        // SAFETY: `off` is in the heap; next to the live block that starts there, its
        // pair holds a marker only if a free block ends at `off`.
        if !unsafe { m.bit(off) } {
            return ptr::null_mut();
        }
        // SAFETY: a filed free block ends at `off`; its footer is its last 4 bytes.
        let below = unsafe { m.footer(off) };
        let start = off - below;
        // `align` is a power of two: a mask, not a division (a library call on a
        // Cortex-M0).
        if (base as usize + start) & (layout.align() - 1) != 0 {
            return ptr::null_mut();
        }
        // SAFETY: a filed free block of `below` bytes starts at `start`.
        unsafe { self.unlink(m, start, below) };
        // Used while the block slides: `verify` and `stats` between the two sections
        // find the heap's bytes accounted for. Not a new high-water mark: the program
        // asked for less, not more.
        self.counters.lend(below);
        base.wrapping_add(start)
    }

    unsafe fn finish_slide(
        &mut self,
        base: *mut u8,
        block: *mut u8,
        moved: *mut u8,
        layout: Layout,
        new_size: usize,
    ) {
        let (old, new) = (block_size(layout.size()), block_size(new_size));
        let m = self.mem(base);
        let off = (block as usize).wrapping_sub(base as usize);
        let start = (moved as usize).wrapping_sub(base as usize);
        let below = off - start;
        // SAFETY: `[start + new, off + old)`, what is left of the free block taken
        // and the old block, lies behind the moved block, is no longer used, in no
        // quick slot, and has no markers of its own (`unlink` cleared the taken
        // block's, and the live block had none); `release` merges it with a free
        // block after it and files it.
        unsafe { self.release(m, start + new, below + old - new) };
        self.counters.shrank(below + old - new);
    }

    unsafe fn stats(&self, base: *mut u8) -> HeapStats {
        let mut largest = 0;
        let m = self.mem(base);
        if self.waiting != 0 {
            // SAFETY: blocks wait only in a heap that is set up, over `base`.
            largest = unsafe { self.largest_merged(m) };
        }
        if let Some(top) = (0..self.classes).rev().find(|&c| self.is_marked(c)) {
            // SAFETY: a marked class has a filed head block.
            let mut off = unsafe { m.head(top) };
            let mut steps = 0;
            while off != NIL && steps <= self.end / MIN_BLOCK {
                // SAFETY: `off` is a filed free block.
                largest = largest.max(unsafe { m.get(off, SIZE) });
                // SAFETY: as above.
                off = unsafe { m.get(off, NEXT) };
                steps += 1;
            }
        }
        // 0 for a region heap until `init`.
        let usable = self.end - self.heap;
        HeapStats {
            arena: 0,
            used: self.counters.used,
            // Wrapping: after a block freed twice `used` has wrapped (`verify` says so).
            free: usable.wrapping_sub(self.counters.used),
            high_water: self.counters.high_water,
            largest_free: largest,
            allocations: self.counters.allocations,
            failed_allocs: self.counters.failed_allocs,
        }
    }

    unsafe fn verify(&self, base: *mut u8) -> Result<(), VerifyError> {
        if !self.is_set_up() {
            return Ok(());
        }
        // SAFETY: the engine is set up over `base`; the caller keeps other contexts
        // out of the arena.
        unsafe { verify::check(self, self.mem(base)) }
    }

    fn counters(&mut self) -> &mut Counters {
        &mut self.counters
    }
}

mod verify;

#[cfg(test)]
mod tests;
