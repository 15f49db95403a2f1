//! The master slab: taken on first use, raced for, and providers that look at or
//! allocate from their own cache meanwhile.

use super::*;

#[test]
fn a_lazy_cache_takes_its_master_on_first_use() {
    static CACHE: SlabCache<u16, CriticalSectionLock, 256, Heap<7>> = SlabCache::lazy();
    first_allocations_race_for_the_master(&CACHE);
}

/// As above, with a spin lock. On a host a critical section is one global mutex,
/// which orders every closure and would hide a missing edge; here only the master
/// pointer's Release and Acquire order the master's set-up before a thread that finds
/// it already there and goes straight to its lock and state.
#[test]
fn a_lazy_spin_locked_cache_takes_its_master_on_first_use() {
    static CACHE: SlabCache<u16, SpinLock, 256, Heap<29>> = SlabCache::lazy();
    first_allocations_race_for_the_master(&CACHE);
}

/// Four threads make the first allocations of `cache` at once.
fn first_allocations_race_for_the_master<L: Lock + Sync, const ID: usize>(
    cache: &'static SlabCache<u16, L, 256, Heap<ID>>,
) {
    assert_eq!(cache.stats(), CacheStats::default());
    assert_eq!(Heap::<ID>::outstanding(), 0);
    let threads: Vec<_> = (0..4)
        .map(|i| std::thread::spawn(move || *cache.alloc(i).unwrap()))
        .collect();
    let mut seen: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    seen.sort_unstable();
    assert_eq!(seen, [0, 1, 2, 3]);
    let stats = cache.stats();
    assert_eq!((stats.slabs, stats.in_use), (1, 0));
    // A thread that lost the race for the master took a slab and gave it back.
    assert_eq!(stats.provider_calls % 2, 1, "{stats:?}");
    assert_eq!(stats.provider_errors, 0);
    assert_eq!(Heap::<ID>::outstanding(), 1); // a static's master stays
}

/// A provider (over `Heap<17>`) that looks at the cache it serves while it takes
/// the master.
struct Watching;

static WATCHED: SlabCache<u64, CriticalSectionLock, 512, Watching> = SlabCache::lazy();

// SAFETY: the blocks are `Heap<17>`'s; looking at a cache changes no block.
unsafe impl SlabProvider for Watching {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        let seen = WATCHED.stats();
        assert_eq!(seen.slabs, 0, "called for the master only");
        // SAFETY: the caller's contract.
        unsafe { Heap::<17>::alloc(layout) }
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        // SAFETY: the caller's contract.
        unsafe { Heap::<17>::free(ptr, layout) }
    }
}

#[test]
fn a_provider_may_look_at_its_cache_while_it_takes_the_master() {
    let boxed = WATCHED.alloc(5).unwrap();
    assert_eq!(*boxed, 5);
    let stats = WATCHED.stats();
    assert_eq!((stats.slabs, stats.provider_calls, stats.in_use), (1, 1, 1));
}

/// A provider (over `Heap<18>`) that allocates from the cache it serves the first
/// time it is asked for a slab: that inner allocation takes the master itself.
struct Reentering;

static REENTERED: SlabCache<u64, CriticalSectionLock, 512, Reentering> = SlabCache::lazy();
static INNER: std::sync::Mutex<Vec<SlabBox<u64, CriticalSectionLock, 512>>> =
    std::sync::Mutex::new(Vec::new());
static FIRST_CALL: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(true);

// SAFETY: the blocks are `Heap<18>`'s.
unsafe impl SlabProvider for Reentering {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        if FIRST_CALL.swap(false, Ordering::SeqCst) {
            let inner = REENTERED.alloc(1).expect("the inner call gets a master");
            INNER.lock().unwrap().push(inner);
        }
        // SAFETY: the caller's contract.
        unsafe { Heap::<18>::alloc(layout) }
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        // SAFETY: the caller's contract.
        unsafe { Heap::<18>::free(ptr, layout) }
    }
}

#[test]
fn a_provider_that_allocates_from_its_cache_gets_one_master_and_no_leak() {
    let outer = REENTERED.alloc(2).unwrap();
    let inner = INNER.lock().unwrap().pop().unwrap();
    assert_eq!((*inner, *outer), (1, 2));
    let stats = REENTERED.stats();
    // The inner call's slab became the master; the outer call's went back.
    assert_eq!((stats.slabs, stats.in_use), (1, 2));
    assert_eq!(stats.provider_calls, 3, "{stats:?}");
    assert_eq!(Heap::<18>::outstanding(), 1);
    drop((inner, outer));
    assert_eq!(REENTERED.stats().in_use, 0);
}

#[test]
fn a_default_cache_is_a_lazy_one() {
    let cache: SlabCache<u32, NoLock, 256, Heap<23>> = SlabCache::default();
    assert_eq!(
        Heap::<23>::outstanding(),
        0,
        "no slab before the first allocation"
    );
    let boxed = cache.alloc(7).unwrap();
    assert_eq!((*boxed, Heap::<23>::outstanding()), (7, 1));
    drop(boxed);
    drop(cache);
    assert_eq!(Heap::<23>::outstanding(), 0);
}
