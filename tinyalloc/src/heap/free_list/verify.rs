//! [`check`]: the walk behind `FreeListAllocator::verify`.

use super::{FreeList, GRANULE, GUARD, MIN_BLOCK, Mem, NIL, class_of};
use crate::heap::VerifyError;

/// Walks every class list and checks each free block: in bounds, a sane size with a
/// matching footer, on the list for its size, linked both ways, marked in the side
/// bitmap, not touching another free block. Then checks that the side bitmap holds no
/// other bits and that free and used bytes add up to the heap.
///
/// # Safety
/// The engine is set up over the arena `m` points into.
pub(super) unsafe fn check(engine: &FreeList, m: Mem) -> Result<(), VerifyError> {
    let heap_len = engine.heap_len;
    let addr = |off: u32| m.heap as usize + off as usize;
    let mut free = 0usize;
    let mut blocks = 0u32;
    let mut bits_expected = 0u32;
    for class in 0..engine.classes as usize {
        // SAFETY: `class < classes`.
        let mut off = unsafe { m.head(class) };
        if engine.is_marked(class) != (off != NIL) {
            return Err(VerifyError::BitmapMismatch {
                addr: m.heads.wrapping_add(class) as usize,
            });
        }
        let mut prev = NIL;
        while off != NIL {
            blocks += 1;
            if blocks > heap_len / MIN_BLOCK {
                return Err(VerifyError::Cycle);
            }
            if !off.is_multiple_of(GRANULE) || off < GUARD || off >= heap_len - GUARD {
                return Err(VerifyError::OutOfBounds { addr: addr(off) });
            }
            // SAFETY: `off + 16 <= heap_len - 16`, checked above.
            let size = unsafe { m.get(off) };
            if size < MIN_BLOCK || !size.is_multiple_of(GRANULE) || size > heap_len - GUARD - off {
                return Err(VerifyError::BadSize {
                    addr: addr(off),
                    size: size as usize,
                });
            }
            // SAFETY: the block lies in the heap, checked above.
            let footer = unsafe { m.get(off + size - 4) };
            if footer != size {
                return Err(VerifyError::BadSize {
                    addr: addr(off),
                    size: footer as usize,
                });
            }
            if class_of(size) != class {
                return Err(VerifyError::WrongClass {
                    addr: addr(off),
                    size: size as usize,
                });
            }
            // SAFETY: in the block, checked above.
            if unsafe { m.get(off + 8) } != prev {
                return Err(VerifyError::BrokenLink { addr: addr(off) });
            }
            let first = off >> 4;
            let last = (off + size - GRANULE) >> 4;
            // SAFETY: both granules are in the heap.
            if !unsafe { m.bit(first) } || !unsafe { m.bit(last) } {
                return Err(VerifyError::BitmapMismatch { addr: addr(off) });
            }
            let end = off + size;
            // A bit in a pair of its own can only mean a free block next door.
            // SAFETY: `end < heap_len` is checked first.
            if end < heap_len && end >> 4 != last && unsafe { m.bit(end >> 4) } {
                return Err(VerifyError::NotCoalesced { addr: addr(off) });
            }
            // SAFETY: `off >= 8` is checked first.
            if off > 0 && (off - GRANULE) >> 4 != first && unsafe { m.bit((off - GRANULE) >> 4) } {
                return Err(VerifyError::NotCoalesced {
                    addr: addr(off - GRANULE),
                });
            }
            bits_expected += if first == last { 1 } else { 2 };
            free += size as usize;
            prev = off;
            // SAFETY: in the block, checked above.
            off = unsafe { m.get(off + 4) };
        }
    }
    let words = (heap_len / 16).div_ceil(32) as usize;
    let mut bits_set = 0;
    for word in 0..words {
        // SAFETY: the bitmap has `words` words.
        bits_set += unsafe { m.bits.wrapping_add(word).read() }.count_ones();
    }
    if bits_set != bits_expected {
        return Err(VerifyError::BitmapMismatch {
            addr: m.bits as usize,
        });
    }
    let used = engine.counters.used;
    if used + free + 2 * GUARD as usize != heap_len as usize {
        return Err(VerifyError::Accounting {
            used,
            free,
            heap: heap_len as usize,
        });
    }
    Ok(())
}
