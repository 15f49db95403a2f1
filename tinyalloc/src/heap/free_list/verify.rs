//! [`check`]: the walk behind `FreeListAllocator::verify`.

use super::lists::head_node;
use super::{FreeList, GRANULE, MIN_BLOCK, Mem, NEXT, NIL, PREV, SIZE, class_of};
use crate::heap::VerifyError;

/// Walks every class list and checks each free block: in bounds, a sane size with a
/// matching footer, on the list for its size, linked both ways, marked in the side
/// bitmap, not touching another free block. Then checks that the side bitmap holds no
/// other bits and that free and used bytes add up to the heap.
///
/// # Safety
/// The engine is set up over the arena `m` points into.
pub(super) unsafe fn check(engine: &FreeList, m: Mem) -> Result<(), VerifyError> {
    let (heap, end) = (engine.heap, engine.end);
    let addr = |off: usize| m.base as usize + off;
    let mut free = 0;
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
            let last = off + size - GRANULE;
            // SAFETY: both granules are in the heap.
            if !unsafe { m.bit(off) } || !unsafe { m.bit(last) } {
                return Err(VerifyError::BitmapMismatch { addr: addr(off) });
            }
            let after = off + size;
            // A bit in a pair of its own can only mean a free block next door.
            // SAFETY: `after <= end`: the bitmap has a bit for that pair.
            if after / 16 != last / 16 && unsafe { m.bit(after) } {
                return Err(VerifyError::NotCoalesced { addr: addr(off) });
            }
            // SAFETY: `off - 8` lies in the heap or the bookkeeping before it.
            if (off - GRANULE) / 16 != off / 16 && unsafe { m.bit(off - GRANULE) } {
                return Err(VerifyError::NotCoalesced {
                    addr: addr(off - GRANULE),
                });
            }
            bits_expected += if off / 16 == last / 16 { 1 } else { 2 };
            free += size;
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
        return Err(VerifyError::BitmapMismatch {
            addr: m.bits as usize,
        });
    }
    let used = engine.counters.used;
    if used + free != (end - heap) {
        return Err(VerifyError::Accounting {
            used,
            free,
            heap: (end - heap),
        });
    }
    Ok(())
}
