//! Empty slabs: the reserve, `trim`, the last box handing slabs back, and frees that
//! fail or meet a damaged slab.

use super::*;

#[test]
fn the_reserve_keeps_as_many_empty_slabs_as_asked() {
    fn run<const ID: usize>(reserve: usize) -> CacheStats {
        let cache = Cache::<u64, ID>::with_reserve(reserve).unwrap();
        let per_slab = Cache::<u64, ID>::SLOTS_PER_SLAB;
        let boxes: Vec<_> = (0..Cache::<u64, ID>::SLOTS_IN_MASTER + 4 * per_slab)
            .map(|i| cache.alloc(i as u64).unwrap())
            .collect();
        assert_eq!(cache.stats().slabs, 5);
        drop(boxes);
        cache.stats()
    }
    let none = run::<8>(0);
    assert_eq!((none.slabs, none.reserve, none.provider_calls), (1, 0, 9));
    let three = run::<9>(3);
    assert_eq!(
        (three.slabs, three.reserve, three.provider_calls),
        (4, 3, 6)
    );
    assert_eq!(three.available(), three.capacity);
    assert_eq!((Heap::<8>::outstanding(), Heap::<9>::outstanding()), (0, 0));
}

#[test]
fn trim_hands_the_reserve_back_and_reports_free_errors() {
    let cache = Cache::<u64, 10>::with_reserve(2).unwrap();
    let count = Cache::<u64, 10>::SLOTS_IN_MASTER + 2 * Cache::<u64, 10>::SLOTS_PER_SLAB;
    drop(
        (0..count)
            .map(|i| cache.alloc(i as u64).unwrap())
            .collect::<Vec<_>>(),
    );
    assert_eq!(cache.stats().reserve, 2);
    FAILING_FREES[10].store(1, Ordering::SeqCst);
    assert_eq!(cache.trim(), Err(SlabError::FatalError));
    let stats = cache.stats();
    assert_eq!(
        (stats.slabs, stats.reserve, stats.provider_errors),
        (1, 0, 1)
    );
    assert_eq!(cache.trim(), Ok(()));
    assert_eq!(Heap::<10>::outstanding(), 1);
}

#[test]
fn boxes_outlive_the_cache_and_the_last_one_returns_every_slab() {
    let cache = Cache::<Box<u32>, 11>::new().unwrap();
    let per_slab = Cache::<Box<u32>, 11>::SLOTS_PER_SLAB;
    let mut boxes: Vec<_> = (0..3 * per_slab)
        .map(|i| cache.alloc(Box::new(i as u32)).unwrap())
        .collect();
    let slabs = cache.stats().slabs;
    drop(cache);
    assert_eq!(Heap::<11>::outstanding(), slabs);
    // Empty a slab first, then the rest; every slab goes as it empties.
    boxes.truncate(per_slab);
    assert!(Heap::<11>::outstanding() < slabs);
    for (i, b) in boxes.iter().enumerate() {
        assert_eq!(***b, i as u32);
    }
    drop(boxes);
    assert_eq!(Heap::<11>::outstanding(), 0);
}

#[test]
fn a_failing_free_after_the_cache_is_gone_still_returns_the_master_last() {
    type Cache = SlabCache<u64, SpinLock, 512, Heap<14>>;
    let cache = Cache::with_reserve(0).unwrap();
    let in_master: Vec<_> = (0..Cache::SLOTS_IN_MASTER)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    let in_slave = cache.alloc(u64::MAX).unwrap();
    drop(cache);
    assert_eq!(Heap::<14>::outstanding(), 2);
    // The slave goes back and its free fails; the master stays for the objects in it.
    FAILING_FREES[14].store(1, Ordering::SeqCst);
    std::thread::spawn(move || drop(in_slave)).join().unwrap();
    assert_eq!(Heap::<14>::outstanding(), 1);
    assert_eq!(FAILING_FREES[14].load(Ordering::SeqCst), 0);
    drop(in_master);
    assert_eq!(Heap::<14>::outstanding(), 0);
}

