//! [`SlabCache`]: the cache value, which takes slabs from its provider and hands out
//! [`SlabBox`]es.

use core::alloc::Layout;
use core::cell::UnsafeCell;
use core::fmt;
use core::marker::PhantomData;
use core::mem::{align_of, size_of};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicPtr, Ordering};

use super::bookkeeping;
use super::error::{Rejected, Result, SlabError};
use super::layout::{Geometry, Message, check, check_provider};
use super::locks::Lock;
use super::provider::{GlobalHooks, SlabProvider};
use super::slab::{self, Counters, Master, MasterCore, SlabHeader};
use super::slab_box::{SlabBox, UnusedSlot};
use super::stats::CacheStats;

mod provision;

/// An O(1) cache of `T` objects in `SLAB_SIZE`-byte slabs, each aligned to its size,
/// taken from the provider `P` ([`GlobalHooks`] unless named) and guarded by the
/// lock `L`.
///
/// The first slab is the master: it carries the cache's state and lock. When every
/// slot is taken the cache asks the provider for a slave slab; empty slaves beyond
/// the reserve (one unless [`with_reserve`](Self::with_reserve) says otherwise) go
/// back. Each object lives in a [`SlabBox`] that frees it when dropped, on any thread
/// the lock allows, even after the cache value is gone: the slabs outlive the cache
/// until their last box drops.
///
/// ```rust,standalone_crate
/// use core::alloc::Layout;
/// use core::ptr::NonNull;
/// use tinyalloc::prelude::*;
///
/// unsafe fn system_alloc(layout: Layout) -> Option<NonNull<u8>> {
///     // SAFETY: the cache never asks for zero bytes.
///     NonNull::new(unsafe { std::alloc::alloc(layout) })
/// }
///
/// unsafe fn system_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
///     // SAFETY: the cache returns what `system_alloc` gave, with its layout.
///     unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
///     Ok(())
/// }
///
/// tinyalloc::define_allocation_hooks!(system_alloc, system_free);
///
/// struct Sample { channel: u8, millivolts: u16 }
///
/// let cache = SlabCache::<Sample, SpinLock, 1024>::new()?;
/// let mut sample = cache.alloc(Sample { channel: 3, millivolts: 1200 })?;
/// sample.millivolts += 5;
/// assert_eq!((sample.channel, sample.millivolts), (3, 1205));
/// std::thread::spawn(move || drop(sample)).join().unwrap(); // freed on another thread
/// assert_eq!(cache.stats().in_use, 0);
/// # Ok::<(), tinyalloc::SlabError>(())
/// ```
///
/// A configuration that cannot work fails to compile: a `SLAB_SIZE` that is not a
/// power of two or is above 4 GiB (a slab's offsets are 32-bit), a slab too small for
/// its header and two slots of `T`, or a lock larger than 16 bytes.
///
/// ```compile_fail,E0080
/// use tinyalloc::prelude::*;
/// let cache = SlabCache::<u64, SpinLock, 3000>::lazy(); // use 2048 or 4096
/// ```
pub struct SlabCache<T, L: Lock, const SLAB_SIZE: usize, P: SlabProvider = GlobalHooks> {
    /// The master slab, null until it is taken.
    master: AtomicPtr<MasterCore>,
    /// Guards taking the master, and `early`.
    init: L,
    /// Counts from before the master existed.
    early: UnsafeCell<Counters>,
    /// Empty slaves to keep, handed to the master when it is taken.
    reserve: usize,
    /// The cache holds no `T` itself: its boxes do.
    _objects: PhantomData<fn(T) -> T>,
    /// `P` is only called, never held.
    _provider: PhantomData<fn() -> P>,
}

// SAFETY: the value's own state is an atomic pointer, the lock `init`, and `early`,
// which is only touched under `init`; the slabs are only touched under the master's
// lock. A `Sync` lock makes both locks exclude other threads. The provider runs
// outside both, and `SlabProvider`'s contract lets it run on several threads at once.
// The cache holds no `T`.
unsafe impl<T, L: Lock + Sync, const SLAB_SIZE: usize, P: SlabProvider> Sync
    for SlabCache<T, L, SLAB_SIZE, P>
{
}

