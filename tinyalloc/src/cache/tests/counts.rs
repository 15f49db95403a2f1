//! Event counts that stop at the top instead of overflowing.

use super::*;

/// `Heap<ID>`, handing out at most `SLABS_LEFT[ID]` more slabs.
struct Rationed<const ID: usize>;

static SLABS_LEFT: [AtomicUsize; 29] = [const { AtomicUsize::new(usize::MAX) }; 29];

// SAFETY: every block is `Heap<ID>`'s.
unsafe impl<const ID: usize> SlabProvider for Rationed<ID> {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        let left = &SLABS_LEFT[ID];
        // A compare-exchange loop, not `fetch_update` (deprecated on nightly, which
        // Miri runs) nor its successor `try_update` (newer than the MSRV).
        let mut now = left.load(Ordering::SeqCst);
        loop {
            let next = now.checked_sub(1)?;
            match left.compare_exchange(now, next, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => break,
                Err(seen) => now = seen,
            }
        }
        // SAFETY: the caller's contract.
        unsafe { Heap::<ID>::alloc(layout) }
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        // SAFETY: the caller's contract.
        unsafe { Heap::<ID>::free(ptr, layout) }
    }
}

/// A device that retries a failing allocation for hours fills a 32-bit count; here
/// the counts start at the top instead. Counting one more event must not panic (with
/// overflow checks, as in a debug build, under the lock and in a box's drop) nor wrap
/// to a small number, and every slab still comes back.
#[test]
fn event_counts_stop_at_the_top_instead_of_overflowing() {
    const TOP: usize = usize::MAX;
    let counts = |stats: CacheStats| {
        (
            stats.failed_allocs,
            stats.provider_calls,
            stats.provider_errors,
        )
    };

    // Before the master: a lazy cache whose provider has nothing.
    SLABS_LEFT[25].store(0, Ordering::SeqCst);
    let lazy = SlabCache::<u64, NoLock, 512, Rationed<25>>::lazy_with_reserve(0);
    lazy.set_event_counts(TOP - 1);
    for _ in 0..3 {
        assert_eq!(lazy.alloc(1).unwrap_err().error(), SlabError::OutOfMemory);
    }
    assert_eq!(counts(lazy.stats()), (TOP, TOP, TOP - 1));
    // The counts carry over into the master.
    SLABS_LEFT[25].store(1, Ordering::SeqCst);
    let first = lazy.alloc(1).unwrap();
    assert_eq!(counts(lazy.stats()), (TOP, TOP, TOP - 1));
    drop((first, lazy));
    assert_eq!(Heap::<25>::outstanding(), 0);

    // With a master: slaves taken, one kept, one handed back with a failing free,
    // a failing trim, refusals.
    type Cache = SlabCache<u64, SpinLock, 512, Rationed<26>>;
    let cache = Cache::with_reserve(1).unwrap();
    cache.set_event_counts(TOP - 1);
    let in_master: Vec<_> = (0..Cache::SLOTS_IN_MASTER)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    let in_slaves: Vec<_> = (0..Cache::SLOTS_PER_SLAB + 1)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    assert_eq!(counts(cache.stats()), (TOP - 1, TOP, TOP - 1));
    FAILING_FREES[26].store(2, Ordering::SeqCst);
    drop(in_slaves); // one slave to the reserve, one back, and its free fails
    assert_eq!(counts(cache.stats()), (TOP - 1, TOP, TOP));
    assert_eq!(cache.trim(), Err(SlabError::FatalError));
    assert_eq!(Heap::<26>::outstanding(), 1);
    SLABS_LEFT[26].store(0, Ordering::SeqCst);
    assert_eq!(cache.alloc(8).unwrap_err().error(), SlabError::OutOfMemory);
    assert_eq!(cache.alloc(9).unwrap_err().error(), SlabError::OutOfMemory);
    let stats = cache.stats();
    assert_eq!(counts(stats), (TOP, TOP, TOP), "{stats}");
    assert_eq!((stats.in_use, stats.slabs), (Cache::SLOTS_IN_MASTER, 1));
    drop(cache);
    drop(in_master);
    assert_eq!(Heap::<26>::outstanding(), 0);
}