#[test]
fn a_failing_free_of_a_surplus_slab_is_counted() {
    type Cache = SlabCache<u64, NoLock, 512, Heap<15>>;
    let cache = Cache::with_reserve(0).unwrap();
    let full: Vec<_> = (0..Cache::SLOTS_IN_MASTER)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    FAILING_FREES[15].store(1, Ordering::SeqCst);
    drop(cache.alloc(0).unwrap()); // a slave taken and handed back at once
    let stats = cache.stats();
    assert_eq!((stats.slabs, stats.provider_errors), (1, 1));
    drop(full);
}

#[test]
#[cfg(target_pointer_width = "64")]
fn slabs_of_two_slots_move_on_every_free() {
    // 152-byte slots: two in the master and two in a slave of 512 bytes, so every
    // free either frees a full slab's first slot or empties the slab.
    type Cache = SlabCache<[u64; 19], NoLock, 512, Heap<5>>;
    assert_eq!((Cache::SLOTS_IN_MASTER, Cache::SLOTS_PER_SLAB), (2, 2));
    let stats = |cache: &Cache| {
        let s = cache.stats();
        (s.slabs, s.in_use, s.high_water, s.provider_calls)
    };
    let cache = Cache::with_reserve(0).unwrap();
    let (a, b) = (cache.alloc([1; 19]).unwrap(), cache.alloc([2; 19]).unwrap());
    let c = cache.alloc([3; 19]).unwrap(); // the master is full: a slave
    let d = cache.alloc([4; 19]).unwrap(); // and now the slave is full too
    assert_eq!(stats(&cache), (2, 4, 4, 2));
    drop(a); // the full master has a free slot again
    let a = cache.alloc([5; 19]).unwrap();
    assert_eq!(stats(&cache), (2, 4, 4, 2)); // it came from the master
    drop(c); // the full slave has a free slot again
    drop(d); // and is empty: back to the provider
    assert_eq!(stats(&cache), (1, 2, 4, 3));
    drop((a, b)); // the emptied master stays while the cache lives
    assert_eq!(stats(&cache), (1, 0, 4, 3));
    assert_eq!(Heap::<5>::outstanding(), 1);
    let (e, f) = (cache.alloc([6; 19]).unwrap(), cache.alloc([7; 19]).unwrap());
    assert_eq!(stats(&cache), (1, 2, 4, 3));
    drop(cache);
    drop(e); // the full master has a free slot again, and an object
    assert_eq!(Heap::<5>::outstanding(), 1);
    assert_eq!(*f, [7; 19]);
    drop(f); // the last object: the master goes
    assert_eq!(Heap::<5>::outstanding(), 0);
}

/// Hands out slabs 8 bytes off their alignment, and reports an error when one comes
/// back (after taking it back).
struct MisalignedAndRefusing;

static REFUSED_FREES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: each block lies 8 bytes into a live `std::alloc` block of twice the size, and
// goes back with it.
unsafe impl SlabProvider for MisalignedAndRefusing {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        let big = Layout::from_size_align(2 * layout.size(), layout.align()).unwrap();
        // SAFETY: non-zero size.
        let base = NonNull::new(unsafe { std::alloc::alloc(big) })?;
        // SAFETY: 8 bytes into a block of `2 * size` bytes.
        Some(unsafe { base.add(8) })
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        let big = Layout::from_size_align(2 * layout.size(), layout.align()).unwrap();
        // SAFETY: `ptr` is 8 bytes into a block `alloc` took with `big`.
        let base = unsafe { ptr.as_ptr().sub(8) };
        // SAFETY: `base` is that block, taken with `big`.
        unsafe { std::alloc::dealloc(base, big) };
        REFUSED_FREES.fetch_add(1, Ordering::SeqCst);
        Err(SlabError::FatalError)
    }
}

#[test]
fn an_error_freeing_a_misaligned_slab_is_counted() {
    let cache = SlabCache::<u64, NoLock, 512, MisalignedAndRefusing>::lazy();
    assert_eq!(
        cache.alloc(1).unwrap_err().into_parts(),
        (1, SlabError::AlignmentMismatch)
    );
    assert_eq!(REFUSED_FREES.load(Ordering::SeqCst), 1);
    let stats = cache.stats();
    assert_eq!(
        (
            stats.failed_allocs,
            stats.provider_calls,
            stats.provider_errors
        ),
        (1, 2, 1),
        "{stats:?}"
    );
}

