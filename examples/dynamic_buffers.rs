//! Growable buffers and queues over a fixed pool you pass in: no heap anywhere.
//!
//! `cargo run --example dynamic_buffers`

use tinyalloc::prelude::*;

fn main() {
    // 32 blocks of 32 bytes: each buffer chunk holds 28 bytes of data.
    let mut alloc = TinySlabAllocator::<1024, 32>::new();

    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, b"Dynamic ").unwrap();
    buf.write(&mut alloc, b"buffers take one block per 28 bytes, ")
        .unwrap();
    buf.write(&mut alloc, b"and give them all back on clear.")
        .unwrap();
    println!("buffer: {} bytes in {} blocks", buf.len(), alloc.len());

    // Zero-copy: each chunk is a slice of the pool's memory.
    for (i, chunk) in buf.chunks(&alloc).enumerate() {
        println!("  chunk {i}: {:?}", core::str::from_utf8(chunk).unwrap());
    }

    // Random access by offset.
    let mut word = [0u8; 7];
    assert_eq!(buf.read(&alloc, 8, &mut word), 7);
    println!("bytes 8..15: {:?}", core::str::from_utf8(&word).unwrap());
    assert_eq!(buf.to_vec(&alloc), buf.iter(&alloc).collect::<Vec<u8>>());

    buf.clear(&mut alloc).unwrap();
    println!("after clear: {} blocks in use", alloc.len());

    // A FIFO over the same pool: drained chunks go back at once.
    let mut deque = ByteBufferDeque::new();
    deque
        .push_slice(&mut alloc, b"first in, first out")
        .unwrap();
    let mut out = [0u8; 8];
    let n = deque.pop_into(&mut alloc, &mut out);
    println!(
        "popped {:?}, {} bytes still queued",
        core::str::from_utf8(&out[..n]).unwrap(),
        deque.len()
    );
    deque.clear(&mut alloc).unwrap();
    println!("stats: {}", alloc.stats());
}
