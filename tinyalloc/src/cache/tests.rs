//! Unit tests of the slab bookkeeping, with providers over the system allocator.
//! The behaviour a user relies on at scale is tested in `tests/tests/slab_cache.rs`.

extern crate std;

use core::alloc::Layout;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::boxed::Box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::vec::Vec;

use super::locks::{CriticalSectionLock, Lock, NoLock, SpinLock};
use super::*;

/// Blocks handed out and not yet back, per provider, so parallel tests do not mix.
static OUTSTANDING: [AtomicUsize; 30] = [const { AtomicUsize::new(0) }; 30];
/// Frees that report an error, per provider (0: none).
static FAILING_FREES: [AtomicUsize; 30] = [const { AtomicUsize::new(0) }; 30];

/// The system allocator, counted; `ID` keeps each test's counts apart.
struct Heap<const ID: usize>;

impl<const ID: usize> Heap<ID> {
    fn outstanding() -> usize {
        OUTSTANDING[ID].load(Ordering::SeqCst)
    }
}

// SAFETY: `std::alloc` returns exclusive blocks of the layout, or null.
unsafe impl<const ID: usize> SlabProvider for Heap<ID> {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: the caller's layout has a non-zero size.
        let block = NonNull::new(unsafe { std::alloc::alloc(layout) })?;
        OUTSTANDING[ID].fetch_add(1, Ordering::SeqCst);
        Some(block)
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        OUTSTANDING[ID].fetch_sub(1, Ordering::SeqCst);
        // SAFETY: the caller hands back a block of `alloc` with its layout.
        unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
        let failing = &FAILING_FREES[ID];
        if failing.load(Ordering::SeqCst) > 0 {
            failing.fetch_sub(1, Ordering::SeqCst);
            return Err(SlabError::FatalError);
        }
        Ok(())
    }
}

type Cache<T, const ID: usize> = SlabCache<T, NoLock, 512, Heap<ID>>;

#[test]
fn an_object_lives_in_its_box_and_its_slot_comes_back() {
    {
        let cache = Cache::<u64, 0>::new().unwrap();
        let mut boxed = cache.alloc(7).unwrap();
        *boxed += 1;
        assert_eq!(*boxed, 8);
        assert_eq!(std::format!("{boxed:?}"), "8");
        let stats = cache.stats();
        assert_eq!((stats.in_use, stats.high_water, stats.slabs), (1, 1, 1));
        assert_eq!(stats.capacity, Cache::<u64, 0>::SLOTS_IN_MASTER);
        drop(boxed);
        assert_eq!(cache.stats().in_use, 0);
        assert_eq!(Heap::<0>::outstanding(), 1);
    }
    assert_eq!(Heap::<0>::outstanding(), 0);
}

#[test]
fn tiny_and_zero_sized_objects_get_slots_of_their_own() {
    #[derive(Debug, PartialEq, Clone, Copy)]
    struct Odd([u8; 3]);
    fn exercise<T: Copy + PartialEq + core::fmt::Debug>(make: impl Fn(u8) -> T) {
        let cache = Cache::<T, 1>::new().unwrap();
        let count = 3 * Cache::<T, 1>::SLOTS_PER_SLAB;
        let boxes: Vec<_> = (0..count)
            .map(|i| cache.alloc(make(i as u8)).unwrap())
            .collect();
        let mut addresses: Vec<usize> = boxes.iter().map(|b| &**b as *const T as usize).collect();
        for (i, b) in boxes.iter().enumerate() {
            assert_eq!(**b, make(i as u8));
            assert_eq!((&**b as *const T as usize) % core::mem::align_of::<T>(), 0);
        }
        addresses.sort_unstable();
        addresses.dedup();
        assert_eq!(addresses.len(), count, "two boxes share a slot");
        assert!(cache.stats().slabs >= 3);
    }
    exercise(|i| i);
    exercise(|_| ());
    exercise(Odd::from_byte);
    impl Odd {
        fn from_byte(i: u8) -> Odd {
            Odd([i, i.wrapping_add(1), i.wrapping_add(2)])
        }
    }
    assert_eq!(Heap::<1>::outstanding(), 0);
}

#[test]
fn over_aligned_objects_are_aligned() {
    #[repr(align(64))]
    struct Line([u8; 64]);
    let cache = SlabCache::<Line, SpinLock, 1024, Heap<2>>::new().unwrap();
    let lines: Vec<_> = (0..40)
        .map(|i| cache.alloc(Line([i; 64])).unwrap())
        .collect();
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(&**line as *const Line as usize % 64, 0);
        assert!(line.0.iter().all(|&b| b == i as u8));
    }
}

#[test]
fn each_object_is_dropped_exactly_once() {
    let token = Rc::new(());
    let cache = Cache::<Rc<()>, 3>::new().unwrap();
    let boxes: Vec<_> = (0..100)
        .map(|_| cache.alloc(Rc::clone(&token)).unwrap())
        .collect();
    assert_eq!(Rc::strong_count(&token), 101);
    drop(boxes);
    assert_eq!(Rc::strong_count(&token), 1);
    drop(cache);
    assert_eq!(Heap::<3>::outstanding(), 0);
}

