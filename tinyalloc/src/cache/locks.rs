//! The [`Lock`] a cache takes around every change to its slabs, and the three that
//! come with tinyalloc. The heaps take the same locks (re-exported in
//! [`heap`](crate::heap)), around every allocation and free.
//!
//! | lock | `Sync` | use it when | cost per operation |
//! | --- | --- | --- | --- |
//! | [`NoLock`] | no | one thread, no interrupt handler touches the cache or heap | nothing |
//! | [`SpinLock`] | yes | threads or cores share it, no interrupt handler does | one atomic swap and one store |
//! | [`CriticalSectionLock`] | yes | an interrupt handler allocates or frees | one critical section |
//!
//! A spin lock is not interrupt-safe: an interrupt that spins on a lock held by the
//! code it preempted never gets it. Use [`CriticalSectionLock`] when a handler touches
//! the cache or heap.

use core::fmt;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, Ordering};

/// Mutual exclusion for a slab cache's or a heap's bookkeeping.
///
/// The cache keeps one lock in the cache value (it guards taking the first slab) and
/// one in its master slab (it guards everything else, including boxes dropped after
/// the cache value is gone). A cache's lock must fit in 16 bytes; a larger one fails
/// to compile. A heap keeps one lock beside its state. Whether the cache and its boxes
/// may cross threads follows the lock: a cache or a heap is `Sync`, and boxes are
/// `Send`, only when the lock is `Sync`.
///
/// A custom lock, here a critical section that also counts how often it was taken.
/// It counts before it takes the lock, never after giving it up, and every byte of it
/// is an atomic (the critical section's lock is zero-sized, so there is no padding
/// either): the last paragraph of the Safety section says why both matter.
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use tinyalloc::cache::locks::{CriticalSectionLock, Lock};
///
/// struct CountingLock {
///     taken: AtomicU32,
///     inner: CriticalSectionLock,
/// }
///
/// // SAFETY: `with_lock` runs `f` inside the critical section's own `with_lock`, so it
/// // excludes other callers exactly as `CriticalSectionLock` does. It touches nothing
/// // of itself after that, and all its bytes are in the `AtomicU32`.
/// unsafe impl Lock for CountingLock {
///     #[allow(clippy::declare_interior_mutable_const)] // a template, copied per use
///     const UNLOCKED: Self = CountingLock {
///         taken: AtomicU32::new(0),
///         inner: CriticalSectionLock,
///     };
///
///     fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R {
///         self.taken.fetch_add(1, Ordering::Relaxed);
///         self.inner.with_lock(f)
///     }
/// }
///
/// let lock = CountingLock::UNLOCKED;
/// assert_eq!(lock.with_lock(|| 40 + 2), 42);
/// assert_eq!(lock.taken.load(Ordering::Relaxed), 1);
/// ```
///
/// # Safety
///
/// While `with_lock` runs its closure, no other `with_lock` call on the same lock
/// value may run its closure: not on another thread when the type is `Sync`, and
/// not in an interrupt handler that can reach the lock. Taking turns is not enough:
/// everything one closure did must happen before the next closure on that lock
/// starts, on whichever thread or core it runs (take the lock with `Acquire` and give
/// it back with `Release`, as [`SpinLock`] does; a lock whose flag is only `Relaxed`
/// lets two threads' closures race on the state it guards). `with_lock` calls the
/// closure exactly once and returns what it returns; neither the cache nor a heap
/// nests calls on one lock. [`UNLOCKED`](Self::UNLOCKED) is a lock that nobody holds.
///
/// A cache's lock lives in its master slab, which goes back to the provider when the
/// last box drops after the cache value, on whichever thread that is. So the moment
/// `with_lock` gives the lock up, another thread may take it, drop that last box and
/// free the memory the lock is in, before this `with_lock` has returned. Once it has
/// given the lock up, `with_lock` must not touch `self` (count or log before taking
/// it, or in a `static`), and every byte of the lock must lie inside an `UnsafeCell`
/// (atomics, `Cell`) with no padding between fields, or the lock must be zero-sized,
/// as [`SpinLock`] (one `AtomicBool`) and [`CriticalSectionLock`] are: Rust holds
/// `&self` valid until `with_lock` returns for every other byte, so freeing the lock
/// under it is undefined behaviour even if `with_lock` never reads it again.
pub unsafe trait Lock {
    /// A lock that nobody holds. A constant so that a cache or heap can be a `static`.
    const UNLOCKED: Self;

