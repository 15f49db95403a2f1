//! `SegregatedBumpAllocator` as the `#[global_allocator]` of this test binary: std collections from
//! four threads at once (and the test harness itself) allocate from it.

use tinyalloc::heap::SegregatedBumpAllocator;

#[global_allocator]
static ALLOCATOR: SegregatedBumpAllocator<{ 16 << 20 }> = SegregatedBumpAllocator::new();

tinyalloc_tests::global_heap_tests!(ALLOCATOR);
