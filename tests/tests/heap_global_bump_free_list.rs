//! `BumpFreeListAllocator` as the `#[global_allocator]` of this test binary: std collections from
//! four threads at once (and the test harness itself) allocate from it.

use tinyalloc::heap::BumpFreeListAllocator;

#[global_allocator]
static ALLOCATOR: BumpFreeListAllocator<{ 4 << 20 }> = BumpFreeListAllocator::new();

tinyalloc_tests::global_heap_tests!(ALLOCATOR);
