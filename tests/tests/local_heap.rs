//! A second, local heap through `allocator_api2` (feature `allocator-api2`): every
//! engine serves `allocator_api2::vec::Vec::new_in(&HEAP)` and `Box::new_in`, gives
//! everything back, grows in place and across alignments, and fails as a value.

use allocator_api2::alloc::{Allocator, Layout};
use allocator_api2::boxed::Box;
use allocator_api2::vec::Vec;
use tinyalloc::heap::{BumpFreeListAllocator, FreeListAllocator, SegregatedBumpAllocator};

static FREE_LIST: FreeListAllocator<{ 64 * 1024 }> = FreeListAllocator::new();
static SEGREGATED: SegregatedBumpAllocator<{ 64 * 1024 }> = SegregatedBumpAllocator::new();
static BUMP: BumpFreeListAllocator<{ 64 * 1024 }> = BumpFreeListAllocator::new();

/// Runs the same checks on one engine; `stats` and `verify` read it afterwards.
fn exercise<A: Allocator + Copy>(heap: A) {
    let mut samples = Vec::new_in(heap);
    for i in 0..2_000u32 {
        samples.push(i);
    }
    assert_eq!(
        samples.iter().map(|&x| u64::from(x)).sum::<u64>(),
        1_999 * 2_000 / 2
    );
    samples.truncate(10);
    samples.shrink_to_fit();
    assert_eq!(&samples[..3], &[0, 1, 2]);

    let boxed = Box::new_in([7u64; 32], heap);
    assert!(boxed.iter().all(|&x| x == 7));

    // Zero-sized values never reach the engine.
    let unit = Box::new_in((), heap);
    let empty: Vec<u8, A> = Vec::new_in(heap);
    assert_eq!(empty.capacity(), 0);
    drop((unit, empty, boxed, samples));

    // Growing to a larger alignment copies into a new block.
    let small = Layout::from_size_align(24, 8).unwrap();
    let large = Layout::from_size_align(256, 128).unwrap();
    let block = heap.allocate(small).unwrap().cast::<u8>();
    // SAFETY: the block is live and 24 bytes long.
    unsafe { block.as_ptr().write_bytes(0xAB, 24) };
    // SAFETY: `block` came from `heap` with `small`, and `large` is not smaller.
    let grown = unsafe { heap.grow(block, small, large) }
        .unwrap()
        .cast::<u8>();
    assert_eq!(grown.as_ptr().addr() % 128, 0);
    // SAFETY: the block is live and its first 24 bytes were copied over.
    let kept = unsafe { core::slice::from_raw_parts(grown.as_ptr(), 24) };
    assert!(kept.iter().all(|&b| b == 0xAB));
    // SAFETY: `grown` came from `heap` with `large`.
    unsafe { heap.deallocate(grown, large) };

    // A request larger than the arena is an error value.
    assert!(
        heap.allocate(Layout::from_size_align(1 << 20, 8).unwrap())
            .is_err()
    );
    let mut too_many: Vec<u8, A> = Vec::new_in(heap);
    assert!(too_many.try_reserve_exact(1 << 20).is_err());
}

#[test]
fn free_list_allocator_is_a_local_heap() {
    exercise(&FREE_LIST);
    assert_eq!(FREE_LIST.verify(), Ok(()));
    let stats = FREE_LIST.stats();
    assert_eq!(stats.allocations, 0);
    assert_eq!(stats.failed_allocs, 2);
}

#[test]
fn segregated_bump_allocator_is_a_local_heap() {
    exercise(&SEGREGATED);
    assert_eq!(SEGREGATED.verify(), Ok(()));
    assert_eq!(SEGREGATED.stats().allocations, 0);
}

#[test]
fn bump_free_list_allocator_is_a_local_heap() {
    exercise(&BUMP);
    assert_eq!(BUMP.verify(), Ok(()));
    assert_eq!(BUMP.stats().allocations, 0);
}
