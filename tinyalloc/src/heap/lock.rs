//! The lock around a heap's state: the heap's [`Lock`](crate::cache::locks::Lock) (a
//! critical section unless the heap names another), or nothing on the wasm targets
//! that cannot have threads, plus a flag that turns away re-entry.
//!
//! The lock is dropped only on `wasm32-unknown-unknown` and `wasm32v1-none` without the
//! `atomics` target feature. Not on the other wasm32 targets:
//! `cfg(target_feature = "atomics")` is unstable, so a stable compiler never sets it,
//! even on `wasm32-wasip1-threads`, whose threads share memory (`rustc --print cfg`
//! prints the same set there as for `wasm32-wasip1`); a test for "no atomics" alone
//! would drop the lock under threads. On the two targets named, a stable compiler
//! cannot make shared memory at all (the precompiled `core` has no atomics, and the
//! linker refuses `--shared-memory`), and a nightly one that rebuilds `core` with
//! `atomics` also sets the cfg. `wasm/run.sh` checks both sides.

#[cfg(not(all(
    target_arch = "wasm32",
    any(target_os = "unknown", target_os = "none"),
    not(target_feature = "atomics")
)))]
mod imp {
    use core::cell::UnsafeCell;

    use crate::cache::locks::Lock;
    use crate::guard::Guarded;

    /// A value only one context at a time may change: behind the lock `L`. With
    /// [`CriticalSectionLock`](crate::cache::locks::CriticalSectionLock), the default,
    /// interrupt handlers and threads can share the heap (the embedded-alloc pattern).
    pub(crate) struct Locked<T, L> {
        lock: L,
        inner: UnsafeCell<Guarded<T>>,
    }

    // SAFETY: the value is only reached inside `lock.with_lock`, whose contract is that
    // no two closures run at once on one lock, on any thread that can reach it (`L:
    // Sync` says which can), and that each closure happens before the next; so moving
    // `T` between threads (`T: Send`) is all that sharing does.
    unsafe impl<T: Send, L: Lock + Sync> Sync for Locked<T, L> {}

    impl<T, L: Lock> Locked<T, L> {
        pub(crate) const fn new(value: T) -> Self {
            Locked {
                lock: L::UNLOCKED,
                inner: UnsafeCell::new(Guarded::new(value)),
            }
        }

        /// Runs `f` on the value inside the lock. `None` only if `f` of an outer call
        /// is still running on this context (the heap was re-entered, say from a
        /// non-maskable interrupt, which a critical section lets through); no heap
        /// code calls out while it holds the value.
        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
            self.lock.with_lock(|| {
                // SAFETY: inside the lock no other context runs a closure on this
                // value (the `Lock` contract); a re-entry on this context finds the
                // flag raised and gets `None` from `enter` without a second `&mut`.
                let guarded = unsafe { &*self.inner.get() };
                guarded.enter(f)
            })
        }
    }
}

#[cfg(all(
    target_arch = "wasm32",
    any(target_os = "unknown", target_os = "none"),
    not(target_feature = "atomics")
))]
mod imp {
    use core::marker::PhantomData;

    use crate::cache::locks::Lock;
    use crate::guard::Guarded;

    /// On these targets there are no threads and no interrupts, so the lock is only
    /// the re-entry flag, whatever `L` is.
    pub(crate) struct Locked<T, L> {
        inner: Guarded<T>,
        _lock: PhantomData<fn() -> L>,
    }

    // SAFETY: these targets have no threads (without the `atomics` feature, which a
    // compiler that can build `core` with it also reports, the module's memory cannot
    // be shared between agents) and no interrupts, so a `Locked` is never used from
    // two contexts at once; the flag catches re-entry.
    unsafe impl<T: Send, L> Sync for Locked<T, L> {}

    impl<T, L: Lock> Locked<T, L> {
        pub(crate) const fn new(value: T) -> Self {
            Locked {
                inner: Guarded::new(value),
                _lock: PhantomData,
            }
        }

        /// Runs `f` on the value; `None` if the heap was re-entered.
        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
            self.inner.enter(f)
        }
    }
}

pub(crate) use imp::Locked;
