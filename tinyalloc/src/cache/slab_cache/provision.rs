//! Where a cache's slabs come from and where they go: the master and each slave
//! slab taken from the provider, and what a dropped cache hands back itself.

use core::marker::PhantomData;
use core::mem;
use core::ptr::NonNull;
use core::sync::atomic::Ordering;

use super::SlabCache;
use crate::cache::bookkeeping;
use crate::cache::error::{Result, SlabError};
use crate::cache::layout::Geometry;
use crate::cache::locks::Lock;
use crate::cache::provider::SlabProvider;
use crate::cache::slab::{self, Counters, MasterCore, SlabHeader};

impl<T, L: Lock, const SLAB_SIZE: usize, P: SlabProvider> SlabCache<T, L, SLAB_SIZE, P> {
    /// Takes a slab from the provider and makes it the master, unless a master
    /// appeared meanwhile; then the slab goes back and that master is used.
    ///
    /// The provider is the user's code, so it runs with no lock held and no
    /// reference into the cache live: it may look at this cache (`stats`) or even
    /// allocate from it without nesting a lock or aliasing `early`.
    #[cold]
    #[inline(never)]
    pub(super) fn take_master(&self) -> Result<NonNull<MasterCore>> {
        let FromProvider {
            slab: base,
            calls,
            errors,
        } = self.slab_from_provider();
        let installed = self.init.with_lock(|| {
            if let Some(core) = NonNull::new(self.master.load(Ordering::Acquire)) {
                // Another thread, or the provider through this cache, was first.
                return Err(core);
            }
            // SAFETY: `early` is only touched under `init`, which is held, and this
            // closure calls no code of the user's, so the reference is the only one.
            let early = unsafe { &mut *self.early.get() };
            slab::tally(&mut early.provider_calls, calls);
            slab::tally(&mut early.provider_errors, errors);
            let base = match base {
                Ok(base) => base,
                Err(error) => {
                    slab::tally(&mut early.failed_allocs, 1);
                    return Ok(Err(error));
                }
            };
            let geometry = Self::GEOMETRY;
            let core = base.cast::<MasterCore>();
            // SAFETY: `base` is a fresh, aligned slab of `SLAB_SIZE` bytes, ours
            // alone; the master's slots start after `Master<L>`, and the layout check
            // keeps two of them inside the slab.
            unsafe {
                slab::init_slab(
                    base,
                    core,
                    P::free,
                    geometry.slot_size,
                    geometry.master_first,
                    geometry.master_slots,
                )
            };
            let counters = Counters {
                slabs: 1,
                capacity: geometry.master_slots,
                ..*early
            };
            // SAFETY: the slab was just set up as its own master and is still ours.
            unsafe { slab::init_master::<L>(core, self.reserve, counters) };
            // Release: a thread that loads the pointer sees the header written.
            self.master.store(core.as_ptr(), Ordering::Release);
            Ok(Ok(core))
        });
        let core = match installed {
            Ok(result) => return result,
            Err(core) => core,
        };
        // Ours was not needed: it goes back, and the calls count in the master.
        let (mut calls, mut errors) = (calls, errors);
        if let Ok(base) = base {
            // SAFETY: the slab came from `P::alloc` with this layout and was never
            // used or shown to anyone.
            let freed = unsafe { P::free(base, Self::LAYOUT) };
            calls += 1;
            errors += usize::from(freed.is_err());
        }
        self.with_master(core, || {
            // SAFETY: the closure runs under the master's lock.
            let counters = &mut unsafe { slab::state_mut(core) }.counters;
            slab::tally(&mut counters.provider_calls, calls);
            slab::tally(&mut counters.provider_errors, errors);
        });
        Ok(core)
    }

    /// Takes a slave slab from the provider, then a slot from it; with the high-water
    /// mark from just before, read under the same lock.
    #[cold]
    #[inline(never)]
    pub(super) fn grow(&self, core: NonNull<MasterCore>) -> Result<(NonNull<u8>, usize)> {
        let geometry = Self::GEOMETRY;
        let FromProvider {
            slab,
            calls,
            errors,
        } = self.slab_from_provider();
        let slab = slab.map(|base| {
            // SAFETY: a fresh, aligned slab of `SLAB_SIZE` bytes, ours alone; the
            // slots fit (layout check).
            unsafe {
                slab::init_slab(
                    base,
                    core,
                    P::free,
                    geometry.slot_size,
                    geometry.slave_first,
                    geometry.slave_slots,
                )
            }
        });
        self.with_master(core, || {
            // SAFETY: the closure runs under the master's lock.
            let state = unsafe { slab::state_mut(core) };
            slab::tally(&mut state.counters.provider_calls, calls);
            slab::tally(&mut state.counters.provider_errors, errors);
            match slab {
                Ok(slab) => {
                    // SAFETY: the lock is held; `slab` is new and on no list.
                    unsafe { bookkeeping::adopt(state, slab) };
                    let mark = state.counters.high_water;
                    // SAFETY: the lock is held; `state` is not used after this.
                    let slot = unsafe { bookkeeping::take(core) };
                    slot.map(|slot| (slot, mark)).ok_or(SlabError::FatalError)
                }
                Err(error) => {
                    slab::tally(&mut state.counters.failed_allocs, 1);
                    Err(error)
                }
            }
        })
    }

