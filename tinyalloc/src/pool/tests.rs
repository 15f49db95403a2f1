extern crate std;

use super::*;
use std::sync::Arc;
use std::thread;
use std::vec::Vec;

static SHARED: Pool<1024, 32> = Pool::new();

#[test]
fn is_sync_and_usable_as_a_static() {
    fn assert_sync<T: Sync>() {}
    assert_sync::<Pool<1024, 32>>();
    let h = SHARED.alloc(b"static").unwrap();
    assert_eq!(SHARED.read(h, <[u8]>::to_vec), Some(b"static".to_vec()));
    assert!(SHARED.free(h));
    assert!(!SHARED.free(h));
}

#[test]
fn costs_the_slab_and_one_aligned_flag() {
    use core::mem::size_of;
    fn extra<const SIZE: usize, const SLOTS: usize, A: Alignment>() -> usize {
        size_of::<Pool<SIZE, SLOTS, A>>() - size_of::<TinySlabAllocator<SIZE, SLOTS, A>>()
    }
    assert_eq!(extra::<1024, 32, Align8>(), 8);
    assert_eq!(extra::<64, 32, crate::align::Align2>(), 4);
    assert_eq!(extra::<1024, 16, crate::align::Align64>(), 64);
}

/// The mix-up a static pool's handles invite: a frame of one pool freed into its
/// neighbour. The neighbour refuses it and keeps its own block live.
#[test]
fn a_handle_given_to_the_static_beside_its_pool_is_refused() {
    static PAIR: [Pool<256, 8>; 2] = [Pool::new(), Pool::new()];
    let [rx, tx] = &PAIR;
    let frame = rx.alloc(b"rx frame").unwrap();
    let other = tx.alloc(b"tx frame").unwrap();
    assert_eq!(frame.index(), other.index());
    assert!(!tx.free(frame));
    assert_eq!(tx.read(other, <[u8]>::to_vec), Some(b"tx frame".to_vec()));
    assert_eq!(tx.stats().rejected_handles, 1);
    assert!(rx.free(frame));
    assert!(tx.free(other));
}

#[test]
fn methods_match_the_slab() {
    let pool = Pool::<256, 8>::new();
    assert_eq!((pool.block_size(), pool.capacity()), (32, 8));
    let h = pool.alloc_with(3, |b| b.copy_from_slice(b"abc")).unwrap();
    assert_eq!(
        pool.write(h, |b| {
            b[1] = b'B';
            b.len()
        }),
        Some(3)
    );
    assert_eq!(pool.read(h, <[u8]>::to_vec), Some(b"aBc".to_vec()));
    assert_eq!(pool.len(), 1);
    assert!(pool.contains(h));
    assert!(matches!(
        pool.alloc(&[0; 33]),
        Err(AllocError::TooLarge { .. })
    ));
    pool.free(h);
    assert!(pool.is_empty());
    assert_eq!(pool.read(h, |_| ()), None);
    assert_eq!(pool.write(h, |_| ()), None);
    assert!(!pool.contains(h));
    let stats = pool.stats();
    assert_eq!(
        (
            stats.failed_allocs,
            stats.rejected_handles,
            stats.high_water
        ),
        (1, 2, 1)
    );
}

#[test]
fn shared_allocator_runs_the_closure_once_under_the_lock() {
    let pool = Pool::<256, 8>::new();
    let shared: &dyn SharedAllocator = &pool;
    let h = shared
        .lock(|alloc| alloc.alloc(b"via dyn"))
        .unwrap()
        .unwrap();
    assert_eq!(
        shared.lock(|alloc| alloc.get(h).map(<[u8]>::len)),
        Some(Some(7))
    );
    assert_eq!(pool.len(), 1);
}

#[test]
#[should_panic(expected = "already running")]
fn reentering_the_pool_panics_instead_of_aliasing() {
    let pool = Pool::<256, 8>::new();
    pool.with(|_| pool.stats());
}

/// A closure inside a closure reaches the flag through `with`, not through the
/// flag-checking fast path of `stats` or `free`.
#[test]
#[should_panic(expected = "already running")]
fn a_closure_run_inside_one_of_the_same_pool_panics_instead_of_aliasing() {
    let pool = Pool::<256, 8>::new();
    let h = pool.alloc(b"held").unwrap();
    pool.read(h, |held| pool.write(h, |bytes| bytes[0] = held[0]));
}

#[test]
#[should_panic(expected = "already running")]
fn copying_a_block_of_the_pool_into_the_pool_from_its_closure_panics() {
    let pool = Pool::<256, 8>::new();
    let h = pool.alloc(b"source").unwrap();
    // The slice `read` lends is a view of the slab: `alloc` must not make a second
    // reference to the slab while it is alive.
    let _ = pool.read(h, |bytes| pool.alloc(bytes));
}

