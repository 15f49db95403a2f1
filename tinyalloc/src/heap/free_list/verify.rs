//! [`check`]: the walk behind `FreeListAllocator::verify`.

use super::lists::head_node;
use super::{FreeList, GRANULE, MIN_BLOCK, Mem, NEXT, NIL, PREV, SIZE, class_of};
use crate::heap::VerifyError;

/// Checks the blocks waiting in the quick slots (in the heap, none overlapping
/// another), then walks every class list and checks each free block: in bounds, a
/// sane size with a matching footer, on the list for its size, linked both ways,
/// marked in the side bitmap, overlapping no waiting block. Then checks that the side
/// bitmap holds no other bits, that no free block touches another, and that free,
/// waiting and used bytes add up to the heap.
///
/// # Safety
/// The engine is set up over the arena `m` points into, and no other context uses
/// the arena while this runs (the heap's lock is held): on a damaged heap the search
/// for touching blocks flips side bits, and flips them back.
pub(super) unsafe fn check(engine: &FreeList, m: Mem) -> Result<(), VerifyError> {
    let (heap, end) = (engine.heap, engine.end);
    // Wrapping: a damaged link is any `u32`, and on a 32-bit target the arena's
    // address plus one can pass the end of the address space.
    let addr = |off: usize| (m.base as usize).wrapping_add(off);
    let waiting = engine.waiting_by_address();
    let mut free = 0;
    for (off, size) in waiting.iter() {
        // Not `off + size`: a foreign pointer freed into a slot is any `u32`, which
        // plus the size passes the end of a 32-bit `usize`.
        if !off.is_multiple_of(GRANULE) || off < heap || off > end || size > end - off {
            return Err(VerifyError::OutOfBounds { addr: addr(off) });
        }
        // Waiting blocks are free to the program; counted with the free ones.
        free += size;
    }
    if waiting.len() != engine.waiting {
        return Err(VerifyError::Accounting {
            used: engine.counters.used,
            free,
            heap: end - heap,
        });
    }
    for i in 1..waiting.len() {
        let ((before, size), (after, _)) = (waiting.get(i - 1), waiting.get(i));
        if before + size > after {
            return Err(VerifyError::FreedTwice { addr: addr(after) });
        }
    }
    let mut blocks = 0;
    let mut bits_expected = 0u32;
    for class in 0..engine.classes {
        // SAFETY: `class < classes`.
        let mut off = unsafe { m.head(class) };
        if engine.is_marked(class) != (off != NIL) || (class < 2 && off != NIL) {
            return Err(VerifyError::BitmapMismatch {
                addr: addr(class * 4),
            });
        }
        let mut prev = if class < 2 { NIL } else { head_node(class) };
        while off != NIL {
            blocks += 1;
            // A bound, not a detector: a loop comes back to a block whose backward
            // link names another, which is reported as a `BrokenLink` first.
            if blocks > (end - heap) / MIN_BLOCK {
                return Err(VerifyError::Cycle);
            }
            if !off.is_multiple_of(GRANULE) || off < heap || off > end - MIN_BLOCK {
                return Err(VerifyError::OutOfBounds { addr: addr(off) });
            }
            // SAFETY: `off + 16 <= end`, checked above.
            let size = unsafe { m.get(off, SIZE) };
            if size < MIN_BLOCK || !size.is_multiple_of(GRANULE) || size > end - off {
                return Err(VerifyError::BadSize {
                    addr: addr(off),
                    size,
                });
            }
            // SAFETY: the block lies in the heap, checked above.
            let footer = unsafe { m.get(off + size - 4, SIZE) };
            if footer != size {
                return Err(VerifyError::BadSize {
                    addr: addr(off),
                    size: footer,
                });
            }
            if let Some(w) = waiting.overlapping(off, off + size) {
                return Err(VerifyError::FreedTwice { addr: addr(w) });
            }
            if class_of(size) != class {
                return Err(VerifyError::WrongClass {
                    addr: addr(off),
                    size,
                });
            }
            // SAFETY: in the block, checked above.
            if unsafe { m.get(off, PREV) } != prev {
                return Err(VerifyError::BrokenLink { addr: addr(off) });
            }
            // SAFETY: both ends are at most `end`: the bitmap has bits for their pairs.
            if !unsafe { m.bit(off) } || !unsafe { m.bit(off + size) } {
                return Err(VerifyError::BitmapMismatch { addr: addr(off) });
            }
            bits_expected += 2;
            // Saturating: free blocks filed over one another (a damaged heap) can
            // add up to more than a 32-bit `usize` holds; the sum then fails the
            // accounting check below, as the exact sum does on a 64-bit target.
            free = free.saturating_add(size);
            prev = off;
            // SAFETY: in the block, checked above.
            off = unsafe { m.get(off, NEXT) };
        }
    }
    let words = (end / 16 + 1).div_ceil(32);
    let mut bits_set = 0;
    for word in 0..words {
        // SAFETY: the bitmap has `words` words.
        bits_set += unsafe { m.bits.wrapping_add(word).read() }.count_ones();
    }
    if bits_set != bits_expected {
        // Every block has its two markers, so fewer bits than markers means two
        // blocks share one: most likely two that touch and were not merged.
        if bits_set < bits_expected {
            // SAFETY: the lists were walked whole above, every block's markers found
            // set, and the caller keeps other contexts out of the arena.
            if let Some(off) = unsafe { touching(engine, m) } {
                return Err(VerifyError::NotCoalesced { addr: addr(off) });
            }
        }
        return Err(VerifyError::BitmapMismatch {
            addr: m.bits as usize,
        });
    }
    let used = engine.counters.used;
    // Checked: after a block freed twice `used` has wrapped, and the sum must neither
    // panic nor wrap back to the heap's size.
    if used.checked_add(free) != Some(end - heap) {
        return Err(VerifyError::Accounting {
            used,
            free,
            heap: (end - heap),
        });
    }
    Ok(())
}