// SAFETY: moving the cache to another thread leaves boxes behind that reach the same
// master lock from this thread, so the lock must be `Sync` as well as `Send`.
unsafe impl<T, L: Lock + Send + Sync, const SLAB_SIZE: usize, P: SlabProvider> Send
    for SlabCache<T, L, SLAB_SIZE, P>
{
}

impl<T, L: Lock, const SLAB_SIZE: usize, P: SlabProvider> SlabCache<T, L, SLAB_SIZE, P> {
    /// The slot layout; [`SlabBox::from_raw`] checks pointers against it too.
    pub(super) const GEOMETRY: Geometry = Geometry::new(
        size_of::<T>(),
        align_of::<T>(),
        SLAB_SIZE,
        size_of::<SlabHeader>(),
        size_of::<Master<L>>(),
    );

    /// What is wrong when `T`, `L`, `SLAB_SIZE` and the provider's slabs cannot work
    /// together, in a message that names the fix; `None` when they can. Always
    /// evaluates.
    const CONFIGURATION_ERROR: Option<Message> = match check(
        size_of::<T>(),
        align_of::<T>(),
        SLAB_SIZE,
        size_of::<L>(),
        size_of::<SlabHeader>(),
        size_of::<Master<L>>(),
    ) {
        Some(message) => Some(message),
        None => check_provider(P::SLAB_SIZE, SLAB_SIZE),
    };

    /// Fails to evaluate, with [`CONFIGURATION_ERROR`](Self::CONFIGURATION_ERROR)'s
    /// message, when the configuration cannot work. Every constructor uses it.
    const CONFIGURATION_WORKS: () = {
        if let Some(message) = &Self::CONFIGURATION_ERROR {
            panic!("{}", message.as_str());
        }
    };

    /// The geometry, once the configuration is known to work: a program that reads
    /// the slot counts of one that cannot gets the constructors' error, not numbers
    /// for slabs that could never be made.
    const CHECKED_GEOMETRY: Geometry = {
        let () = Self::CONFIGURATION_WORKS;
        Self::GEOMETRY
    };

    /// Bytes per slot: `T` rounded up to hold the free-list link (a pointer).
    pub const SLOT_SIZE: usize = Self::CHECKED_GEOMETRY.slot_size;
    /// Objects a slave slab holds.
    pub const SLOTS_PER_SLAB: usize = Self::CHECKED_GEOMETRY.slave_slots;
    /// Objects the master slab holds (fewer: it carries the cache's state and lock).
    pub const SLOTS_IN_MASTER: usize = Self::CHECKED_GEOMETRY.master_slots;

    /// A cache that takes its master slab on first use, with one reserve slab. A
    /// `const fn`, so the cache can be a `static`:
    ///
    /// ```
    /// use tinyalloc::prelude::*;
    /// # struct Message;
    /// static MESSAGES: SlabCache<Message, CriticalSectionLock, 1024> = SlabCache::lazy();
    /// ```
    ///
    /// The provider is called with no lock held, as for every slab: two contexts
    /// that make the first allocation at once (a thread and another, `main` and an
    /// interrupt handler) may each take a slab, and the one that finds a master
    /// already there hands its slab straight back. Both calls count in
    /// [`provider_calls`](CacheStats::provider_calls). With a provider that has a
    /// single slab, make the first allocation before anything else can race it.
    ///
    /// A `T`, lock, `SLAB_SIZE` or provider that cannot work together fails to
    /// compile, with a message that names the fix: in a `static`, reported at the
    /// `static`; in a function, reported inside tinyalloc (with the cache's type in
    /// the message), where [`new`](Self::new) would be reported at the call.
    pub const fn lazy() -> Self {
        Self::lazy_with_reserve(1)
    }

