//! Size classes and placement for the free list: request sizes, the class of a free
//! block, the first class that fits a request, and where an aligned request goes in a
//! block.

use super::{GRANULE, LINEAR_LIMIT, MIN_BLOCK};
use crate::heap::MAX_ARENA_SIZE;

/// The block size for a request: rounded up to 8, at least 16; `None` when larger
/// than any arena.
#[inline(always)]
pub(super) fn block_size(len: usize) -> Option<u32> {
    if len > MAX_ARENA_SIZE {
        return None;
    }
    Some(((len as u32 + GRANULE - 1) & !(GRANULE - 1)).max(MIN_BLOCK))
}

/// The class a free block of `size` bytes (a multiple of 8, at least 16) is filed in.
#[inline(always)]
pub(super) fn class_of(size: u32) -> usize {
    if size < TABLE_LIMIT {
        CLASS_TABLE[(size >> 3) as usize] as usize
    } else {
        class_formula(size)
    }
}

/// The first class whose every block holds `size` bytes.
#[inline(always)]
pub(super) fn fit_class(size: u32) -> usize {
    if size < TABLE_LIMIT {
        FIT_TABLE[(size >> 3) as usize] as usize
    } else {
        fit_formula(size)
    }
}

/// Sizes below this look their class up in a table (a load instead of a dozen
/// arithmetic instructions, on the hottest path of both `alloc` and `dealloc`).
pub(super) const TABLE_LIMIT: u32 = 1024;
// `const`, not `static`: each user's copy is addressed directly, not through the GOT.
const CLASS_TABLE: [u8; (TABLE_LIMIT / GRANULE) as usize] = class_table(false);
const FIT_TABLE: [u8; (TABLE_LIMIT / GRANULE) as usize] = class_table(true);

const fn class_table(fit: bool) -> [u8; (TABLE_LIMIT / GRANULE) as usize] {
    let mut table = [0; (TABLE_LIMIT / GRANULE) as usize];
    let mut index = (MIN_BLOCK / GRANULE) as usize;
    while index < table.len() {
        let size = index as u32 * GRANULE;
        let class = if fit {
            fit_formula(size)
        } else {
            class_formula(size)
        };
        table[index] = class as u8;
        index += 1;
    }
    table
}

/// One class per 8 bytes below 128, then 8 per power of two.
pub(super) const fn class_formula(size: u32) -> usize {
    if size < LINEAR_LIMIT {
        (size >> 3) as usize
    } else {
        let fl = 31 - size.leading_zeros();
        (((fl - 5) << 3) | ((size >> (fl - 3)) & 7)) as usize
    }
}

/// `size` rounded up to the next class boundary, then its class.
pub(super) const fn fit_formula(size: u32) -> usize {
    if size < LINEAR_LIMIT {
        (size >> 3) as usize
    } else {
        let fl = 31 - size.leading_zeros();
        class_formula(size + (1 << (fl - 3)) - 1)
    }
}

/// Where in the free block `[off, off + size)` an allocation of `want` bytes aligned
/// to `align` starts, if it fits with no 8-byte remainder before or after it.
#[inline]
pub(super) fn place(heap: *mut u8, off: u32, size: u32, want: u32, align: usize) -> Option<u32> {
    let addr = heap as usize + off as usize;
    let mut gap = addr.wrapping_neg() & (align - 1);
    if gap == GRANULE as usize {
        // 8 bytes cannot be a free block; start one alignment step later.
        gap += align;
    }
    let rest = (size as usize)
        .checked_sub(gap)?
        .checked_sub(want as usize)?;
    if rest == GRANULE as usize {
        return None;
    }
    Some(off + gap as u32)
}