/// A free block another free block starts right after, if there is one. The markers
/// of touching blocks share a bit, so the bit alone cannot tell; instead the start
/// marker of every filed block is flipped: a stop marker (set, as the walk checked)
/// that is clear afterwards has a block starting in its pair. The start markers are
/// flipped back before it returns, so the bitmap ends as it was. Three walks of the
/// lists: linear, even on a heap with thousands of free blocks.
///
/// # Safety
/// As for [`check`], its walk found every list whole and every block's two markers
/// set, and no other context reaches the arena meanwhile (the heap's lock is held).
unsafe fn touching(engine: &FreeList, m: Mem) -> Option<usize> {
    let filed = || Filed {
        engine,
        m,
        class: 0,
        off: NIL,
    };
    let flip_starts = || {
        for off in filed() {
            // SAFETY: a filed block starts in the heap, whose pairs have bits.
            unsafe { m.flip(off) };
        }
    };
    flip_starts();
    let found = filed().find(|&off| {
        // SAFETY: a filed free block holds its size.
        let stop = off + unsafe { m.get(off, SIZE) };
        // SAFETY: the block ends at most at the heap's end, whose pair has a bit.
        !unsafe { m.bit(stop) }
    });
    flip_starts();
    found
}

/// Every filed free block, class by class. Built only by [`touching`], whose caller
/// vouches that every list is whole.
struct Filed<'a> {
    engine: &'a FreeList,
    m: Mem,
    /// The next class whose list to walk.
    class: usize,
    /// The next block of the list being walked, or `NIL` at its end.
    off: usize,
}

impl Iterator for Filed<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.off == NIL {
            if self.class >= self.engine.classes {
                return None;
            }
            // SAFETY: `class < classes`.
            self.off = unsafe { self.m.head(self.class) };
            self.class += 1;
        }
        let off = self.off;
        // SAFETY: `check`'s walk found every list whole, so `off` is a free block in
        // the heap, which holds its links.
        self.off = unsafe { self.m.get(off, NEXT) };
        Some(off)
    }
}