    /// A cache that takes its master on first use and keeps up to `reserve` empty
    /// slave slabs instead of handing them back at once.
    pub const fn lazy_with_reserve(reserve: usize) -> Self {
        // Tested twice, as the heaps' `new` does. In a `static` (the usual cache),
        // this ordinary `panic!`, run by the static's evaluation, is reported at the
        // user's `static` line; a constant that fails to evaluate is reported only
        // inside this file, as the function's frame is set up, before any of its
        // code runs. Called at run time, this test folds away and the one in
        // `lazy_checked` keeps a configuration that cannot work a compile error.
        if let Some(message) = &Self::CONFIGURATION_ERROR {
            panic!("{}", message.as_str());
        }
        Self::lazy_checked(reserve)
    }

    /// [`lazy_with_reserve`](Self::lazy_with_reserve) past its first test.
    const fn lazy_checked(reserve: usize) -> Self {
        let () = Self::CONFIGURATION_WORKS;
        SlabCache {
            master: AtomicPtr::new(ptr::null_mut()),
            init: L::UNLOCKED,
            early: UnsafeCell::new(Counters {
                slabs: 0,
                reserve: 0,
                capacity: 0,
                headroom: 0,
                high_water: 0,
                failed_allocs: 0,
                provider_calls: 0,
                provider_errors: 0,
            }),
            reserve,
            _objects: PhantomData,
            _provider: PhantomData,
        }
    }

    /// A cache with its master slab taken now, and one reserve slab.
    ///
    /// # Errors
    ///
    /// [`SlabError::OutOfMemory`] when the provider has no memory (its `alloc` returns
    /// `None`), and [`SlabError::AlignmentMismatch`] when it returns a block not
    /// aligned to `SLAB_SIZE` (which goes straight back to it).
    pub fn new() -> Result<Self> {
        let () = Self::CONFIGURATION_WORKS;
        Self::with_reserve(1)
    }