/// `Debug` is what a panic handler or a log line prints: it must not panic
/// itself when the pool is busy, as `RefCell`'s does not.
#[test]
fn debug_inside_a_closure_of_the_pool_shows_it_borrowed() {
    let pool = Pool::<256, 8>::new();
    let h = pool.alloc(b"held").unwrap();
    let inside = pool.with(|_| std::format!("{pool:?}"));
    assert_eq!(
        inside,
        "Pool { block_size: 32, align: 8, stats: <borrowed>, .. }"
    );
    assert_eq!(pool.read(h, |_| std::format!("{pool:?}")), Some(inside));
    // Outside, the counters are back.
    assert!(std::format!("{pool:?}").contains("in_use: 1"));
}

/// What a panic handler reads when the panic came from inside one of the pool's
/// closures: `None`, not a second panic; outside them, the counters.
#[test]
fn try_stats_is_none_inside_the_pools_closures_and_the_counters_outside() {
    let pool = Pool::<256, 8>::new();
    let h = pool.alloc(b"held").unwrap();
    assert!(pool.with(|_| pool.try_stats()).is_none());
    assert_eq!(pool.read(h, |_| pool.try_stats()), Some(None));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.write(h, |_| panic!("{:?}", pool.try_stats()))
    }));
    let message = caught.unwrap_err();
    assert_eq!(
        message.downcast_ref::<std::string::String>().unwrap(),
        "None"
    );
    assert_eq!(pool.try_stats(), Some(pool.stats()));
    assert_eq!(pool.try_stats().unwrap().in_use, 1);
}

#[test]
fn a_turned_away_free_changes_nothing() {
    let pool = Pool::<256, 8>::new();
    let h = pool.alloc(b"kept").unwrap();
    let caught =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pool.with(|_| pool.free(h))));
    assert!(caught.is_err());
    // The flag came down with the closure, and the block is still live.
    assert_eq!(pool.len(), 1);
    assert_eq!(pool.read(h, <[u8]>::to_vec), Some(b"kept".to_vec()));
    assert!(pool.free(h));
    assert_eq!(pool.stats().rejected_handles, 0);
}

#[test]
fn a_panicking_closure_leaves_the_pool_usable() {
    let pool = Pool::<256, 8>::new();
    let h = pool.alloc(b"kept").unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.write(h, |_| panic!("inside the closure"))
    }));
    assert!(caught.is_err());
    assert_eq!(pool.read(h, <[u8]>::to_vec), Some(b"kept".to_vec()));
    assert!(pool.free(h));
}

/// The host's critical section lets the thread holding it in again, so a pool
/// used on from the panicking thread cannot show that the section was released:
/// another thread, standing in for an interrupt, can.
#[test]
fn after_a_panicking_closure_another_context_gets_the_pool() {
    static POOL: Pool<256, 8> = Pool::new();
    let h = POOL.alloc(b"freed").unwrap();
    let caught = std::panic::catch_unwind(|| {
        POOL.with(|slab| {
            assert!(slab.free(h));
            panic!("after the free");
        })
    });
    assert!(caught.is_err());
    let (done, result) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let h = POOL.alloc(b"other").unwrap();
        done.send((POOL.read(h, <[u8]>::to_vec), POOL.stats()))
    });
    let (read, stats) = result
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the other thread is still waiting for the critical section");
    assert_eq!(read, Some(b"other".to_vec()));
    // What the closure did before it panicked stands: the block was freed.
    assert_eq!(
        (stats.in_use, stats.high_water, stats.rejected_handles),
        (1, 1, 0)
    );
    assert_eq!(POOL.read(h, |_| ()), None);
}

#[test]
fn a_panicking_fill_gives_its_block_back() {
    let pool = Pool::<256, 8>::new();
    let kept = pool.alloc(b"kept").unwrap();
    let before = pool.stats();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pool.alloc_with(4, |_| panic!("fill failed"))
    }));
    assert!(caught.is_err());
    assert_eq!(pool.len(), 1, "only the block taken before is in use");
    let after = pool.stats();
    assert_eq!(after.in_use, before.in_use);
    assert_eq!(after.rejected_handles, 0);
    // The pool works on, and all eight blocks can still be taken.
    assert_eq!(pool.read(kept, <[u8]>::to_vec), Some(b"kept".to_vec()));
    let rest: Vec<_> = (0..7)
        .map(|_| pool.alloc_with(4, |b| b.fill(1)).unwrap())
        .collect();
    assert_eq!(pool.len(), 8);
    for h in rest {
        assert!(pool.free(h));
    }
    assert!(pool.free(kept));
}

#[test]
fn threads_share_one_pool() {
    let pool = Arc::new(Pool::<{ 16 * 64 }, 64>::new());
    let workers: Vec<_> = (0..4u8)
        .map(|t| {
            let pool = Arc::clone(&pool);
            thread::spawn(move || {
                for i in 0..if cfg!(miri) { 20 } else { 500 } {
                    let byte = t.wrapping_mul(31).wrapping_add(i as u8);
                    let h = pool.alloc(&[byte; 16]).unwrap();
                    assert_eq!(pool.read(h, |b| b.iter().all(|&x| x == byte)), Some(true));
                    assert!(pool.free(h));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert!(pool.is_empty());
    assert_eq!(pool.stats().rejected_handles, 0);
}
