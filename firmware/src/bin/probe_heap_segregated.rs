//! Size probe: one `SegregatedBumpAllocator` alloc + dealloc of 64 bytes (4 KiB arena).
#![no_std]
#![no_main]

use core::alloc::{GlobalAlloc, Layout};
use core::hint::black_box;
use tinyalloc::heap::SegregatedBumpAllocator;

static HEAP: SegregatedBumpAllocator<4096> = SegregatedBumpAllocator::new();

tinyalloc_firmware::probe! {
    let layout = Layout::from_size_align(black_box(64), 8).unwrap();
    // SAFETY: the block goes back to the heap it came from, with its layout.
    unsafe {
        let ptr = HEAP.alloc(layout);
        if !ptr.is_null() {
            HEAP.dealloc(black_box(ptr), layout);
        }
    }
}