    /// Runs `f` with the lock held and returns its result.
    fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R;
}

/// No lock at all, for a cache that one thread uses and no interrupt handler touches.
///
/// A cache with `NoLock` is neither `Sync` nor `Send`, and its boxes are not `Send`,
/// so the compiler keeps them on one thread (a box is `Sync` when its object is: a
/// shared box only lends `&T`, and cannot free anything):
///
/// ```compile_fail,E0277
/// use tinyalloc::cache::{locks::NoLock, SlabCache};
/// fn needs_sync<S: Sync>(_: &S) {}
/// let cache = SlabCache::<u32, NoLock, 1024>::lazy();
/// needs_sync(&cache); // error: `*const ForOneContextUseCriticalSectionLockToShare`
///                     // cannot be shared between threads safely
/// ```
#[derive(Default)]
pub struct NoLock {
    _not_sync: PhantomData<*const ForOneContextUseCriticalSectionLockToShare>,
}

/// Never made: its pointer is what makes [`NoLock`] not `Sync`, and its name is what
/// the compiler's error says when a `static` cache or heap has `NoLock`, in place of a
/// `Cell` and a suggestion of `std::sync::RwLock`.
enum ForOneContextUseCriticalSectionLockToShare {}

// SAFETY: `NoLock` holds nothing; a pointer type stands in for "not `Sync`" only, and
// moving a `NoLock` to another thread moves no data.
unsafe impl Send for NoLock {}

impl fmt::Debug for NoLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NoLock")
    }
}

// SAFETY: `NoLock` is not `Sync`, so a `&NoLock` never reaches another thread, and
// neither the cache nor a heap nests `with_lock`. A cache or heap with `NoLock` is not
// `Sync`, so it is not a `static` by itself: an interrupt handler reaches one only
// through something that is, such as a `critical_section::Mutex` around a `RefCell`,
// which lends it to one context at a time and never into the middle of another's
// call.
unsafe impl Lock for NoLock {
    const UNLOCKED: Self = NoLock {
        _not_sync: PhantomData,
    };

    #[inline(always)]
    fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R {
        f()
    }
}

/// A spin lock: one flag, taken with an atomic swap where the target has one and
/// inside a critical section where it has not (`thumbv6m`, which has atomic loads and
/// stores but no compare-and-swap; that path needs a `critical-section`
/// implementation, as every single-core Cortex-M program already links).
///
/// For threads or cores, not for interrupt handlers (see the [module](self) docs).
#[derive(Debug, Default)]
pub struct SpinLock {
    locked: AtomicBool,
}

impl SpinLock {
    #[cfg(target_has_atomic = "8")]
    #[inline(always)]
    fn try_acquire(&self) -> bool {
        !self.locked.swap(true, Ordering::Acquire)
    }

    #[cfg(not(target_has_atomic = "8"))]
    #[inline(always)]
    fn try_acquire(&self) -> bool {
        // No compare-and-swap here: make the test and the set one step by running
        // them with interrupts (and, on multi-core implementations, the other
        // cores) held off.
        critical_section::with(|_| {
            if self.locked.load(Ordering::Acquire) {
                false
            } else {
                self.locked.store(true, Ordering::Relaxed);
                true
            }
        })
    }

    /// Takes the flag; while it is taken, reads it until it clears, then tries
    /// again. The wait is inline, not a call: a call in the middle of the cache's
    /// paths, even one never made, has them keep their values in callee-saved
    /// registers, which they save and restore every time. The first try stands
    /// before the loop, the rest marked cold, so the lock taken at once falls
    /// through: as the loop's head it was aligned with a no-op and left by a jump
    /// (with fat LTO, three of the 61 instructions of a `SlabCache` pair).
    #[inline(always)]
    fn acquire(&self) {
        if self.try_acquire() {
            return;
        }
        crate::hint::cold();
        loop {
            while self.locked.load(Ordering::Relaxed) {
                core::hint::spin_loop();
            }
            if self.try_acquire() {
                return;
            }
        }
    }
}

/// Releases the spin lock even if the closure unwinds.
struct Unlock<'a>(&'a AtomicBool);

impl Drop for Unlock<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

