//! `SegregatedBumpAllocator` as the `#[global_allocator]` of a firmware image: `alloc`
//! collections, allocation from an interrupt handler, and out-of-memory as a value.
#![no_std]
#![no_main]

#[path = "common/heap_workloads.rs"]
mod workloads;

use tinyalloc::heap::SegregatedBumpAllocator;

#[global_allocator]
static HEAP: SegregatedBumpAllocator<{ 32 * 1024 }> = SegregatedBumpAllocator::new();

heap_image!(HEAP);
