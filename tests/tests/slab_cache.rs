//! `SlabCache` as a user sees it: the global hooks, growth and shrinking, boxes
//! dropped on other threads, providers that fail or misbehave, and the reserve that
//! keeps a slab boundary from calling the provider on every allocation.

use core::alloc::Layout;
use core::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use tinyalloc::prelude::*;
use tinyalloc_tests::providers::Heap;

static HOOK_BLOCKS: AtomicUsize = AtomicUsize::new(0);

unsafe fn system_alloc(layout: Layout) -> Option<NonNull<u8>> {
    HOOK_BLOCKS.fetch_add(1, Ordering::SeqCst);
    // SAFETY: the cache never asks for zero bytes.
    NonNull::new(unsafe { std::alloc::alloc(layout) })
}

unsafe fn system_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    HOOK_BLOCKS.fetch_sub(1, Ordering::SeqCst);
    // SAFETY: the cache hands back what `system_alloc` gave, with its layout.
    unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    Ok(())
}

tinyalloc::define_allocation_hooks!(system_alloc, system_free);

#[derive(Debug, Clone, PartialEq)]
struct Config {
    id: u32,
    data: [u8; 60],
}

/// The only test in this binary that uses the hooks, so their count is its own.
#[test]
fn the_global_hooks_serve_a_cache_that_names_no_provider() {
    {
        let cache = SlabCache::<Config, SpinLock, 4096>::new().unwrap();
        let mut item: SlabBox<Config> = cache
            .alloc(Config {
                id: 1,
                data: [0; 60],
            })
            .unwrap();
        item.id = 2;
        assert_eq!(item.id, 2);
        assert_eq!(HOOK_BLOCKS.load(Ordering::SeqCst), 1);
    }
    assert_eq!(HOOK_BLOCKS.load(Ordering::SeqCst), 0);
}

#[test]
fn growth_to_ten_thousand_objects_and_back_to_one_reserve_slab() {
    let count = if cfg!(miri) { 1_500 } else { 10_000 };
    type Cache = SlabCache<u64, SpinLock, 4096, Heap<1>>;
    let cache = Cache::new().unwrap();
    let boxes: Vec<_> = (0..count)
        .map(|i| cache.alloc(i as u64 * 3).unwrap())
        .collect();
    let grown = cache.stats();
    let slaves = (count - Cache::SLOTS_IN_MASTER).div_ceil(Cache::SLOTS_PER_SLAB);
    assert_eq!(grown.slabs, 1 + slaves);
    assert!(slaves >= 3, "only {slaves} slaves");
    assert_eq!((grown.in_use, grown.high_water), (count, count));
    assert_eq!(Heap::<1>::outstanding(), grown.slabs);
    for (i, b) in boxes.iter().enumerate() {
        assert_eq!(**b, i as u64 * 3);
    }
    drop(boxes);
    let shrunk = cache.stats();
    assert_eq!((shrunk.slabs, shrunk.reserve, shrunk.in_use), (2, 1, 0));
    assert_eq!(shrunk.high_water, count);
    assert_eq!(Heap::<1>::outstanding(), 2);
    drop(cache);
    assert_eq!(Heap::<1>::outstanding(), 0);
}

