//! Allocate, write, read, free, see a stale handle turned away, print the stats.
//!
//! `cargo run --example quickstart`

use tinyalloc::prelude::*;

fn main() {
    // 32 blocks of 32 bytes in one value: no heap, no start-up code.
    let mut alloc = TinySlabAllocator::<1024, 32>::new();

    let greeting = alloc.alloc(b"hello, tinyalloc").expect("a free block");
    let (reading, bytes) = alloc.alloc_uninit(4).expect("a free block");
    bytes.copy_from_slice(&21.5f32.to_le_bytes());

    let text = core::str::from_utf8(alloc.get(greeting).unwrap()).unwrap();
    println!("greeting: {text}");
    let celsius = f32::from_le_bytes(alloc.get(reading).unwrap().try_into().unwrap());
    println!("reading:  {celsius} C");

    if let Err(error) = alloc.alloc(&[0; 64]) {
        println!("64 bytes: {error}");
    }

    alloc.free(greeting);
    println!("stale handle after free: {:?}", alloc.get(greeting));
    println!("double free accepted: {}", alloc.free(greeting));
    println!("stats: {}", alloc.stats());
}
