// `peek_into` fills only the front of `out`: without the count it returns, the rest
// of `out` cannot be told from data. The same on the shared queues.
#![deny(unused_must_use)]

use tinyalloc::global::PoolDeque;
use tinyalloc::prelude::*;

#[tinyalloc::pool(size = 256, slots = 8)]
static RX_POOL: Pool;
static RX: PoolDeque = PoolDeque::new(&RX_POOL);

fn main() {
    let mut slab = TinySlabAllocator::<256, 8>::new();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut slab, b"abc").unwrap();
    let mut out = [0u8; 8];
    deque.peek_into(&slab, &mut out);
    RX.peek_into(&mut out);
}