/// Allocates on this thread while workers drop the boxes; checks every value.
fn drop_on_other_threads<L, const ID: usize>()
where
    L: Lock + Send + Sync + 'static,
{
    let per_worker = if cfg!(miri) { 60 } else { 3_000 };
    let workers = 3;
    let cache = SlabCache::<(usize, [u32; 7]), L, 512, Heap<ID>>::new().unwrap();
    let (senders, handles): (Vec<_>, Vec<_>) = (0..workers)
        .map(|_| {
            let (send, receive) = mpsc::channel::<SlabBox<(usize, [u32; 7]), L, 512>>();
            let handle = thread::spawn(move || {
                let mut seen = 0;
                for boxed in receive {
                    assert_eq!(boxed.1, [boxed.0 as u32; 7]);
                    drop(boxed);
                    seen += 1;
                }
                seen
            });
            (send, handle)
        })
        .unzip();
    let mut kept = Vec::new();
    for i in 0..per_worker * workers {
        let boxed = cache.alloc((i, [i as u32; 7])).unwrap();
        if i % 10 == 0 {
            kept.push(boxed); // some stay here, so slabs stay mixed
        } else {
            senders[i % workers].send(boxed).unwrap();
        }
    }
    drop(senders);
    let dropped: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(dropped + kept.len(), per_worker * workers);
    assert_eq!(cache.stats().in_use, kept.len());
    drop(kept);
    let stats = cache.stats();
    assert_eq!(stats.in_use, 0);
    assert!(stats.slabs <= 2, "{stats}");
    drop(cache);
    assert_eq!(Heap::<ID>::outstanding(), 0);
}

#[test]
fn boxes_dropped_on_other_threads_while_a_spin_locked_cache_allocates() {
    drop_on_other_threads::<SpinLock, 2>();
}

#[test]
fn boxes_dropped_on_other_threads_while_a_critical_section_cache_allocates() {
    drop_on_other_threads::<CriticalSectionLock, 3>();
}

