//! [`Source`]: where the allocator-less forms find their pool, the global instance or
//! a pool of a queue's own.

use critical_section::CriticalSection;

use crate::{Allocator, ByteBufferError, SharedAllocator};

/// Where a buffer's or queue's blocks come from: the global instance, or a pool of a
/// queue's own. Every call runs in the critical section `cs` the caller holds.
pub(super) trait Source {
    /// The pool's type: `dyn SharedAllocator` for the global instance, or the type a
    /// queue names, which it then calls directly (the compiler sees through the
    /// `dyn Allocator` the pool lends, and inlines the pool's code into the queue's).
    type Pool: SharedAllocator + ?Sized;

    /// The pool; `NotInitialized` before a global instance is set.
    fn pool(&self, cs: CriticalSection<'_>) -> Result<&Self::Pool, ByteBufferError>;

    /// Runs `f` on the allocator under its lock; `NotInitialized` before a global
    /// instance is set, `Busy` from a lock that gives up.
    #[inline]
    fn run<R>(
        &self,
        cs: CriticalSection<'_>,
        f: impl FnOnce(&mut dyn Allocator) -> R,
    ) -> Result<R, ByteBufferError> {
        crate::pool::lock_in(self.pool(cs)?, cs, f).ok_or(ByteBufferError::Busy)
    }

    /// [`run`](Self::run) for a `Drop`: never panics. Where `run` would (inside a
    /// closure of the pool) it runs nothing and returns `Busy`.
    fn try_run<R>(
        &self,
        cs: CriticalSection<'_>,
        f: impl FnOnce(&mut dyn Allocator) -> R,
    ) -> Result<R, ByteBufferError> {
        crate::pool::try_lock_in(self.pool(cs)?, cs, f).ok_or(ByteBufferError::Busy)
    }
}

/// The global instance.
pub(super) struct Global;

impl Source for Global {
    type Pool = dyn SharedAllocator;

    #[inline]
    fn pool(&self, cs: CriticalSection<'_>) -> Result<&Self::Pool, ByteBufferError> {
        super::GLOBAL
            .borrow(cs)
            .get()
            .ok_or(ByteBufferError::NotInitialized)
    }
}

/// A pool of the queue's own: a trait object, or a pool whose type the queue names.
impl<P: SharedAllocator + ?Sized> Source for &'static P {
    type Pool = P;

    #[inline]
    fn pool(&self, _: CriticalSection<'_>) -> Result<&P, ByteBufferError> {
        Ok(*self)
    }
}
