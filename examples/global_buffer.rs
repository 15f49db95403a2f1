//! The global instance: set it once, then buffers and queues need no allocator.
//!
//! `cargo run --example global_buffer`

use tinyalloc::global::{self, AllocatorConfig, GlobalDeque};
use tinyalloc::prelude::*;

static EVENTS: GlobalDeque = GlobalDeque::new();

fn main() {
    // Before start-up is done, every global operation says so instead of panicking.
    let mut early = ByteBuffer::new();
    if let Err(error) = early.extend(b"too early") {
        println!("before init: {error}");
    }

    AllocatorConfig::Slab1K32.init().unwrap();
    if let Err(error) = AllocatorConfig::Slab4K128.init() {
        println!("second init: {error}");
    }

    let mut buf = ByteBuffer::new();
    buf.extend(b"Global allocator").unwrap();
    buf.extend(b": no pool argument anywhere").unwrap();
    let mut text = vec![0u8; buf.len()];
    buf.read_global(0, &mut text).unwrap();
    println!("buffer: {:?}", String::from_utf8(text).unwrap());

    EVENTS.push_slice(b"boot").unwrap();
    EVENTS.push(b'!').unwrap();
    let mut event = [0u8; 8];
    let n = EVENTS.pop_into(&mut event);
    println!("event: {:?}", core::str::from_utf8(&event[..n]).unwrap());

    println!("global pool: {}", global::stats().unwrap());
    drop(buf); // a buffer written through the global instance gives its blocks back
    println!("after drop:  {}", global::stats().unwrap());
}