    /// A cache with its master slab taken now, keeping up to `reserve` empty slave
    /// slabs.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn with_reserve(reserve: usize) -> Result<Self> {
        let () = Self::CONFIGURATION_WORKS;
        let cache = Self::lazy_with_reserve(reserve);
        cache.master()?;
        Ok(cache)
    }

    /// Moves `value` into a free slot and returns its box.
    ///
    /// # Errors
    ///
    /// A [`Rejected`] that hands `value` back ([`Rejected::into_value`]) when no slab
    /// has a free slot (or the cache has none yet) and the provider has no memory for
    /// one ([`SlabError::OutOfMemory`]) or returns a misaligned slab
    /// ([`SlabError::AlignmentMismatch`]). Nothing changes but the counts in
    /// [`stats`](Self::stats). `?` turns it into its [`SlabError`].
    #[inline]
    pub fn alloc(&self, value: T) -> Result<SlabBox<T, L, SLAB_SIZE>, Rejected<T>> {
        match self.take_partial() {
            // SAFETY: the slot came from this cache just now and holds no object.
            Some(slot) => Ok(unsafe { Self::place(slot, value) }),
            None => self.alloc_slow(value),
        }
    }

    /// [`alloc`](Self::alloc) when no partial slab has a free slot. Out of line, so
    /// the fast path neither saves registers nor builds the error.
    #[cold]
    #[inline(never)]
    fn alloc_slow(&self, value: T) -> Result<SlabBox<T, L, SLAB_SIZE>, Rejected<T>> {
        match self.take_slot_slow() {
            // SAFETY: the slot came from this cache just now and holds no object.
            Ok((slot, _)) => Ok(unsafe { Self::place(slot, value) }),
            Err(error) => Err(Rejected::new(value, error)),
        }
    }

    /// Takes a slot, then builds the object in place with `make`. `make` is not
    /// called when there is no slot; if it panics, the slot goes back, and the
    /// high-water mark counts only the objects that were live.
    ///
    /// # Errors
    ///
    /// As [`alloc`](Self::alloc), as a plain [`SlabError`] ([`SlabError::OutOfMemory`]
    /// or [`SlabError::AlignmentMismatch`]); `make` is not called then.
    #[inline]
    pub fn alloc_with(&self, make: impl FnOnce() -> T) -> Result<SlabBox<T, L, SLAB_SIZE>> {
        let (slot, mark) = self.take_slot()?;
        // SAFETY: the slot came from this cache, under the lock that read `mark`, and
        // holds no object until the guard is disarmed below.
        let unwinding = unsafe { UnusedSlot::<L, SLAB_SIZE>::new(slot, mark) };
        let value = make();
        unwinding.disarm();
        // SAFETY: the slot came from this cache above and holds no object.
        Ok(unsafe { Self::place(slot, value) })
    }

    /// Moves `value` into `slot` and makes its box.
    ///
    /// # Safety
    ///
    /// `slot` was just taken from this cache (by `take_partial`, `take_slot_slow` or
    /// `take_slot`), holds no object and belongs to nobody else.
    #[inline(always)]
    unsafe fn place(slot: NonNull<u8>, value: T) -> SlabBox<T, L, SLAB_SIZE> {
        let object = slot.cast::<T>();
        // SAFETY: the slot is ours (the caller's promise), `SLOT_SIZE >= size_of::<T>()`
        // bytes long and aligned to at least `align_of::<T>()` (slot sizes and the first
        // offset are multiples of it, and the slab is aligned to `SLAB_SIZE >= align`).
        unsafe { object.write(value) };
        // SAFETY: `object` is a live `T` in a slot of a cache with lock `L` and slab
        // size `SLAB_SIZE`, owned by nobody else.
        unsafe { SlabBox::from_slot(object) }
    }

    /// What the cache has done so far; see [`CacheStats`].
    pub fn stats(&self) -> CacheStats {
        let counters = match NonNull::new(self.master.load(Ordering::Acquire)) {
            // SAFETY: the closure runs under the master's lock.
            Some(core) => self.with_master(core, || unsafe { bookkeeping::counters(core) }),
            // SAFETY: `early` is only touched under `init`, which the closure holds.
            None => self.init.with_lock(|| unsafe { *self.early.get() }),
        };
        CacheStats::from(counters)
    }

    /// Hands every reserve slab back to the provider now (say, before a long sleep).
    ///
    /// # Errors
    ///
    /// - The first error the provider's [`free`](SlabProvider::free) reported: that
    ///   slab counts as handed back all the same, and the rest of the reserve still
    ///   goes back.
    /// - [`SlabError::FatalError`] when a reserve slab's header lost its magic number
    ///   (something wrote over it); the reserve slabs from that one on are then
    ///   abandoned, not handed back, and no longer count in [`stats`](Self::stats).
    ///   It is returned even after an error from `free`.
    pub fn trim(&self) -> Result<()> {
        let Some(core) = NonNull::new(self.master.load(Ordering::Acquire)) else {
            return Ok(());
        };
        let mut result = Ok(());
        loop {
            // SAFETY: the closure runs under the master's lock.
            let next = self.with_master(core, || unsafe {
                bookkeeping::take_reserve(core, Self::GEOMETRY.slave_slots)
            });
            match next {
                None => return result,
                Some(Err(())) => return Err(SlabError::FatalError),
                Some(Ok(slab)) => {
                    // SAFETY: the slab came from `P::alloc` with this layout, is
                    // empty and off every list.
                    if let Err(error) = unsafe { P::free(slab.cast(), Self::LAYOUT) } {
                        self.count_provider_error(core);
                        result = result.and(Err(error));
                    }
                }
            }
        }
    }

    const LAYOUT: Layout = Geometry::slab_layout(SLAB_SIZE);

    /// Takes a slot from the first partial slab, or leaves it to the slow path; with
    /// the high-water mark from just before, read under the same lock.
    #[inline(always)]
    fn take_slot(&self) -> Result<(NonNull<u8>, usize)> {
        if let Some(core) = NonNull::new(self.master.load(Ordering::Acquire)) {
            let taken = self.with_master(core, || {
                // SAFETY: the closure runs under the master's lock.
                let mark = unsafe { bookkeeping::high_water(core) };
                // SAFETY: as above.
                unsafe { bookkeeping::take_partial(core) }.map(|slot| (slot, mark))
            });
            if let Some(taken) = taken {
                return Ok(taken);
            }
        }
        self.take_slot_slow()
    }

    /// Takes a slot from the first partial slab, if the master exists and one has room.
    #[inline(always)]
    fn take_partial(&self) -> Option<NonNull<u8>> {
        let core = NonNull::new(self.master.load(Ordering::Acquire))?;
        // SAFETY: the closure runs under the master's lock.
        self.with_master(core, || unsafe { bookkeeping::take_partial(core) })
    }

    /// Takes the master if there is none yet, then a slot from a partial or reserve
    /// slab, or from a new slab; with the high-water mark from just before, read
    /// under the same lock. Out of line, so the fast path saves no registers.
    #[cold]
    #[inline(never)]
    fn take_slot_slow(&self) -> Result<(NonNull<u8>, usize)> {
        let core = self.master()?;
        let taken = self.with_master(core, || {
            // SAFETY: the closure runs under the master's lock.
            let mark = unsafe { bookkeeping::high_water(core) };
            // SAFETY: as above.
            unsafe { bookkeeping::take(core) }.map(|slot| (slot, mark))
        });
        match taken {
            Some(taken) => Ok(taken),
            None => self.grow(core),
        }
    }

    /// The master, taken from the provider on first use.
    #[inline]
    fn master(&self) -> Result<NonNull<MasterCore>> {
        match NonNull::new(self.master.load(Ordering::Acquire)) {
            Some(core) => Ok(core),
            None => self.take_master(),
        }
    }

    /// Runs `f` under the lock in the master's header.
    #[inline(always)]
    fn with_master<R>(&self, core: NonNull<MasterCore>, f: impl FnOnce() -> R) -> R {
        // SAFETY: the master lives at least as long as the cache value: it goes back
        // only after the value is dropped.
        let lock = unsafe { slab::lock::<L>(core) };
        lock.with_lock(f)
    }
}

