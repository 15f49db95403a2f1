//! Raw access to a pool's slots and blocks by slot number, and the free-list link
//! kept in a free block: the `unsafe` steps the engine's safe methods are built on.

use core::slice;

use super::TinySlabAllocator;
use super::slot::Slot;
use crate::align::Alignment;

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> TinySlabAllocator<SIZE, SLOTS, A> {
    /// The slot with number `number`.
    ///
    /// One step past it and one back, for the reason `block_start` gives: with one
    /// step of `number - 1`, LLVM loses that the reference is not null, and an
    /// `Option` of it pays a null test.
    ///
    /// # Safety
    /// `1 <= number <= SLOTS`.
    #[inline]
    pub(super) unsafe fn slot(&self, number: usize) -> &Slot {
        // SAFETY: `number <= SLOTS`: at most one past the array.
        let end = unsafe { self.slots.as_ptr().add(number) };
        // SAFETY: `number >= 1`, so this is an element of the array.
        let slot = unsafe { end.sub(1) };
        // SAFETY: as above; `&self` is borrowed for the result's lifetime.
        unsafe { &*slot }
    }

    /// [`slot`](Self::slot), writable.
    ///
    /// # Safety
    /// `1 <= number <= SLOTS`.
    #[inline]
    pub(super) unsafe fn slot_mut(&mut self, number: usize) -> &mut Slot {
        // SAFETY: as in `slot`.
        let end = unsafe { self.slots.as_mut_ptr().add(number) };
        // SAFETY: as in `slot`.
        let slot = unsafe { end.sub(1) };
        // SAFETY: as in `slot`; `&mut self` makes the element ours.
        unsafe { &mut *slot }
    }

    /// The first `len` bytes of the block with slot number `number`.
    ///
    /// # Safety
    /// `1 <= number <= SLOTS` and `len <= BLOCK_SIZE`.
    #[inline]
    pub(super) unsafe fn block(&self, number: usize, len: usize) -> &[u8] {
        // SAFETY: the caller's `number`.
        let start = unsafe { self.block_start(number) };
        // SAFETY: the block is inside the storage, and so are its first
        // `len <= BLOCK_SIZE` bytes.
        unsafe { slice::from_raw_parts(start, len) }
    }

    /// The first `len` bytes of the block with slot number `number`, writable.
    ///
    /// # Safety
    /// `1 <= number <= SLOTS` and `len <= BLOCK_SIZE`.
    #[inline]
    pub(super) unsafe fn block_mut(&mut self, number: usize, len: usize) -> &mut [u8] {
        // SAFETY: the caller's `number`.
        let start = unsafe { self.block_start_mut(number) };
        // SAFETY: as in `block`; `&mut self` makes the bytes ours.
        unsafe { slice::from_raw_parts_mut(start, len) }
    }

    /// Where the block with slot number `number` (its index plus one) starts.
    ///
    /// Two in-bounds steps, to the end of the block and back, rather than one of
    /// `number * BLOCK_SIZE - BLOCK_SIZE`: LLVM rewrites that one into two steps without
    /// the in-bounds mark, and so loses that the pointer is not null, and every
    /// `Some(block)` paid a null test. The "minus one" still folds into the address.
    ///
    /// # Safety
    /// `1 <= number <= SLOTS`.
    #[inline]
    pub(super) unsafe fn block_start(&self, number: usize) -> *const u8 {
        // SAFETY: `number * BLOCK_SIZE <= SLOTS * BLOCK_SIZE = SIZE`: the end of the
        // block, at most one past the storage.
        let end = unsafe { self.storage.bytes.as_ptr().add(number * Self::BLOCK_SIZE) };
        // SAFETY: `number >= 1`, so the block's start is inside the storage.
        unsafe { end.sub(Self::BLOCK_SIZE) }
    }

    /// [`block_start`](Self::block_start), writable.
    ///
    /// # Safety
    /// `1 <= number <= SLOTS`.
    #[inline]
    pub(super) unsafe fn block_start_mut(&mut self, number: usize) -> *mut u8 {
        // SAFETY: as in `block_start`.
        let end = unsafe {
            self.storage
                .bytes
                .as_mut_ptr()
                .add(number * Self::BLOCK_SIZE)
        };
        // SAFETY: as in `block_start`.
        unsafe { end.sub(Self::BLOCK_SIZE) }
    }

    /// Reads the free-list link kept in the first two bytes of the free block with
    /// slot number `number`.
    ///
    /// # Safety
    /// `1 <= number <= SLOTS`.
    #[inline]
    pub(super) unsafe fn read_link(&self, number: usize) -> u16 {
        // SAFETY: the caller's `number`, and every block has at least
        // `MIN_BLOCK_SIZE` = 2 bytes.
        let bytes = unsafe { self.block(number, 2) };
        u16::from_ne_bytes([bytes[0], bytes[1]])
    }

    /// Writes the free-list link into the first two bytes of the free block with slot
    /// number `number`.
    ///
    /// # Safety
    /// `1 <= number <= SLOTS`.
    #[inline]
    pub(super) unsafe fn write_link(&mut self, number: usize, link: u16) {
        // SAFETY: as in `read_link`.
        let bytes = unsafe { self.block_mut(number, 2) };
        if let Some(bytes) = bytes.first_chunk_mut() {
            *bytes = link.to_ne_bytes();
        }
    }
}
