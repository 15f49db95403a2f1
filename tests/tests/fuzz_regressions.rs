//! Every failure the fuzz targets in `fuzz/` found, as the shortest sequence of calls
//! that shows it, written out so that it reads without the fuzzer. Each test names the
//! target and the input that found it.

use core::alloc::{GlobalAlloc, Layout};

use tinyalloc::heap::{
    BumpFreeListAllocator, FreeListAllocator, InitError, SegregatedBumpAllocator,
};

/// `heap_free_list`, input `Region { len: 0 }`: `stats()` on a region heap before
/// `init` computed the free bytes as the heap's length less its two guards, and the
/// length is 0 until `init`: an overflow panic in a debug build, about 4 GiB "free" in
/// a release build. The target's steps: `init` of an empty region (refused), `alloc`,
/// `stats`.
#[test]
fn stats_of_a_region_heap_before_init_are_all_zero() {
    let layout = Layout::from_size_align(8, 8).unwrap();
    let free_list = FreeListAllocator::<0>::new();
    let stats = free_list.stats();
    assert_eq!((stats.arena, stats.used, stats.free), (0, 0, 0), "{stats}");
    assert_eq!((stats.largest_free, stats.allocations), (0, 0), "{stats}");
    // A refused `init` leaves the heap as it was: still not set up.
    assert_eq!(
        free_list.init(&mut []),
        Err(InitError::RegionTooSmall { len: 0, min: 256 })
    );
    assert_eq!(free_list.stats(), stats);
    // SAFETY: a non-zero size.
    assert!(unsafe { free_list.alloc(layout) }.is_null());
    let stats = free_list.stats();
    assert_eq!((stats.free, stats.failed_allocs), (0, 1), "{stats}");
    assert_eq!(free_list.verify(), Ok(()));

    // The other engines already got this right; keep them so.
    let segregated = SegregatedBumpAllocator::<0>::new();
    let bump = BumpFreeListAllocator::<0>::new();
    for stats in [segregated.stats(), bump.stats()] {
        assert_eq!((stats.arena, stats.used, stats.free), (0, 0, 0), "{stats}");
        assert_eq!(stats.largest_free, 0, "{stats}");
    }
}
