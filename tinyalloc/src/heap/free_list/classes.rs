//! Size classes and placement for the free list: request sizes, the class of a free
//! block, the first class that fits a request, and where an aligned request goes in a
//! block.

use super::{GRANULE, LINEAR_LIMIT, MIN_BLOCK};
use crate::heap::MAX_ARENA_SIZE;

/// The block size for a request of `len <= MAX_ARENA_SIZE` bytes: rounded up to 8, at
/// least 16.
#[inline(always)]
pub(super) fn block_size(len: usize) -> usize {
    ((len + GRANULE - 1) & !(GRANULE - 1)).max(MIN_BLOCK)
}

/// The block size for any request: `None` when larger than any arena.
#[inline(always)]
pub(super) fn checked_block_size(len: usize) -> Option<usize> {
    if len >= MAX_ARENA_SIZE {
        return None;
    }
    Some(block_size(len))
}

/// Sizes below this look their class up in [`CLASS_TABLE`].
pub(super) const TABLE_LIMIT: usize = 1024;

/// `class_of(8 * i)` for every multiple of 8 below `TABLE_LIMIT` (`class_of(8) = 1`
/// only serves [`below_fit`]). A load instead of a dozen arithmetic instructions on
/// the hottest paths; `const`, not `static`, so each user addresses its copy directly.
/// 128 entries, so an index masked with 127 needs no bounds check.
const CLASS_TABLE: [u8; TABLE_LIMIT / GRANULE] = {
    let mut table = [0; TABLE_LIMIT / GRANULE];
    let mut index = 1;
    while index < table.len() {
        table[index] = class_formula(index * GRANULE) as u8;
        index += 1;
    }
    table
};

/// The class a free block of `size` bytes (a multiple of 8, at least 16) is filed in.
#[inline(always)]
pub(super) fn class_of(size: usize) -> usize {
    if size < TABLE_LIMIT {
        CLASS_TABLE[(size / GRANULE) % CLASS_TABLE.len()] as usize
    } else {
        crate::hint::cold();
        class_formula(size)
    }
}

/// The class that holds `want - 8`: every class above it holds `want` bytes in each
/// of its blocks (classes are runs of consecutive sizes, each holding at least one),
/// so the first of them is [`fit_class`]`(want)`.
///
/// Unchecked, because the compiler cannot bound the index from `want`'s range: a
/// mask would cost two instructions on every allocation.
///
/// # Safety
/// `16 <= want <= TABLE_LIMIT`.
#[inline(always)]
pub(super) unsafe fn below_fit(want: usize) -> usize {
    debug_assert!((MIN_BLOCK..=TABLE_LIMIT).contains(&want));
    // SAFETY: `1 <= want / 8 - 1 < TABLE_LIMIT / 8`, the table's length, by the caller.
    (unsafe { *CLASS_TABLE.get_unchecked(want / GRANULE - 1) }) as usize
}

/// The first class whose every block holds `want` bytes, for any `want` from 16 to
/// `MAX_ARENA_SIZE`, a multiple of 8.
pub(super) fn fit_class(want: usize) -> usize {
    class_of(want - GRANULE) + 1
}

/// One class per 8 bytes below 128, then 8 per power of two.
pub(super) const fn class_formula(size: usize) -> usize {
    if size < LINEAR_LIMIT {
        size / GRANULE
    } else {
        let size = size as u32;
        let fl = 31 - size.leading_zeros();
        (((fl - 5) << 3) | ((size >> (fl - 3)) & 7)) as usize
    }
}

/// Where in the free block `[off, off + size)` (offsets from `base`) an allocation of
/// `want` bytes aligned to `align` starts, if it fits with no 8-byte remainder before
/// or after it.
#[inline]
pub(super) fn place(
    base: *mut u8,
    off: usize,
    size: usize,
    want: usize,
    align: usize,
) -> Option<usize> {
    let addr = base as usize + off;
    let mut gap = addr.wrapping_neg() & (align - 1);
    if gap == GRANULE {
        // 8 bytes cannot be a free block; start one alignment step later.
        gap += align;
    }
    let rest = size.checked_sub(gap)?.checked_sub(want)?;
    if rest == GRANULE {
        return None;
    }
    Some(off + gap)
}
