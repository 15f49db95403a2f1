//! Size probe (peer): one linked_list_allocator first-fit alloc + dealloc of 64 bytes.
#![no_std]
#![no_main]

use core::alloc::Layout;
use core::hint::black_box;
use linked_list_allocator::Heap;

static mut ARENA: [u8; 4096] = [0; 4096];

tinyalloc_firmware::probe! {
    let layout = Layout::from_size_align(black_box(64), 8).unwrap();
    // SAFETY: the arena is given to the heap once and used by nothing else.
    let mut heap = unsafe { Heap::new(core::ptr::addr_of_mut!(ARENA).cast(), 4096) };
    if let Ok(ptr) = heap.allocate_first_fit(layout) {
        // SAFETY: `ptr` came from this heap with this layout.
        unsafe { heap.deallocate(black_box(ptr), layout) };
    }
    black_box(&heap);
}
