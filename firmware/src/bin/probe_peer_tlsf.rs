//! Size probe (peer): one embedded-alloc TlsfHeap alloc + dealloc of 64 bytes.
#![no_std]
#![no_main]

use core::alloc::{GlobalAlloc, Layout};
use core::hint::black_box;
use embedded_alloc::TlsfHeap as Heap;

static HEAP: Heap = Heap::empty();
static mut ARENA: [u8; 4096] = [0; 4096];

tinyalloc_firmware::probe! {
    let layout = Layout::from_size_align(black_box(64), 8).unwrap();
    // SAFETY: the arena is given to the heap once and used by nothing else.
    unsafe {
        HEAP.init(core::ptr::addr_of_mut!(ARENA) as usize, 4096);
        let ptr = HEAP.alloc(layout);
        if !ptr.is_null() {
            HEAP.dealloc(black_box(ptr), layout);
        }
    }
}