    /// Asks the provider for one slab and checks its alignment; a misaligned block
    /// goes straight back.
    fn slab_from_provider(&self) -> FromProvider {
        // SAFETY: `SLAB_SIZE` is not zero (it is a power of two).
        match unsafe { P::alloc(Self::LAYOUT) } {
            None => FromProvider {
                slab: Err(SlabError::OutOfMemory),
                calls: 1,
                errors: 0,
            },
            Some(base) if base.addr().get() & (SLAB_SIZE - 1) != 0 => {
                // SAFETY: the block came from `P::alloc` with this layout and was
                // never used. The allocation fails either way; an error from the
                // free is counted.
                let freed = unsafe { P::free(base, Self::LAYOUT) };
                FromProvider {
                    slab: Err(SlabError::AlignmentMismatch),
                    calls: 2,
                    errors: usize::from(freed.is_err()),
                }
            }
            Some(base) => FromProvider {
                slab: Ok(base),
                calls: 1,
                errors: 0,
            },
        }
    }

    pub(super) fn count_provider_error(&self, core: NonNull<MasterCore>) {
        self.with_master(core, || {
            // SAFETY: the closure runs under the master's lock.
            let counters = &mut unsafe { slab::state_mut(core) }.counters;
            slab::tally(&mut counters.provider_errors, 1);
        });
    }
}

/// One [`slab_from_provider`](SlabCache::slab_from_provider): the slab, and for the
/// counters the provider calls it made (the allocation, and the free of a misaligned
/// block) and the errors those frees reported.
struct FromProvider {
    slab: Result<NonNull<u8>>,
    calls: usize,
    errors: usize,
}

impl<T, L: Lock, const SLAB_SIZE: usize, P: SlabProvider> Drop for SlabCache<T, L, SLAB_SIZE, P> {
    fn drop(&mut self) {
        let Some(core) = NonNull::new(*self.master.get_mut()) else {
            return;
        };
        // From here on the last box out hands back the slabs; the reserve is empty
        // and no box reaches it, so it goes now.
        // SAFETY: the closure runs under the master's lock.
        let (reserve, master_too) = self.with_master(core, || unsafe { bookkeeping::orphan(core) });
        let mut left = Leftovers::<P, SLAB_SIZE> {
            reserve,
            master: master_too.then_some(core),
            _provider: PhantomData,
        };
        left.hand_back();
        mem::forget(left);
    }
}

/// What a dropped cache hands back itself: the reserve, detached by
/// [`bookkeeping::orphan`], and the master when no object holds it. If a free hook
/// panics, dropping this during the unwind hands back the rest, so one panic costs
/// one slab.
struct Leftovers<P: SlabProvider, const SLAB_SIZE: usize> {
    reserve: Option<NonNull<SlabHeader>>,
    master: Option<NonNull<MasterCore>>,
    _provider: PhantomData<fn() -> P>,
}

impl<P: SlabProvider, const SLAB_SIZE: usize> Leftovers<P, SLAB_SIZE> {
    fn hand_back(&mut self) {
        let layout = Geometry::slab_layout(SLAB_SIZE);
        while let Some(slab) = self.reserve {
            // SAFETY: detached by `orphan`; nothing else reaches it.
            self.reserve = unsafe { bookkeeping::detached_next(slab) };
            // SAFETY: the slab came from `P::alloc` with this layout, is empty and is
            // off the chain now, so it goes back once. Nobody is left to report an
            // error to.
            let _ = unsafe { P::free(slab.cast(), layout) };
        }
        if let Some(master) = self.master.take() {
            // SAFETY: no object is live and the cache value is going, so nothing
            // reaches the master any more; its lock was released.
            let _ = unsafe { P::free(master.cast(), layout) };
        }
    }
}

impl<P: SlabProvider, const SLAB_SIZE: usize> Drop for Leftovers<P, SLAB_SIZE> {
    /// Runs only when a free hook unwinds: the cache's drop forgets the value
    /// otherwise.
    fn drop(&mut self) {
        self.hand_back();
    }
}
