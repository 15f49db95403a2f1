//! The size classes: 16, 32, 64 and 128 bytes, then four per power of two, and
//! the tables that give a small request its class in one load.

use super::{GRANULE, SMALL};

/// The class of a request of `size` bytes and the class's block size.
#[inline(always)]
pub(super) fn class_of(size: usize) -> (usize, u32) {
    if size <= TABLE_LIMIT {
        small_class(size)
    } else {
        class_formula(size as u32)
    }
}

/// [`class_of`] for `size <= TABLE_LIMIT`: one load each instead of a dozen
/// arithmetic instructions.
#[inline(always)]
pub(super) fn small_class(size: usize) -> (usize, u32) {
    // `size <= TABLE_LIMIT`, so the sum does not overflow and the index is in range
    // (the compiler sees both, so no bounds check is left).
    let index = size.div_ceil(GRANULE as usize).min(TABLE_LEN - 1);
    (
        TABLE_CLASS[index] as usize % SMALL,
        TABLE_BLOCK[index] as u32 * GRANULE,
    )
}

/// Requests up to this size take their class from the tables.
pub(super) const TABLE_LIMIT: usize = 1024;
const TABLE_LEN: usize = TABLE_LIMIT / GRANULE as usize + 1;
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
pub(super) const fn class_formula(size: u32) -> (usize, u32) {
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
pub(super) fn class_size(class: usize) -> u32 {
    if class < 4 {
        GRANULE << class
    } else {
        let j = class as u32 - 4;
        (5 + j % 4) << (7 + j / 4 - 2)
    }
}

/// The largest class whose blocks fit in `len` bytes (a multiple of 16, at least 16).
pub(super) fn floor_class(len: u32) -> usize {
    let fl = 31 - len.leading_zeros();
    if len < 160 {
        (fl - 4).min(3) as usize
    } else {
        (3 + (fl - 7) * 4 + ((len >> (fl - 2)) & 3)) as usize
    }
}
