// `read` copies fewer bytes than `out` holds at the end of the buffer: without the
// count it returns, the rest of `out` cannot be told from data.
#![deny(unused_must_use)]

use tinyalloc::prelude::*;

fn main() {
    let mut slab = TinySlabAllocator::<256, 8>::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut slab, b"abc").unwrap();
    let mut out = [0u8; 8];
    buf.read(&slab, 0, &mut out);
}
