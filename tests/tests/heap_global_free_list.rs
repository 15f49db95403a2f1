//! `FreeListAllocator` as the `#[global_allocator]` of this test binary: std collections from
//! four threads at once (and the test harness itself) allocate from it.

use tinyalloc::heap::FreeListAllocator;
use tinyalloc_tests::heap::{four_threads, heap_is_consistent, scale};

#[global_allocator]
static ALLOCATOR: FreeListAllocator<{ 4 << 20 }> = FreeListAllocator::new();

#[test]
fn std_collections_from_four_threads() {
    four_threads(scale(2_000));
    heap_is_consistent(ALLOCATOR.stats(), ALLOCATOR.verify());
}

#[test]
fn the_heap_serves_and_counts_what_the_program_allocates() {
    let big: Vec<u64> = (0..scale(20_000) as u64).collect();
    let during = ALLOCATOR.stats();
    assert!(during.used >= big.len() * 8, "{during}");
    assert!(during.allocations >= 1);
    assert_eq!(
        big.iter().sum::<u64>(),
        (big.len() as u64) * (big.len() as u64 - 1) / 2
    );
    drop(big);
    heap_is_consistent(ALLOCATOR.stats(), ALLOCATOR.verify());
}
