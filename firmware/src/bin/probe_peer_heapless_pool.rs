//! Size probe (peer): one heapless `box_pool!` alloc + free of a 64-byte block.
#![no_std]
#![no_main]

use core::hint::black_box;
use heapless::box_pool;
use heapless::pool::boxed::BoxBlock;

box_pool!(P: [u8; 64]);

tinyalloc_firmware::probe! {
    let blocks: &'static mut [BoxBlock<[u8; 64]>; 4] = {
        static mut BLOCKS: [BoxBlock<[u8; 64]>; 4] = [const { BoxBlock::new() }; 4];
        // SAFETY: the probe's `main` runs once, so this is the only reference.
        unsafe { &mut *core::ptr::addr_of_mut!(BLOCKS) }
    };
    for block in blocks {
        P.manage(block);
    }
    if let Ok(boxed) = P.alloc(black_box([0u8; 64])) {
        drop(black_box(boxed));
    }
}
