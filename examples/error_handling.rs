//! Every way a tiny pool says no, and what stays unchanged when it does.
//!
//! `cargo run --example error_handling`

use tinyalloc::global::{self, AllocatorConfig};
use tinyalloc::prelude::*;

fn main() {
    // A deliberately tiny pool: 4 blocks of 16 bytes, 12 bytes of data per chunk.
    let mut alloc = TinySlabAllocator::<64, 4>::new();

    // A request larger than a block.
    let error = alloc.alloc(&[0; 20]).unwrap_err();
    println!("alloc 20 bytes:     {error}");

    // A buffer write that needs more blocks than are free takes none.
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, b"29 bytes of sensor data: fits")
        .unwrap();
    let before = (buf.len(), alloc.len());
    match buf.write(&mut alloc, b"but this does not fit anywhere") {
        Err(error @ ByteBufferError::AllocationFailed) => {
            println!("write 30 more:      {error}");
        }
        other => panic!("expected AllocationFailed, got {other:?}"),
    }
    assert_eq!((buf.len(), alloc.len()), before);
    println!(
        "buffer unchanged:   {} bytes in {} blocks",
        before.0, before.1
    );

    // Stale and double frees are refused and counted.
    buf.clear(&mut alloc).unwrap();
    let handle = alloc.alloc(b"temporary").unwrap();
    alloc.free(handle);
    println!("read after free:    {:?}", alloc.get(handle));
    println!("free it again:      {}", alloc.free(handle));

    // A pool whose blocks cannot hold a chunk header and data.
    let mut crumbs = TinySlabAllocator::<16, 4, Align4>::new();
    let error = ByteBuffer::new().write(&mut crumbs, b"x").unwrap_err();
    println!("4-byte blocks:      {error}");

    // The global instance, before and after it is set.
    let error = ByteBuffer::new().extend(b"x").unwrap_err();
    println!("global, unset:      {error}");
    AllocatorConfig::Slab256b8.init().unwrap();
    let error = AllocatorConfig::Slab1K32.init().unwrap_err();
    println!("global, set twice:  {error}");

    println!("tiny pool stats:    {}", alloc.stats());
    println!("global pool stats:  {}", global::stats().unwrap());
}
