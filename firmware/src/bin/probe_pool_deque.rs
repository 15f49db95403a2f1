//! Size probe: a `PoolDeque` that names its pool's type, over a pool of 8 blocks of
//! 32 bytes (the `Slab256b8` preset's shape), pushed and popped once.
#![no_std]
#![no_main]

use core::hint::black_box;
use tinyalloc::Pool;
use tinyalloc::global::PoolDeque;

#[tinyalloc::pool(size = 256, slots = 8)]
static RX_POOL: Pool;
static QUEUE: PoolDeque<Pool<256, 8>> = PoolDeque::new(&RX_POOL);

tinyalloc_firmware::probe! {
    let _ = QUEUE.push(black_box(7));
    black_box(QUEUE.pop());
}
