//! The memory a heap manages: an inline arena, or a region handed in once.

use core::cell::UnsafeCell;

use super::MAX_ARENA_SIZE;

/// Every engine starts its arena on this boundary.
pub(crate) const REGION_ALIGN: usize = 16;

/// The inline arena of an engine: `SIZE` zero bytes, 16-aligned, so a `static`
/// holding it goes to `.bss`.
#[repr(C, align(16))]
pub(crate) struct Arena<const SIZE: usize> {
    bytes: UnsafeCell<[u8; SIZE]>,
}

impl<const SIZE: usize> Arena<SIZE> {
    pub(crate) const fn new() -> Self {
        Arena {
            bytes: UnsafeCell::new([0; SIZE]),
        }
    }

    /// The start of the arena. Writes through it are allowed: the bytes are in an
    /// `UnsafeCell`.
    #[inline(always)]
    pub(crate) fn base(&self) -> *mut u8 {
        self.bytes.get().cast()
    }

    /// The bytes an engine manages: `SIZE` rounded down to 16 and capped at
    /// [`MAX_ARENA_SIZE`].
    pub(crate) const USABLE: usize = usable_len(SIZE);
}

/// `len` rounded down to the region alignment and capped at [`MAX_ARENA_SIZE`].
pub(crate) const fn usable_len(len: usize) -> usize {
    let len = if len > MAX_ARENA_SIZE {
        MAX_ARENA_SIZE
    } else {
        len
    };
    len & !(REGION_ALIGN - 1)
}

/// The 16-aligned part of the region `[ptr, ptr + len)`: its start and usable length.
pub(crate) fn align_region(ptr: *mut u8, len: usize) -> (*mut u8, usize) {
    let skip = ptr.align_offset(REGION_ALIGN).min(len);
    (ptr.wrapping_add(skip), usable_len(len - skip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_aligned_and_rounded_down() {
        let mut bytes = [0u8; 100];
        let ptr = bytes.as_mut_ptr();
        let (start, len) = align_region(ptr.wrapping_add(1), 99);
        assert_eq!(start as usize % REGION_ALIGN, 0);
        assert!(start as usize > ptr as usize);
        assert!(start as usize + len <= ptr as usize + 100);
        assert_eq!(len % REGION_ALIGN, 0);
        assert_eq!(align_region(ptr.wrapping_add(1), 3).1, 0);
        assert_eq!(usable_len(usize::MAX), MAX_ARENA_SIZE);
        assert_eq!(Arena::<40>::USABLE, 32);
    }
}
