//! `FreeListAllocator` behind a `SpinLock` (the lock for threads that no interrupt
//! handler joins) as the `#[global_allocator]` of this test binary: std collections
//! from four threads at once (and the test harness itself) allocate from it.

use tinyalloc::heap::{FreeListAllocator, SpinLock};

#[global_allocator]
static ALLOCATOR: FreeListAllocator<{ 4 << 20 }, SpinLock> = FreeListAllocator::new();

tinyalloc_tests::global_heap_tests!(ALLOCATOR);
