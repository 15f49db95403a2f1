//! Size probe: one `#[tinyalloc::pool]` alloc + free of a 64-byte block.
#![no_std]
#![no_main]

use core::hint::black_box;

#[tinyalloc::pool(size = 256, slots = 4)]
static POOL: Pool;

tinyalloc_firmware::probe! {
    if let Ok(handle) = POOL.alloc(&black_box([0u8; 64])) {
        black_box(POOL.free(black_box(handle)));
    }
}
