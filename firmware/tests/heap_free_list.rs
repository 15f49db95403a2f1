//! `FreeListAllocator` as the `#[global_allocator]` of a firmware image: `alloc`
//! collections, allocation from an interrupt handler, and out-of-memory as a value.
#![no_std]
#![no_main]

#[path = "common/heap_workloads.rs"]
mod workloads;

use tinyalloc::heap::FreeListAllocator;

#[global_allocator]
static HEAP: FreeListAllocator<{ 32 * 1024 }> = FreeListAllocator::new();

heap_image!(HEAP);