#[test]
fn boxes_dropped_on_other_threads_after_the_cache_is_gone_return_every_slab() {
    let count = if cfg!(miri) { 200 } else { 5_000 };
    let cache = SlabCache::<[u64; 3], SpinLock, 256, Heap<4>>::new().unwrap();
    let mut boxes: Vec<_> = (0..count).map(|i| cache.alloc([i; 3]).unwrap()).collect();
    drop(cache);
    assert!(Heap::<4>::outstanding() > 2);
    let halves = [boxes.split_off(count as usize / 2), boxes];
    let threads: Vec<_> = halves
        .into_iter()
        .map(|half| {
            thread::spawn(move || {
                for boxed in half.into_iter().rev() {
                    assert_eq!(boxed[0], boxed[2]);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(Heap::<4>::outstanding(), 0);
}

#[test]
fn a_failed_alloc_hands_the_value_back_without_dropping_it() {
    type Cache = SlabCache<Arc<()>, SpinLock, 256, Heap<12>>;
    let token = Arc::new(());
    let cache = Cache::lazy();
    Heap::<12>::set_budget(0);
    let rejected = cache.alloc(Arc::clone(&token)).unwrap_err();
    assert_eq!(rejected.error(), SlabError::OutOfMemory);
    assert_eq!(
        Arc::strong_count(&token),
        2,
        "the value is alive in the error"
    );
    let again = rejected.into_value();
    Heap::<12>::set_budget(usize::MAX);
    let boxed = cache.alloc(again).unwrap();
    assert!(Arc::ptr_eq(&boxed, &token));
    drop(boxed);
    assert_eq!(Arc::strong_count(&token), 1);
    let stats = cache.stats();
    assert_eq!((stats.in_use, stats.failed_allocs), (0, 1));
}

#[test]
fn a_provider_that_runs_out_fails_with_out_of_memory_and_leaks_nothing() {
    type Cache = SlabCache<u32, SpinLock, 256, Heap<5>>;
    Heap::<5>::set_budget(0);
    assert_eq!(Cache::new().err(), Some(SlabError::OutOfMemory));
    let lazy = Cache::lazy();
    assert_eq!(
        lazy.alloc(1).unwrap_err().into_parts(),
        (1, SlabError::OutOfMemory)
    );
    assert_eq!(lazy.stats().failed_allocs, 1);

    Heap::<5>::set_budget(3);
    let cache = Cache::new().unwrap();
    let capacity = Cache::SLOTS_IN_MASTER + 2 * Cache::SLOTS_PER_SLAB;
    let boxes: Vec<_> = (0..capacity)
        .map(|i| cache.alloc(i as u32).unwrap())
        .collect();
    assert_eq!(
        cache.alloc(u32::MAX).unwrap_err().into_parts(),
        (u32::MAX, SlabError::OutOfMemory)
    );
    assert_eq!(
        cache.alloc_with(|| unreachable!("no slot, no call")).err(),
        Some(SlabError::OutOfMemory)
    );
    let stats = cache.stats();
    assert_eq!(
        (stats.in_use, stats.failed_allocs, stats.slabs),
        (capacity, 2, 3)
    );
    assert!(boxes.iter().enumerate().all(|(i, b)| **b == i as u32));
    drop(boxes);
    assert_eq!(cache.alloc(7).map(|b| *b), Ok(7)); // recovers once objects go
    drop(cache);
    drop(lazy);
    assert_eq!(Heap::<5>::outstanding(), 0);
}

#[test]
fn a_provider_that_returns_misaligned_memory_gets_it_back_unused() {
    type Cache = SlabCache<u64, SpinLock, 1024, Heap<6>>;
    Heap::<6>::set_misaligned(true);
    assert_eq!(Cache::new().err(), Some(SlabError::AlignmentMismatch));
    assert_eq!(Heap::<6>::outstanding(), 0);
    assert_eq!(Heap::<6>::calls(), 2); // taken, then handed straight back

    Heap::<6>::set_misaligned(false);
    let cache = Cache::new().unwrap();
    let boxes: Vec<_> = (0..Cache::SLOTS_IN_MASTER)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    Heap::<6>::set_misaligned(true);
    assert_eq!(
        cache.alloc(0).unwrap_err().into_parts(),
        (0, SlabError::AlignmentMismatch)
    );
    assert_eq!(Heap::<6>::outstanding(), 1);
    let stats = cache.stats();
    assert_eq!(
        (stats.slabs, stats.failed_allocs, stats.provider_calls),
        (1, 1, 3)
    );
    drop(boxes);
    drop(cache);
    assert_eq!(Heap::<6>::outstanding(), 0);
}

/// Alloc+drop pairs right at the end of the master slab.
fn thrash_the_boundary<const ID: usize>(reserve: usize, pairs: usize) -> usize {
    type Cache<const ID: usize> = SlabCache<u64, NoLock, 1024, Heap<ID>>;
    let cache = Cache::<ID>::with_reserve(reserve).unwrap();
    let full: Vec<_> = (0..Cache::<ID>::SLOTS_IN_MASTER)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    let before = cache.stats().provider_calls;
    for i in 0..pairs {
        drop(cache.alloc(i as u64).unwrap());
    }
    let calls = cache.stats().provider_calls - before;
    drop(full);
    calls
}

#[test]
fn alloc_and_drop_at_a_slab_boundary_call_the_provider_at_most_twice() {
    assert!(thrash_the_boundary::<7>(1, 1_000) <= 2);
    // Without a reserve every pair takes a slab and hands it back.
    assert_eq!(thrash_the_boundary::<8>(0, 1_000), 2_000);
}

/// Callers inside [`Overlapping::alloc`] now, and the most there ever were at once.
static INSIDE_ALLOC: AtomicUsize = AtomicUsize::new(0);
static MOST_INSIDE_ALLOC: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, with an `alloc` that waits a while for a second caller to
/// come in, and records how many were inside at once.
struct Overlapping;

// SAFETY: `std::alloc` returns exclusive blocks of the layout and is thread-safe, so
// both functions may run on several threads at once.
unsafe impl tinyalloc::cache::SlabProvider for Overlapping {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        let inside = INSIDE_ALLOC.fetch_add(1, Ordering::SeqCst) + 1;
        MOST_INSIDE_ALLOC.fetch_max(inside, Ordering::SeqCst);
        // Wait for the second caller by the clock, not a count of yields: on a busy
        // machine 10,000 yields passed before the other thread was even scheduled.
        let deadline = Instant::now() + Duration::from_secs(10);
        while MOST_INSIDE_ALLOC.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
            thread::yield_now();
        }
        // SAFETY: the cache never asks for zero bytes.
        let block = NonNull::new(unsafe { std::alloc::alloc(layout) });
        INSIDE_ALLOC.fetch_sub(1, Ordering::SeqCst);
        block
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
        // SAFETY: the cache hands back a block of `alloc` with its layout.
        unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
        Ok(())
    }
}

/// The provider runs with no lock held, so a shared cache calls it on two threads at
/// once: `SlabProvider`'s contract has to ask for that (a provider that bumps a plain
/// `static mut` offset would hand both threads the same slab).
#[test]
fn a_shared_cache_calls_its_provider_on_two_threads_at_once() {
    static CACHE: SlabCache<u64, SpinLock, 1024, Overlapping> = SlabCache::lazy();
    let start = std::sync::Barrier::new(2);
    thread::scope(|scope| {
        for i in 0..2 {
            let start = &start;
            scope.spawn(move || {
                start.wait();
                // Both threads find no master yet and ask the provider for one.
                assert_eq!(*CACHE.alloc(i).unwrap(), i);
            });
        }
    });
    assert_eq!(MOST_INSIDE_ALLOC.load(Ordering::SeqCst), 2);
    assert_eq!(CACHE.stats().in_use, 0);
}

/// Four threads allocate from one spin-locked cache and pass two of every three boxes
/// to the next thread, which checks and drops them. With `main_keeps_cache` the cache
/// outlives the threads and its counters are checked against the provider's; without,
/// the last thread to finish drops it while boxes may still be in flight. Either way
/// every slab is back with the provider at the end.
fn four_threads_share_a_cache<const ID: usize>(main_keeps_cache: bool) {
    type Cache<const ID: usize> = SlabCache<(usize, u64), SpinLock, 256, Heap<ID>>;
    type Boxed = SlabBox<(usize, u64), SpinLock, 256>;
    let rounds: usize = if cfg!(miri) { 40 } else { 4_000 };
    let threads = 4;
    let mut cache = Some(Arc::new(Cache::<ID>::new().unwrap()));
    let (senders, receivers): (Vec<_>, Vec<_>) =
        (0..threads).map(|_| mpsc::channel::<Boxed>()).unzip();
    let handles: Vec<_> = receivers
        .into_iter()
        .enumerate()
        .map(|(me, inbox)| {
            let cache = Arc::clone(cache.as_ref().unwrap());
            let next = senders[(me + 1) % threads].clone();
            thread::spawn(move || {
                let mut kept = Vec::new();
                let mut received = 0;
                for round in 0..rounds {
                    let boxed = cache.alloc((me, round as u64 * 7)).unwrap();
                    if round % 3 == 0 {
                        kept.push(boxed);
                    } else {
                        next.send(boxed).unwrap();
                    }
                    while let Ok(got) = inbox.try_recv() {
                        assert_eq!(got.0, (me + threads - 1) % threads);
                        assert_eq!(got.1 % 7, 0);
                        received += 1;
                    }
                    if round % 5 == 0 {
                        let stats = cache.stats();
                        assert!(stats.in_use <= stats.capacity, "{stats}");
                        assert!(stats.reserve < stats.slabs, "{stats}");
                    }
                    if kept.len() > 8 {
                        kept.drain(..4);
                    }
                }
                drop(next);
                drop(cache);
                (inbox, kept, received)
            })
        })
        .collect();
    drop(senders);
    if !main_keeps_cache {
        cache = None;
    }
    let leftovers: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let sent = threads * (rounds - rounds.div_ceil(3));
    let received: usize = leftovers.iter().map(|(_, _, r)| r).sum();
    // Boxes still in an inbox drop here, on this thread.
    let in_flight: usize = leftovers
        .iter()
        .map(|(inbox, _, _)| inbox.try_iter().count())
        .sum();
    assert_eq!(received + in_flight, sent);
    if let Some(cache) = cache {
        let cache = Arc::try_unwrap(cache).ok().unwrap();
        let stats = cache.stats();
        let kept: usize = leftovers.iter().map(|(_, kept, _)| kept.len()).sum();
        assert_eq!(stats.in_use, kept, "{stats}");
        assert_eq!((stats.failed_allocs, stats.provider_errors), (0, 0));
        assert_eq!(stats.provider_calls, Heap::<ID>::calls(), "{stats}");
        assert_eq!(stats.slabs, Heap::<ID>::outstanding(), "{stats}");
    }
    // The boxes that are left drop on other threads, after the cache.
    let dropping: Vec<_> = leftovers
        .into_iter()
        .map(|(_, kept, _)| thread::spawn(move || drop(kept)))
        .collect();
    for handle in dropping {
        handle.join().unwrap();
    }
    assert_eq!(Heap::<ID>::outstanding(), 0);
}

#[test]
fn four_threads_share_a_cache_and_its_counts_add_up() {
    four_threads_share_a_cache::<9>(true);
}

#[test]
fn four_threads_share_a_cache_that_the_last_of_them_drops() {
    four_threads_share_a_cache::<10>(false);
}

/// `trim` hands reserve slabs back with the lock given up, while two threads take
/// slaves (from the reserve or the provider) and empty them into the reserve again:
/// every slab goes back once, and the counters match the provider's.
#[test]
fn trim_on_one_thread_while_two_others_fill_and_empty_slaves() {
    type Cache = SlabCache<u64, SpinLock, 256, Heap<14>>;
    let rounds = if cfg!(miri) { 6 } else { 500 };
    let cache = Cache::with_reserve(2).unwrap();
    let fillers_done = AtomicUsize::new(0);
    thread::scope(|scope| {
        for me in 0..2u64 {
            let (cache, fillers_done) = (&cache, &fillers_done);
            scope.spawn(move || {
                for _ in 0..rounds {
                    // One more object than a slave holds: each round needs a slave,
                    // and empties one into the reserve when it drops them.
                    let boxes: Vec<_> = (0..=Cache::SLOTS_PER_SLAB as u64)
                        .map(|i| cache.alloc(me << 32 | i).unwrap())
                        .collect();
                    for (i, boxed) in boxes.iter().enumerate() {
                        assert_eq!(**boxed, me << 32 | i as u64);
                    }
                    drop(boxes);
                    thread::yield_now();
                }
                fillers_done.fetch_add(1, Ordering::SeqCst);
            });
        }
        scope.spawn(|| {
            while fillers_done.load(Ordering::SeqCst) < 2 {
                assert_eq!(cache.trim(), Ok(()));
                thread::yield_now();
            }
        });
    });
    let stats = cache.stats();
    assert_eq!(stats.in_use, 0, "{stats}");
    assert_eq!(stats.slabs, Heap::<14>::outstanding(), "{stats}");
    assert_eq!(stats.provider_calls, Heap::<14>::calls(), "{stats}");
    drop(cache);
    assert_eq!(Heap::<14>::outstanding(), 0);
}

/// Every counter after each way the provider can fail, in order, on one lazy cache.
#[test]
fn the_counters_after_each_provider_failure() {
    type Cache = SlabCache<u64, SpinLock, 512, Heap<11>>;
    fn snapshot(cache: &Cache) -> [usize; 8] {
        let s = cache.stats();
        [
            s.slabs,
            s.reserve,
            s.capacity,
            s.in_use,
            s.high_water,
            s.failed_allocs,
            s.provider_calls,
            s.provider_errors,
        ]
    }
    let (master, slave) = (Cache::SLOTS_IN_MASTER, Cache::SLOTS_PER_SLAB);
    let cache = Cache::lazy();
    // No memory for the master: one call, one failure, nothing held.
    Heap::<11>::set_budget(0);
    assert_eq!(
        cache.alloc(1).unwrap_err().into_parts(),
        (1, SlabError::OutOfMemory)
    );
    assert_eq!(snapshot(&cache), [0, 0, 0, 0, 0, 1, 1, 0]);
    // A misaligned master: taken and handed straight back.
    Heap::<11>::set_budget(usize::MAX);
    Heap::<11>::set_misaligned(true);
    assert_eq!(
        cache.alloc(2).unwrap_err().into_parts(),
        (2, SlabError::AlignmentMismatch)
    );
    assert_eq!(snapshot(&cache), [0, 0, 0, 0, 0, 2, 3, 0]);
    // The master at last, filled; the earlier counts carry over.
    Heap::<11>::set_misaligned(false);
    let full: Vec<_> = (0..master)
        .map(|i| cache.alloc(i as u64).unwrap())
        .collect();
    assert_eq!(snapshot(&cache), [1, 0, master, master, master, 2, 4, 0]);
    // No memory for a slave, then a misaligned one: the objects stay, nothing else.
    Heap::<11>::set_budget(1);
    assert_eq!(
        cache.alloc(3).unwrap_err().into_parts(),
        (3, SlabError::OutOfMemory)
    );
    Heap::<11>::set_budget(usize::MAX);
    Heap::<11>::set_misaligned(true);
    assert_eq!(
        cache.alloc(4).unwrap_err().into_parts(),
        (4, SlabError::AlignmentMismatch)
    );
    assert_eq!(snapshot(&cache), [1, 0, master, master, master, 4, 7, 0]);
    // A slave, emptied into the reserve, then trimmed.
    Heap::<11>::set_misaligned(false);
    drop(cache.alloc(5).unwrap());
    let total = master + slave;
    assert_eq!(snapshot(&cache), [2, 1, total, master, master + 1, 4, 8, 0]);
    assert_eq!(cache.trim(), Ok(()));
    assert_eq!(
        snapshot(&cache),
        [1, 0, master, master, master + 1, 4, 9, 0]
    );
    assert_eq!(Heap::<11>::calls(), 9);
    drop(full);
    assert_eq!(snapshot(&cache), [1, 0, master, 0, master + 1, 4, 9, 0]);
    drop(cache);
    assert_eq!(Heap::<11>::outstanding(), 0);
}

/// A lock made as `Lock`'s docs ask (all its bytes atomic, nothing of it touched after
/// giving it up) that, on a thread that asks for it, stops between giving the lock up
/// and returning: the moment at which another thread may free the master it lives in.
struct PausingLock {
    inner: SpinLock,
}

/// Met by the paused thread and the test: once when it has given the lock up, once
/// to let it return.
static PAUSED: std::sync::Barrier = std::sync::Barrier::new(2);
static RESUME: std::sync::Barrier = std::sync::Barrier::new(2);

thread_local! {
    static PAUSE_AFTER_RELEASE: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

// SAFETY: `f` runs inside the spin lock's own `with_lock`; the pause comes after it
// and touches nothing of the lock.
unsafe impl tinyalloc::cache::locks::Lock for PausingLock {
    #[allow(clippy::declare_interior_mutable_const)] // a template, copied per use
    const UNLOCKED: Self = PausingLock {
        inner: SpinLock::UNLOCKED,
    };

    fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R {
        let result = self.inner.with_lock(f);
        if PAUSE_AFTER_RELEASE.replace(false) {
            PAUSED.wait();
            RESUME.wait();
        }
        result
    }
}

/// A box that is not the last frees its slot and gives the lock up; before its drop
/// returns, the last box drops on another thread and the master goes back. The first
/// drop must touch nothing of the master from then on (Miri reports it if it does).
#[test]
fn a_drop_still_returning_when_the_last_box_frees_the_master_touches_it_no_more() {
    type Cache = SlabCache<u64, PausingLock, 256, Heap<13>>;
    let cache = Cache::new().unwrap();
    let (first, last) = (cache.alloc(1).unwrap(), cache.alloc(2).unwrap());
    drop(cache); // the boxes hold the master now
    let late = thread::spawn(move || {
        PAUSE_AFTER_RELEASE.set(true);
        drop(first);
    });
    PAUSED.wait(); // `first`'s slot is free; its drop has not returned
    drop(last);
    assert_eq!(Heap::<13>::outstanding(), 0, "the master went back");
    RESUME.wait();
    late.join().unwrap();
}
