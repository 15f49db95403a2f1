//! [`Tester`]: safe `GlobalAlloc` calls for the heap unit tests.

extern crate std;

use core::alloc::{GlobalAlloc, Layout};
use std::vec::Vec;

/// Drives a heap through `GlobalAlloc` with safe calls: it remembers every live block
/// and its layout, so a test cannot free a block twice or with the wrong layout.
pub(crate) struct Tester<'h, H: GlobalAlloc> {
    heap: &'h H,
    live: Vec<(*mut u8, Layout)>,
}

impl<'h, H: GlobalAlloc> Tester<'h, H> {
    pub(crate) fn new(heap: &'h H) -> Self {
        Tester {
            heap,
            live: Vec::new(),
        }
    }

    fn layout_of(&self, ptr: *mut u8) -> (usize, Layout) {
        let index = self.live.iter().position(|&(p, _)| p == ptr);
        let index = index.expect("not a live block of this tester");
        (index, self.live[index].1)
    }

    /// The heap it drives.
    pub(crate) fn heap(&self) -> &'h H {
        self.heap
    }

    /// A block of `size` bytes aligned to 8, or null.
    pub(crate) fn alloc(&mut self, size: usize) -> *mut u8 {
        self.alloc_aligned(size, 8)
    }

    pub(crate) fn alloc_aligned(&mut self, size: usize, align: usize) -> *mut u8 {
        let layout = Layout::from_size_align(size.max(1), align).unwrap();
        // SAFETY: the size is not zero.
        let ptr = unsafe { self.heap.alloc(layout) };
        if !ptr.is_null() {
            self.live.push((ptr, layout));
        }
        ptr
    }

    /// Blocks of `size` bytes until one fails: every block the heap could hand out.
    pub(crate) fn alloc_until_full(&mut self, size: usize) -> Vec<*mut u8> {
        core::iter::from_fn(|| Some(self.alloc(size)).filter(|block| !block.is_null())).collect()
    }

    pub(crate) fn free(&mut self, ptr: *mut u8) {
        let (index, layout) = self.layout_of(ptr);
        self.live.swap_remove(index);
        // SAFETY: a live block of this heap, with the layout it has now.
        unsafe { self.heap.dealloc(ptr, layout) };
    }

    pub(crate) fn realloc(&mut self, ptr: *mut u8, new_size: usize) -> *mut u8 {
        let (index, layout) = self.layout_of(ptr);
        // SAFETY: a live block with its layout; the new size is not zero and small.
        let new = unsafe { self.heap.realloc(ptr, layout, new_size.max(1)) };
        if !new.is_null() {
            self.live[index] = (
                new,
                Layout::from_size_align(new_size.max(1), layout.align()).unwrap(),
            );
        }
        new
    }

    /// Records a reallocation a test made by hand: the live block at `ptr` is now
    /// `new_size` bytes at `new`.
    pub(crate) fn moved(&mut self, ptr: *mut u8, new: *mut u8, new_size: usize) {
        let (index, layout) = self.layout_of(ptr);
        self.live[index] = (
            new,
            Layout::from_size_align(new_size, layout.align()).unwrap(),
        );
    }

    /// Writes `byte` over a live block.
    pub(crate) fn fill(&self, ptr: *mut u8, byte: u8) {
        let (_, layout) = self.layout_of(ptr);
        // SAFETY: a live block of `layout.size()` bytes.
        unsafe { ptr.write_bytes(byte, layout.size()) };
    }

    /// `true` when every byte of a live block is `byte`.
    pub(crate) fn holds(&self, ptr: *mut u8, byte: u8) -> bool {
        let (_, layout) = self.layout_of(ptr);
        self.holds_first(ptr, layout.size(), byte)
    }

    /// `true` when the first `len` bytes of a live block are all `byte`: what a
    /// `realloc` must keep of a block `fill` wrote before it grew.
    pub(crate) fn holds_first(&self, ptr: *mut u8, len: usize, byte: u8) -> bool {
        let (_, layout) = self.layout_of(ptr);
        assert!(len <= layout.size(), "past the end of the block");
        // SAFETY: `len` bytes of a live block, all written (by `fill` or the copy of
        // a `realloc`, whose caller asks about that many).
        let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
        bytes.iter().all(|&b| b == byte)
    }

    /// Frees every live block.
    pub(crate) fn free_all(&mut self) {
        while let Some(&(ptr, _)) = self.live.last() {
            self.free(ptr);
        }
    }
}
