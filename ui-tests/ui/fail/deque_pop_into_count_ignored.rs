// `pop_into` fills only the front of `out`: without the count it returns, the rest of
// `out` cannot be told from data.
#![deny(unused_must_use)]

use tinyalloc::prelude::*;

fn main() {
    let mut slab = TinySlabAllocator::<256, 8>::new();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut slab, b"abc").unwrap();
    let mut out = [0u8; 8];
    deque.pop_into(&mut slab, &mut out);
}
