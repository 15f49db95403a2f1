//! [`Guarded`]: a value behind a one-byte flag that turns away re-entry, for the
//! `critical_section::Mutex` of the pools and the heaps.

use core::cell::{Cell, UnsafeCell};

/// A value and the flag that says a call of this context is using it. The flag is what
/// `RefCell`'s borrow counter would be, cut to one bit: pools and heaps only ever lend
/// their value mutably, so it costs a byte store on the way in and one on the way out.
/// Not `Sync`: only the caller's lock (a critical section) shares it.
pub(crate) struct Guarded<T> {
    busy: Cell<bool>,
    value: UnsafeCell<T>,
}

impl<T> Guarded<T> {
    pub(crate) const fn new(value: T) -> Self {
        Guarded {
            busy: Cell::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` on the value unless a call of this context is already inside (then
    /// `None`). The caller ensures that no other context can reach `self` meanwhile.
    ///
    /// If `f` unwinds, the flag stays set and every later call gets `None`: the value
    /// fails closed. This is for a value `f` may leave half-changed (a heap's state;
    /// no heap code panics, but a bug that did must not hand the state out again).
    #[inline(always)]
    pub(crate) fn enter<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if self.busy.get() {
            return None;
        }
        self.busy.set(true);
        // SAFETY: no other context reaches `self` while this runs (the caller's lock),
        // and in this one `busy` was false, so no other reference to the value is live;
        // the one made here ends before `busy` is cleared.
        let result = f(unsafe { &mut *self.value.get() });
        self.busy.set(false);
        Some(result)
    }

    /// Runs `f` on the value unless a call of this context is already inside (then
    /// `None`), without raising the flag meanwhile: two byte stores fewer than
    /// [`enter`](Self::enter), for the short operations a pool runs on its own.
    ///
    /// # Safety
    ///
    /// `f` must not reach this `Guarded` again: it may call no code that could (no
    /// closure or trait object of the user's, nothing that takes a lock). The caller
    /// ensures, as for `enter`, that no other context can reach `self` meanwhile.
    #[cfg(feature = "tinyslab")]
    #[inline(always)]
    pub(crate) unsafe fn enter_leaf<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if self.busy.get() {
            return None;
        }
        // SAFETY: `busy` is false, so no reference to the value made by `enter` or
        // `enter_reopening` is live in this context, and the caller's lock keeps other
        // contexts out; `f` cannot reach `self` (the caller's contract), so the reference
        // made here is the only one until it ends with `f`.
        Some(f(unsafe { &mut *self.value.get() }))
    }

    /// [`enter`](Self::enter), but the flag is cleared when `f` unwinds too, as
    /// `RefCell` does: for a value that is whole whenever `f` can panic (a pool's slab,
    /// which the user's closure reaches only through its safe API).
    #[cfg(feature = "tinyslab")]
    #[inline(always)]
    pub(crate) fn enter_reopening<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        if self.busy.get() {
            return None;
        }
        self.busy.set(true);
        let _leave = Leave(&self.busy);
        // SAFETY: as in `enter`; the reference made here ends with `f`, before `_leave`
        // clears the flag.
        Some(f(unsafe { &mut *self.value.get() }))
    }
}

/// Clears a [`Guarded`] flag when dropped.
#[cfg(feature = "tinyslab")]
struct Leave<'a>(&'a Cell<bool>);

#[cfg(feature = "tinyslab")]
impl Drop for Leave<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        self.0.set(false);
    }
}
