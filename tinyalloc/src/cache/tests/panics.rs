//! Hooks and constructors that panic: slots, slabs and objects are still accounted for.

use super::*;

/// Blocks of `Heap<ID>`, whose free panics (after taking the block back) while
/// `PANICKING_FREES[ID]` is above zero.
struct PanickingFree<const ID: usize>;

static PANICKING_FREES: [AtomicUsize; 25] = [const { AtomicUsize::new(0) }; 25];

// SAFETY: every block is `Heap<ID>`'s, and goes back to it before any panic.
unsafe impl<const ID: usize> SlabProvider for PanickingFree<ID> {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: the caller's contract.
        unsafe { Heap::<ID>::alloc(layout) }
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        // SAFETY: the caller's contract.
        let result = unsafe { Heap::<ID>::free(ptr, layout) };
        let panicking = &PANICKING_FREES[ID];
        if panicking.load(Ordering::SeqCst) > 0 {
            panicking.fetch_sub(1, Ordering::SeqCst);
            panic!("the free hook panics");
        }
        result
    }
}

#[test]
fn a_free_hook_that_panics_while_a_slab_goes_back_still_lets_the_master_go() {
    type Cache = SlabCache<u64, SpinLock, 512, PanickingFree<20>>;
    let cache = Cache::with_reserve(0).unwrap();
    let in_master: Vec<_> = (0..Cache::SLOTS_IN_MASTER)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    let in_slave = cache.alloc(u64::MAX).unwrap();
    PANICKING_FREES[20].store(1, Ordering::SeqCst);
    // The slave empties and goes back; the hook takes it, then panics.
    assert!(catch_unwind(AssertUnwindSafe(move || drop(in_slave))).is_err());
    assert_eq!(Heap::<20>::outstanding(), 1);
    assert_eq!(cache.stats().slabs, 1);
    drop(cache);
    drop(in_master); // the last object: the master goes back
    assert_eq!(Heap::<20>::outstanding(), 0);
}

#[test]
fn a_free_hook_that_panics_in_into_inner_drops_the_moved_out_object_once() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
        }
    }
    type Cache = SlabCache<Counted, SpinLock, 512, PanickingFree<24>>;
    let cache = Cache::with_reserve(0).unwrap();
    let in_master: Vec<_> = (0..Cache::SLOTS_IN_MASTER)
        .map(|_| cache.alloc(Counted).unwrap())
        .collect();
    let in_slave = cache.alloc(Counted).unwrap();
    PANICKING_FREES[24].store(1, Ordering::SeqCst);
    // The slave empties and goes back; the hook takes it, then panics.
    let unwound = catch_unwind(AssertUnwindSafe(move || SlabBox::into_inner(in_slave)));
    assert!(unwound.is_err());
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        1,
        "dropped by the unwind, once"
    );
    let stats = cache.stats();
    assert_eq!(
        (stats.in_use, stats.slabs, stats.provider_errors),
        (Cache::SLOTS_IN_MASTER, 1, 1)
    );
    drop(cache);
    drop(in_master);
    assert_eq!(DROPS.load(Ordering::SeqCst), 1 + Cache::SLOTS_IN_MASTER);
    assert_eq!(Heap::<24>::outstanding(), 0);
}

#[test]
fn a_free_hook_that_panics_while_the_cache_drops_still_gets_the_other_slabs() {
    type Cache = SlabCache<u64, NoLock, 512, PanickingFree<21>>;
    let cache = Cache::with_reserve(3).unwrap();
    let count = Cache::SLOTS_IN_MASTER + 3 * Cache::SLOTS_PER_SLAB;
    drop(
        (0..count)
            .map(|i| cache.alloc(i as u64).unwrap())
            .collect::<Vec<_>>(),
    );
    assert_eq!(cache.stats().reserve, 3);
    assert_eq!(Heap::<21>::outstanding(), 4);
    // The first reserve slab's free panics; the two others and the master still go.
    PANICKING_FREES[21].store(1, Ordering::SeqCst);
    assert!(catch_unwind(AssertUnwindSafe(move || drop(cache))).is_err());
    assert_eq!(Heap::<21>::outstanding(), 0);
}

/// A slot `alloc_with` took for an object whose `make` panicked held no object, so
/// the high-water mark (the most objects ever live at once) does not count it, also
/// when objects come and go inside `make` and when the slot was a new slab's.
#[test]
fn a_make_that_panics_leaves_the_high_water_mark_to_real_objects() {
    type Cache = SlabCache<u64, NoLock, 512, Heap<27>>;
    let cache = Cache::with_reserve(0).unwrap();
    let high_water = |cache: &Cache| (cache.stats().in_use, cache.stats().high_water);
    let fails = |make: &dyn Fn() -> u64| {
        let made = catch_unwind(AssertUnwindSafe(|| cache.alloc_with(make)));
        assert!(made.is_err());
    };
    let kept = cache.alloc(1).unwrap();
    // The slot would have raised the mark.
    fails(&|| panic!("no object today"));
    assert_eq!(high_water(&cache), (1, 1));
    // The slot would not have: the mark is 2 from before.
    let second = cache.alloc(2).unwrap();
    drop(second);
    fails(&|| panic!("no object today"));
    assert_eq!(high_water(&cache), (1, 2));
    // Objects made inside `make`: three live at once (`kept` and two), never four.
    fails(&|| {
        let _inner = [cache.alloc(3).unwrap(), cache.alloc(4).unwrap()];
        panic!("no object today")
    });
    assert_eq!(high_water(&cache), (1, 3));
    // The slot of a slab taken for it: the master is full.
    let fill: Vec<_> = (1..Cache::SLOTS_IN_MASTER)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    let full = Cache::SLOTS_IN_MASTER;
    assert_eq!(high_water(&cache), (full, full));
    fails(&|| panic!("no object today"));
    let stats = cache.stats();
    assert_eq!((stats.in_use, stats.high_water), (full, full), "{stats}");
    assert_eq!(stats.slabs, 1, "the slave it took went back");
    // The mark still rises with real objects.
    let more = [cache.alloc(5).unwrap(), cache.alloc(6).unwrap()];
    assert_eq!(high_water(&cache), (full + 2, full + 2));
    drop((kept, fill, more, cache));
    assert_eq!(Heap::<27>::outstanding(), 0);
}
