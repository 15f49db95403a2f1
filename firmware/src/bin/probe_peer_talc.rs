//! Size probe (peer): one talc allocate + deallocate of 64 bytes.
#![no_std]
#![no_main]

use core::alloc::Layout;
use core::hint::black_box;
use talc::DefaultBinning;
use talc::base::Talc;
use talc::source::Manual;

static mut ARENA: [u8; 4096] = [0; 4096];

/// talc links `alloc` (through allocator-api2), which wants a global allocator.
#[global_allocator]
static UNUSED: tinyalloc_firmware::NoGlobalAllocator = tinyalloc_firmware::NoGlobalAllocator;

tinyalloc_firmware::probe! {
    let mut talc = Talc::<Manual, DefaultBinning>::new(Manual);
    let layout = Layout::from_size_align(black_box(64), 8).unwrap();
    // SAFETY: the arena is used by this allocator alone, once.
    unsafe {
        talc.claim(core::ptr::addr_of_mut!(ARENA).cast(), 4096);
        if let Some(ptr) = talc.allocate(layout) {
            talc.deallocate(black_box(ptr.as_ptr()), layout);
        }
    }
    black_box(&talc);
}