#[test]
fn into_inner_moves_the_object_out_and_frees_its_slot_without_dropping_it() {
    let token = Rc::new(());
    let cache = Cache::<Rc<()>, 22>::new().unwrap();
    let boxed = cache.alloc(Rc::clone(&token)).unwrap();
    let inner: Rc<()> = SlabBox::into_inner(boxed);
    assert_eq!((Rc::strong_count(&token), cache.stats().in_use), (2, 0));
    drop(inner);
    assert_eq!(Rc::strong_count(&token), 1);
    let again = cache.alloc(Rc::clone(&token)).unwrap(); // the same slot, reused
    drop(again);
    assert_eq!(Rc::strong_count(&token), 1);
}

#[test]
fn a_box_compares_hashes_and_prints_as_its_object_and_pins_it() {
    use core::marker::PhantomPinned;
    use std::collections::HashSet;
    use std::format;

    let cache = Cache::<u32, 23>::new().unwrap();
    let (one, also_one, two) = (
        cache.alloc(1).unwrap(),
        cache.alloc(1).unwrap(),
        cache.alloc(2).unwrap(),
    );
    assert!(one == also_one && one < two && two.cmp(&one).is_gt());
    let set: HashSet<_> = [one, also_one, two].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&2)); // through `Borrow<u32>`

    let boxed = cache.alloc(7).unwrap();
    let address = format!("{boxed:p}");
    let raw = SlabBox::into_raw(boxed);
    assert_eq!(address, format!("{raw:p}"));
    // SAFETY: `raw` came from `into_raw` of a box of this very type, once.
    drop(unsafe { SlabBox::<u32, NoLock, 512>::from_raw(raw) }.unwrap());

    /// An object that must not move once pinned.
    struct Anchored(u32, PhantomPinned);
    let anchored = Cache::<Anchored, 23>::new().unwrap();
    let pinned = SlabBox::into_pin(anchored.alloc(Anchored(5, PhantomPinned)).unwrap());
    let at = &*pinned as *const Anchored;
    let moved = pinned; // moving the pinned box leaves the object where it was
    assert_eq!((&*moved as *const Anchored, moved.0), (at, 5));
    drop(moved);
    assert_eq!(anchored.stats().in_use, 0);
}

#[test]
fn into_raw_and_from_raw_round_trip_and_foreign_pointers_are_refused() {
    let cache = Cache::<u64, 4>::new().unwrap();
    let boxed = cache.alloc(41).unwrap();
    let raw = SlabBox::into_raw(boxed);
    assert_eq!(cache.stats().in_use, 1);
    // SAFETY: `raw` came from `into_raw` of a box of this very type.
    let mut back = unsafe { SlabBox::<u64, NoLock, 512>::from_raw(raw) }.unwrap();
    *back += 1;
    assert_eq!(*back, 42);

    // Between two slots: the header checks out, the offset does not.
    let inside = NonNull::new(raw.as_ptr().cast::<u8>().wrapping_add(1))
        .unwrap()
        .cast::<u64>();
    // SAFETY: the pointer lies inside a live slab, so the header is readable; the
    // call must refuse it.
    let refused = unsafe { SlabBox::<u64, NoLock, 512>::from_raw(inside) };
    assert_eq!(refused.err(), Some(SlabError::InvalidPointer));

    // A cache of another slot size.
    // SAFETY: as above; a 32-byte slot size does not match this slab's 8.
    let refused = unsafe { SlabBox::<[u64; 4], NoLock, 512>::from_raw(raw.cast()) };
    assert_eq!(refused.err(), Some(SlabError::InvalidPointer));

    // A block that is no slab at all: zeroes where the magic would be.
    let layout = Layout::from_size_align(512, 512).unwrap();
    // SAFETY: a non-zero size.
    let plain = unsafe { std::alloc::alloc_zeroed(layout) };
    let fake = NonNull::new(plain.wrapping_add(64)).unwrap().cast::<u64>();
    // SAFETY: the whole 512-byte block around `fake` is readable.
    let refused = unsafe { SlabBox::<u64, NoLock, 512>::from_raw(fake) };
    assert_eq!(refused.err(), Some(SlabError::InvalidPointer));
    // SAFETY: allocated above with this layout.
    unsafe { std::alloc::dealloc(plain, layout) };
    drop(back);
    assert_eq!(cache.stats().in_use, 0);
}

/// Slabs carved from a static buffer that never goes back: what a leaked object
/// needs (a heap block would be reported as leaked when the tests end under Miri).
struct Arena;

#[repr(C, align(512))]
struct ArenaBytes(core::cell::UnsafeCell<[u8; 2048]>);

// SAFETY: the bytes are only reached through blocks `Arena::alloc` hands out, each
// once, to one owner.
unsafe impl Sync for ArenaBytes {}