#[cfg(test)]
impl<T, L: Lock, const SLAB_SIZE: usize, P: SlabProvider> SlabCache<T, L, SLAB_SIZE, P> {
    /// Sets the counts of events (failed allocations, provider calls and errors) to
    /// `count`, as after years of running: for tests of what happens at the top.
    pub(super) fn set_event_counts(&self, count: usize) {
        let set = |counters: &mut Counters| {
            counters.failed_allocs = count;
            counters.provider_calls = count;
            counters.provider_errors = count;
        };
        match NonNull::new(self.master.load(Ordering::Acquire)) {
            Some(core) => self.with_master(core, || {
                // SAFETY: the closure runs under the master's lock.
                set(&mut unsafe { slab::state_mut(core) }.counters);
            }),
            None => self.init.with_lock(|| {
                // SAFETY: `early` is only touched under `init`, which is held.
                set(unsafe { &mut *self.early.get() });
            }),
        }
    }
}

impl<T, L: Lock, const SLAB_SIZE: usize, P: SlabProvider> fmt::Debug
    for SlabCache<T, L, SLAB_SIZE, P>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlabCache")
            .field("slab_size", &SLAB_SIZE)
            .field("slot_size", &Self::SLOT_SIZE)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// [`lazy`](SlabCache::lazy): no slab until the first allocation.
impl<T, L: Lock, const SLAB_SIZE: usize, P: SlabProvider> Default
    for SlabCache<T, L, SLAB_SIZE, P>
{
    fn default() -> Self {
        Self::lazy()
    }
}