// SAFETY: `acquire` returns only after this caller turned `locked` from false to true
// in one indivisible step (an atomic swap, or a test and set inside a critical
// section), and only the holder stores `false` again, after `f` returned or unwound.
// The Acquire on taking and the Release on giving back order the closures.
unsafe impl Lock for SpinLock {
    #[allow(clippy::declare_interior_mutable_const)] // a template, copied per use
    const UNLOCKED: Self = SpinLock {
        locked: AtomicBool::new(false),
    };

    #[inline(always)]
    fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R {
        self.acquire();
        let _unlock = Unlock(&self.locked);
        f()
    }
}

/// A critical section (`critical_section::with`) around every change: safe to use
/// from interrupt handlers. On a single-core MCU that masks interrupts for the few
/// instructions of an allocation or a free; the implementation comes from the
/// program (e.g. `cortex-m`'s `critical-section-single-core`, or `critical-section`'s
/// `std` feature on a host). Zero-sized.
#[derive(Debug, Default, Clone, Copy)]
pub struct CriticalSectionLock;

// SAFETY: `critical_section::with` excludes every other critical section in the
// program, on every thread, core and interrupt level, for as long as `f` runs.
unsafe impl Lock for CriticalSectionLock {
    const UNLOCKED: Self = CriticalSectionLock;

    #[inline(always)]
    fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R {
        critical_section::with(|_| f())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::sync::Arc;
    use std::vec::Vec;

    /// Increments done with a read and a separate write, which lose updates unless
    /// the lock keeps the threads apart.
    ///
    /// Between the read and the write the holder keeps its CPU and spins a while: the
    /// other threads are meanwhile at the lock (on another core, or preempted onto
    /// this one), so a lock that let them in would lose updates. It does not yield
    /// there: on a loaded host a yield inside the lock hands the CPU to other
    /// processes for a whole time slice, 8,000 times, while the spin lock's waiters
    /// burn theirs; the test then took 20 to 100 s instead of a fraction of one. (A
    /// `Lock` whose `with_lock` just calls `f` fails this every time, even with the
    /// threads pinned to one core.)
    /// Under Miri, which runs one thread at a time and is never oversubscribed, the
    /// yield is kept: it switches threads inside the lock on every round.
    fn contended<L: Lock + Send + Sync + 'static>() {
        struct Shared<L> {
            lock: L,
            count: core::cell::UnsafeCell<u32>,
        }
        // SAFETY: `count` is only touched inside `lock.with_lock`.
        unsafe impl<L: Sync> Sync for Shared<L> {}
        let shared = Arc::new(Shared {
            lock: L::UNLOCKED,
            count: core::cell::UnsafeCell::new(0),
        });
        let rounds = if cfg!(miri) { 20 } else { 2_000 };
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || {
                    for _ in 0..rounds {
                        shared.lock.with_lock(|| {
                            // SAFETY: the lock is held, so no other thread touches `count`.
                            let seen = unsafe { *shared.count.get() };
                            if cfg!(miri) {
                                std::thread::yield_now();
                            } else {
                                for _ in 0..200 {
                                    core::hint::spin_loop();
                                }
                            }
                            // SAFETY: as above.
                            unsafe { *shared.count.get() = seen + 1 };
                        });
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        shared.lock.with_lock(|| {
            // SAFETY: every thread has finished.
            assert_eq!(unsafe { *shared.count.get() }, 4 * rounds);
        });
    }

    #[test]
    fn spin_lock_excludes_other_threads() {
        contended::<SpinLock>();
    }

    #[test]
    fn critical_section_lock_excludes_other_threads() {
        contended::<CriticalSectionLock>();
    }

    #[test]
    fn a_spin_lock_is_free_again_after_a_panic_inside() {
        let lock = SpinLock::UNLOCKED;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lock.with_lock(|| panic!("inside the lock"))
        }));
        assert!(result.is_err());
        assert_eq!(lock.with_lock(|| 7), 7);
    }

    #[test]
    fn no_lock_runs_the_closure() {
        assert_eq!(NoLock::UNLOCKED.with_lock(|| "ran"), "ran");
        // Its marker field stays out of the output.
        assert_eq!(std::format!("{:?}", NoLock::UNLOCKED), "NoLock");
    }

    #[test]
    fn the_shipped_locks_are_small() {
        assert_eq!(core::mem::size_of::<NoLock>(), 0);
        assert_eq!(core::mem::size_of::<SpinLock>(), 1);
        assert_eq!(core::mem::size_of::<CriticalSectionLock>(), 0);
    }
}
