//! The lock around a heap's state: a critical section, or nothing where there are no
//! threads, plus a flag that turns away re-entry.

use crate::guard::Guarded;

/// A value only one context at a time may change: behind a critical section
/// (`critical_section::Mutex`, the embedded-alloc pattern), so interrupt handlers and
/// threads can share a heap.
#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
pub(crate) struct Locked<T> {
    inner: critical_section::Mutex<Guarded<T>>,
}

#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
impl<T> Locked<T> {
    pub(crate) const fn new(value: T) -> Self {
        Locked {
            inner: critical_section::Mutex::new(Guarded::new(value)),
        }
    }

    /// Runs `f` on the value inside a critical section. `None` only if `f` of an outer
    /// call is still running on this context (the heap was re-entered, say from a
    /// non-maskable interrupt); no heap code calls out while it holds the value.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        critical_section::with(|cs| self.inner.borrow(cs).enter(f))
    }
}

/// On `wasm32` without the `atomics` target feature there are no threads and no
/// interrupts, so the lock is only the re-entry flag.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub(crate) struct Locked<T> {
    inner: Guarded<T>,
}

// SAFETY: this target has no threads (wasm32 without the `atomics` feature cannot
// share memory between agents) and no interrupts, so a `Locked` is never used from
// two contexts at once; the flag catches re-entry.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<T: Send> Sync for Locked<T> {}

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
impl<T> Locked<T> {
    pub(crate) const fn new(value: T) -> Self {
        Locked {
            inner: Guarded::new(value),
        }
    }

    /// Runs `f` on the value; `None` if the heap was re-entered.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        self.inner.enter(f)
    }
}