static ARENA: ArenaBytes = ArenaBytes(core::cell::UnsafeCell::new([0; 2048]));
static ARENA_USED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: each block is a distinct, aligned 512-byte part of the static buffer,
// handed out once; `free` keeps nothing and never hands a block out again.
unsafe impl SlabProvider for Arena {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        assert_eq!((layout.size(), layout.align()), (512, 512));
        let index = ARENA_USED.fetch_add(1, Ordering::SeqCst);
        (index < 4).then(|| {
            let base = ARENA.0.get().cast::<u8>().wrapping_add(index * 512);
            NonNull::new(base).unwrap()
        })
    }

    unsafe fn free(_: NonNull<u8>, _: Layout) -> Result<()> {
        Ok(())
    }
}

#[test]
fn a_leaked_object_keeps_its_slot_and_the_master() {
    let leaked: &'static mut u32 = {
        let cache = SlabCache::<u32, NoLock, 512, Arena>::new().unwrap();
        let leaked = SlabBox::leak(cache.alloc(5).unwrap());
        *leaked += 1;
        let kept = cache.alloc(9).unwrap();
        assert_eq!(cache.stats().in_use, 2);
        drop(kept);
        leaked
    };
    // The master outlived the cache value, and the object with it.
    *leaked += 1;
    assert_eq!(*leaked, 7);
}

#[test]
fn into_raw_keeps_the_object_until_from_raw_gives_it_back() {
    let cache = Cache::<u32, 12>::new().unwrap();
    let raw = SlabBox::into_raw(cache.alloc(5).unwrap());
    drop(cache);
    assert_eq!(Heap::<12>::outstanding(), 1); // the object holds the master
    // SAFETY: `raw` came from `into_raw` of a box of this very type.
    let boxed = unsafe { SlabBox::<u32, NoLock, 512>::from_raw(raw) }.unwrap();
    assert_eq!(*boxed, 5);
    drop(boxed);
    assert_eq!(Heap::<12>::outstanding(), 0);
}

#[test]
fn a_panic_while_building_or_dropping_an_object_frees_its_slot() {
    struct Loud;
    impl Drop for Loud {
        fn drop(&mut self) {
            panic!("drop panics");
        }
    }
    let cache = SlabCache::<Loud, SpinLock, 512, Heap<6>>::new().unwrap();
    let built = catch_unwind(AssertUnwindSafe(|| {
        cache.alloc_with(|| panic!("make panics"))
    }));
    assert!(built.is_err());
    assert_eq!(cache.stats().in_use, 0);
    let boxed = cache.alloc(Loud).unwrap();
    assert!(catch_unwind(AssertUnwindSafe(move || drop(boxed))).is_err());
    assert_eq!(cache.stats().in_use, 0);
}

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
#[cfg(target_pointer_width = "64")]
fn headers_cost_what_the_module_docs_say() {
    use core::mem::size_of;
    assert_eq!(size_of::<super::slab::SlabHeader>(), 88);
    let master = size_of::<super::slab::MasterCore>();
    assert_eq!(master - size_of::<super::slab::SlabHeader>(), 104);
    // A 4-byte object on a 64-bit host takes an 8-byte slot (it must hold a link).
    assert_eq!(
        SlabCache::<u32, NoLock, 1024, Heap<13>>::SLOTS_PER_SLAB,
        (1024 - 88) / 8
    );
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

#[test]
fn page_aligned_and_zero_sized_objects_with_drop_glue_are_placed_and_dropped() {
    #[repr(align(4096))]
    struct Page([u8; 4096]);
    type Pages = SlabCache<Page, SpinLock, 16384, Heap<19>>;
    assert_eq!(
        (
            Pages::SLOT_SIZE,
            Pages::SLOTS_IN_MASTER,
            Pages::SLOTS_PER_SLAB
        ),
        (4096, 3, 3)
    );
    let pages = Pages::with_reserve(0).unwrap();
    let boxes: Vec<_> = (0..7)
        .map(|i| pages.alloc(Page([i; 4096])).unwrap())
        .collect();
    for (i, page) in boxes.iter().enumerate() {
        assert_eq!(&**page as *const Page as usize % 4096, 0);
        assert!(page.0.iter().all(|&b| b == i as u8));
    }
    assert_eq!(pages.stats().slabs, 3);
    drop(boxes);
    assert_eq!(Heap::<19>::outstanding(), 1);
    drop(pages);
    assert_eq!(Heap::<19>::outstanding(), 0);

    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Token;
    impl Drop for Token {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
        }
    }
    let tokens = SlabCache::<Token, NoLock, 512, Heap<19>>::new().unwrap();
    let raw = SlabBox::into_raw(tokens.alloc(Token).unwrap());
    let kept: Vec<_> = (0..100).map(|_| tokens.alloc(Token).unwrap()).collect();
    assert_eq!(tokens.stats().in_use, 101);
    drop(kept);
    assert_eq!(DROPS.load(Ordering::SeqCst), 100);
    // SAFETY: from `into_raw` of a box of this very type, once.
    drop(unsafe { SlabBox::<Token, NoLock, 512>::from_raw(raw) }.unwrap());
    assert_eq!(DROPS.load(Ordering::SeqCst), 101);
    assert_eq!(tokens.stats().in_use, 0);
    drop(tokens);
    assert_eq!(Heap::<19>::outstanding(), 0);
}

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