/// Fills `cache` until it holds its master and two slaves, then drops every object:
/// the slaves empty into the reserve, the first one first, so the second heads it.
/// Returns a pointer to each slave in that order, from `into_raw`, so its provenance
/// covers the slab.
fn fill_two_slaves_then_empty<P: SlabProvider>(
    cache: &SlabCache<u64, NoLock, 512, P>,
) -> Vec<*mut u8> {
    type Geometry<P> = SlabCache<u64, NoLock, 512, P>;
    let count = Geometry::<P>::SLOTS_IN_MASTER + 2 * Geometry::<P>::SLOTS_PER_SLAB;
    let mut slaves: Vec<*mut u8> = Vec::new();
    let boxes: Vec<_> = (0..count)
        .map(|i| {
            let raw = SlabBox::into_raw(cache.alloc(i as u64).unwrap());
            if i == Geometry::<P>::SLOTS_IN_MASTER || i == count - 1 {
                slaves.push(raw.as_ptr().cast::<u8>().map_addr(|addr| addr & !511));
            }
            // SAFETY: `raw` came from `into_raw` of a box of this very type, once.
            unsafe { SlabBox::<u64, NoLock, 512>::from_raw(raw) }.unwrap()
        })
        .collect();
    drop(boxes);
    slaves
}

#[test]
fn a_damaged_reserve_abandoned_by_trim_leaves_the_counts() {
    type Cache = SlabCache<u64, NoLock, 512, Heap<16>>;
    let layout = Layout::from_size_align(512, 512).unwrap();
    let cache = Cache::with_reserve(2).unwrap();
    let slaves = fill_two_slaves_then_empty(&cache);
    let before = cache.stats();
    assert_eq!((before.slabs, before.reserve), (3, 2));
    // A stray write (say, DMA past the end of an object) over a reserve slab's magic.
    for &slab in &slaves {
        // SAFETY: the slab is a live reserve slab of 512 bytes; its first word is the
        // magic number, which this test means to damage.
        unsafe { slab.cast::<u32>().write(0) };
    }
    assert_eq!(cache.trim(), Err(SlabError::FatalError));
    let after = cache.stats();
    // The abandoned slabs are no longer the cache's: neither they nor their slots count.
    assert_eq!(
        (
            after.slabs,
            after.reserve,
            after.capacity,
            after.provider_errors
        ),
        (1, 0, Cache::SLOTS_IN_MASTER, 1),
        "{after}"
    );
    assert_eq!(after.available(), Cache::SLOTS_IN_MASTER);
    drop(cache);
    // The cache abandoned them; give them back here so nothing leaks.
    for slab in slaves {
        // SAFETY: taken from `std::alloc` with this layout by `Heap`, and abandoned.
        unsafe { std::alloc::dealloc(slab, layout) };
    }
}

/// `trim` abandons a reserve slab whose header was written over, since its links
/// cannot be trusted; dropping the cache must not follow them either, to hand wild
/// pointers to the provider.
#[test]
fn a_dropped_cache_does_not_follow_the_links_of_a_damaged_reserve_slab() {
    type Cache = SlabCache<u64, NoLock, 512, Heap<28>>;
    let layout = Layout::from_size_align(512, 512).unwrap();
    let cache = Cache::with_reserve(2).unwrap();
    let slaves = fill_two_slaves_then_empty(&cache);
    assert_eq!(cache.stats().reserve, 2);
    // A stray write over the whole header of the reserve's head: its magic number
    // and its links.
    // SAFETY: the slab is a live reserve slab of 512 bytes, whose header this test
    // means to damage.
    unsafe { slaves[1].write_bytes(0xA5, core::mem::size_of::<slab::SlabHeader>()) };
    drop(cache);
    // The master went back; the damaged slab, and the one only its links reach, are
    // abandoned.
    assert_eq!(Heap::<28>::outstanding(), 2);
    for slab in slaves {
        // SAFETY: taken from `std::alloc` with this layout by `Heap`, and abandoned.
        unsafe { std::alloc::dealloc(slab, layout) };
    }
}
