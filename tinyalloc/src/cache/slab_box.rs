//! [`SlabBox`]: an object in a slab, freed when the box drops, wherever that is.

use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop};
use core::pin::Pin;
use core::ptr::NonNull;

use super::SlabCache;
use super::bookkeeping;
use super::error::{Result, SlabError};
use super::layout::Geometry;
use super::locks::{Lock, SpinLock};
use super::slab::{self, MasterCore, SlabHeader};

mod forward;

/// An object in a slot of a [`SlabCache`](super::SlabCache), freed when the box
/// drops.
///
/// A box is one pointer. It finds its slab by masking its own address down to a
/// multiple of `SLAB_SIZE`, and the slab finds the cache's lock, so a box can drop on
/// any thread (it is `Send` when `T` is and the lock `L` is `Sync`) and after the
/// cache value itself is gone. `L` and `SLAB_SIZE` are the cache's; the defaults
/// match a `SlabCache<T, SpinLock, 4096>`.
///
/// Dropping a box never panics on the cache's account (`T`'s own `Drop` may; the slot
/// is freed all the same).
pub struct SlabBox<T, L: Lock = SpinLock, const SLAB_SIZE: usize = 4096> {
    object: NonNull<T>,
    /// The box owns a `T`; the lock type is only named.
    _owns: PhantomData<(T, fn() -> L)>,
}

// SAFETY: sending a box sends its `T`, and dropping it on the other thread takes the
// master's lock there, which a `Sync` lock allows, and may call the provider's `free`
// there, which `SlabProvider`'s contract allows on any thread, beside other calls.
unsafe impl<T: Send, L: Lock + Sync, const SLAB_SIZE: usize> Send for SlabBox<T, L, SLAB_SIZE> {}

// SAFETY: a `&SlabBox` gives only `&T`; it never touches the slab.
unsafe impl<T: Sync, L: Lock, const SLAB_SIZE: usize> Sync for SlabBox<T, L, SLAB_SIZE> {}

impl<T, L: Lock, const SLAB_SIZE: usize> SlabBox<T, L, SLAB_SIZE> {
    /// Wraps a live object.
    ///
    /// # Safety
    ///
    /// `object` is a live `T` in a slot, handed out by a cache with lock `L` and slab
    /// size `SLAB_SIZE`, that no other box owns.
    #[inline(always)]
    pub(crate) unsafe fn from_slot(object: NonNull<T>) -> Self {
        SlabBox {
            object,
            _owns: PhantomData,
        }
    }

    /// Gives up the box without freeing the object and returns its pointer. Rebuild
    /// the box with [`from_raw`](Self::from_raw) to free it; otherwise the object and
    /// its slab stay for the life of the program.
    ///
    /// An associated function, as for `Box`, so it cannot hide a method of `T`.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use core::ptr::NonNull;
    /// # use tinyalloc::cache::SlabProvider;
    /// # struct System;
    /// # // SAFETY: std's allocator gives exclusive blocks and takes them back.
    /// # unsafe impl SlabProvider for System {
    /// #     unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
    /// #         NonNull::new(unsafe { std::alloc::alloc(layout) })
    /// #     }
    /// #     unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    /// #         unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    /// #         Ok(())
    /// #     }
    /// # }
    /// use tinyalloc::prelude::*;
    ///
    /// let cache = SlabCache::<u64, SpinLock, 1024, System>::new()?;
    /// let boxed = cache.alloc(42)?;
    ///
    /// // Hand the object on as a plain pointer (a C callback's context, say)...
    /// let raw = SlabBox::into_raw(boxed);
    /// assert_eq!(cache.stats().in_use, 1);
    ///
    /// // ...and rebuild the box to free it.
    /// // SAFETY: `raw` came from `into_raw` of a box with these parameters, once.
    /// let boxed = unsafe { SlabBox::<u64, SpinLock, 1024>::from_raw(raw) }?;
    /// assert_eq!(*boxed, 42);
    /// drop(boxed);
    /// assert_eq!(cache.stats().in_use, 0);
    /// # Ok::<(), SlabError>(())
    /// ```
    #[inline]
    #[must_use = "losing the pointer leaks the object and keeps its slot taken; `SlabBox::leak` leaks on purpose"]
    pub fn into_raw(this: Self) -> NonNull<T> {
        ManuallyDrop::new(this).object
    }

    /// Rebuilds a box from a pointer [`into_raw`](Self::into_raw) returned.
    ///
    /// # Errors
    ///
    /// The slab's header is checked first: a pointer whose slab has no tinyalloc
    /// magic number, whose slab belongs to a cache of another slot size, that is not
    /// the start of one of its slab's slots, or that lies in the first `SLAB_SIZE`
    /// bytes of the address space is refused with [`SlabError::InvalidPointer`]. A
    /// refused pointer is not counted in any cache's
    /// [`CacheStats`](super::CacheStats): it names no cache that is sure to be its
    /// own.
    ///
    /// # Safety
    ///
    /// `object` came from `into_raw` of a `SlabBox<T, L, SLAB_SIZE>` with these very
    /// parameters, and no other box has been rebuilt from it. (A pointer made from a
    /// reference, such as the one [`leak`](Self::leak) returns, only covers the
    /// object, not the slab header the box needs.) The checks above catch many
    /// mistakes, but reading the header of a pointer that never came from a cache
    /// needs the `SLAB_SIZE`-aligned block around it to be readable through it.
    pub unsafe fn from_raw(object: NonNull<T>) -> Result<Self> {
        let slot = object.cast::<u8>();
        let Some(slab) = NonNull::new(slab_of::<SLAB_SIZE>(slot)) else {
            return Err(SlabError::InvalidPointer); // in the first slab-sized block
        };
        // SAFETY: the caller promises the block is readable and, if it is a slab,
        // that it holds this object, so it is not being handed back now.
        if !unsafe { slab::is_intact(slab) } {
            return Err(SlabError::InvalidPointer);
        }
        // SAFETY: the magic says this is a live slab, whose fixed part never changes.
        let fixed = unsafe { slab::fixed(slab) };
        // The cache's slot size, a constant: the divisions below need no zero check
        // (no panic path). Any provider's cache has the same geometry.
        let slot_size = SlabCache::<T, L, SLAB_SIZE>::GEOMETRY.slot_size;
        let in_slots = (slot.addr().get() - slab.addr().get())
            .checked_sub(fixed.first as usize)
            .filter(|from_first| from_first % slot_size == 0)
            .is_some_and(|from_first| from_first / slot_size < fixed.capacity as usize);
        if fixed.slot_size as usize != slot_size || !in_slots {
            return Err(SlabError::InvalidPointer);
        }
        // SAFETY: the checks passed and the caller promises the rest.
        Ok(unsafe { Self::from_slot(object) })
    }

    /// Gives up the box without freeing the object and returns a reference that lives
    /// as long as needed. The slot, its slab and the cache's master stay taken for
    /// the rest of the program; to free the object later, use
    /// [`into_raw`](Self::into_raw) and [`from_raw`](Self::from_raw) instead (a
    /// reference from `leak` cannot be turned back into a box).
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use core::ptr::NonNull;
    /// # use tinyalloc::cache::SlabProvider;
    /// # struct System;
    /// # // SAFETY: std's allocator gives exclusive blocks and takes them back.
    /// # unsafe impl SlabProvider for System {
    /// #     unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
    /// #         NonNull::new(unsafe { std::alloc::alloc(layout) })
    /// #     }
    /// #     unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    /// #         unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    /// #         Ok(())
    /// #     }
    /// # }
    /// use core::sync::atomic::{AtomicPtr, Ordering};
    /// use tinyalloc::prelude::*;
    ///
    /// /// Settings read once at start-up, then shared for good.
    /// static SETTINGS: AtomicPtr<u64> = AtomicPtr::new(core::ptr::null_mut());
    ///
    /// let cache = SlabCache::<u64, SpinLock, 1024, System>::new()?;
    /// let settings: &'static mut u64 = SlabBox::leak(cache.alloc(7)?);
    /// *settings += 1;
    /// SETTINGS.store(settings, Ordering::Release);
    ///
    /// assert_eq!(cache.stats().in_use, 1);
    /// drop(cache); // the slab stays: the leaked object still lives in it
    /// // SAFETY: the pointer is a leaked, never freed `u64`.
    /// assert_eq!(unsafe { *SETTINGS.load(Ordering::Acquire) }, 8);
    /// # Ok::<(), SlabError>(())
    /// ```
    #[inline]
    pub fn leak<'a>(this: Self) -> &'a mut T
    where
        T: 'a,
    {
        let mut object = Self::into_raw(this);
        // SAFETY: the object is live, ours alone, and its slot is never freed now.
        unsafe { object.as_mut() }
    }

    /// Moves the object out of its slot and frees the slot, as `*boxed` does for a
    /// `Box`.
    ///
    /// Freeing the slot may hand a surplus slab back to the provider; if its `free`
    /// hook panics, the object, already moved out, is dropped as the panic unwinds.
    ///
    /// ```
    /// # use core::alloc::Layout;
    /// # use core::ptr::NonNull;
    /// # use tinyalloc::cache::SlabProvider;
    /// # struct System;
    /// # // SAFETY: std's allocator gives exclusive blocks and takes them back.
    /// # unsafe impl SlabProvider for System {
    /// #     unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
    /// #         NonNull::new(unsafe { std::alloc::alloc(layout) })
    /// #     }
    /// #     unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    /// #         unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    /// #         Ok(())
    /// #     }
    /// # }
    /// use tinyalloc::prelude::*;
    ///
    /// let cache = SlabCache::<[u8; 16], SpinLock, 1024, System>::new()?;
    /// let frame = cache.alloc(*b"temperature=21.5")?;
    /// let bytes: [u8; 16] = SlabBox::into_inner(frame); // the slot is free again
    /// assert_eq!(cache.stats().in_use, 0);
    /// assert_eq!(&bytes, b"temperature=21.5");
    /// # Ok::<(), SlabError>(())
    /// ```
    #[inline]
    pub fn into_inner(this: Self) -> T {
        let object = Self::into_raw(this);
        // SAFETY: the object is live and ours; its slot is freed below without
        // dropping it, so it is moved out exactly once.
        let value = unsafe { object.read() };
        // SAFETY: the slot came from a cache with lock `L` and slab size `SLAB_SIZE`,
        // holds no live object now (it was moved out) and the box is gone.
        unsafe { release_slot::<L, SLAB_SIZE>(object.cast()) };
        value
    }

    /// Pins the object where it is, as `Box::into_pin` does: a slot never moves, and
    /// a pinned box cannot give the object up (`into_inner`, `into_raw` and `leak`
    /// take the box itself, and `Pin` hands out `&mut T` only for `T: Unpin`), so the
    /// object stays put until it is dropped in place. A pinned box that is forgotten
    /// (`mem::forget`) keeps its object and slot for good, as `Pin` allows.
    /// (Also `Pin::from(boxed)`.)
    #[inline]
    pub fn into_pin(this: Self) -> Pin<Self> {
        // SAFETY: the object lives at one address until the box drops, and `Pin`
        // keeps `into_raw`, `leak` and `into_inner` (which take the box by value)
        // and `&mut T` (for `T: !Unpin`) out of reach.
        unsafe { Pin::new_unchecked(this) }
    }
}

/// The start of the `SLAB_SIZE`-aligned block that holds `slot`: its slab's header.
/// Masking keeps the slot pointer's provenance, which covers the whole slab.
#[inline(always)]
fn slab_of<const SLAB_SIZE: usize>(slot: NonNull<u8>) -> *mut SlabHeader {
    slot.as_ptr()
        .map_addr(|addr| addr & !(SLAB_SIZE - 1))
        .cast()
}

/// Frees a slot that holds no live object.
///
/// # Safety
///
/// `slot` was handed out by a cache with lock `L` and slab size `SLAB_SIZE`, holds no
/// live object, and is not used again.
#[inline(always)]
pub(crate) unsafe fn release_slot<L: Lock, const SLAB_SIZE: usize>(slot: NonNull<u8>) {
    // SAFETY: a slot lies after the header of a slab at a non-null address, so the
    // masked address is that slab's start.
    let slab = unsafe { NonNull::new_unchecked(slab_of::<SLAB_SIZE>(slot)) };
    // SAFETY: the slab is live while it has a slot handed out.
    let core = unsafe { slab::fixed(slab) }.master;
    let release = {
        // SAFETY: the master is live while any object of the cache is.
        let lock = unsafe { slab::lock::<L>(core) };
        // SAFETY: the closure runs under the master's lock; the slot is the caller's.
        lock.with_lock(|| unsafe { bookkeeping::give_back(core, slab, slot) })
    };
    if let Some(release) = release {
        // SAFETY: `give_back` unlinked and counted out what it returned.
        unsafe { hand_back::<L, SLAB_SIZE>(core, release) };
    }
}

/// Frees a slot that `alloc_with` took for an object that was never built, leaving
/// the high-water mark as if the slot had never been taken.
///
/// # Safety
///
/// As [`release_slot`], and `mark` is the high-water mark read under the lock that
/// took the slot, just before.
#[cold]
unsafe fn release_unused_slot<L: Lock, const SLAB_SIZE: usize>(slot: NonNull<u8>, mark: usize) {
    // SAFETY: as in `release_slot`.
    let slab = unsafe { NonNull::new_unchecked(slab_of::<SLAB_SIZE>(slot)) };
    // SAFETY: the slab is live while it has a slot handed out.
    let core = unsafe { slab::fixed(slab) }.master;
    let release = {
        // SAFETY: the master is live while any slot of the cache is taken.
        let lock = unsafe { slab::lock::<L>(core) };
        // SAFETY: the closure runs under the master's lock; the slot is the caller's.
        lock.with_lock(|| unsafe { bookkeeping::give_back_unused(core, slab, slot, mark) })
    };
    if let Some(release) = release {
        // SAFETY: `give_back_unused` unlinked and counted out what it returned.
        unsafe { hand_back::<L, SLAB_SIZE>(core, release) };
    }
}

/// Returns to the provider what the last free made surplus, outside the lock.
///
/// # Safety
///
/// `release` came from `give_back` on the cache whose master is `core`.
#[cold]
#[inline(never)]
unsafe fn hand_back<L: Lock, const SLAB_SIZE: usize>(
    core: NonNull<MasterCore>,
    release: slab::Release,
) {
    // SAFETY: `release` came from `give_back` on this master.
    let owed = unsafe { Owed::<L, SLAB_SIZE>::new(core, release) };
    let layout = Geometry::slab_layout(SLAB_SIZE);
    let failed = match release.slab {
        Some(slab) => {
            // SAFETY: the slab came from the provider with this layout; `give_back`
            // took it off every list and it holds no object. If the hook unwinds,
            // `owed` still gives the pin and the master back.
            unsafe { (owed.free)(slab.cast(), layout) }.is_err()
        }
        None => false,
    };
    owed.settle(failed);
}

/// What [`hand_back`] still owes after the slab's free: this thread's pin on the
/// master, and the master itself when nothing else can reach it. Dropped while the
/// free hook unwinds, it settles both as if the free had failed, so a hook that
/// panics loses the slab it was given, not the master as well.
struct Owed<L: Lock, const SLAB_SIZE: usize> {
    core: NonNull<MasterCore>,
    /// The provider's `free`, read while the master is surely live.
    free: slab::ReleaseFn,
    /// This thread holds a pin on the master.
    pinned: bool,
    /// The master goes back (when not pinned; else `unpin` decides).
    master: bool,
    _lock: PhantomData<fn() -> L>,
}

impl<L: Lock, const SLAB_SIZE: usize> Owed<L, SLAB_SIZE> {
    /// # Safety
    ///
    /// `release` came from `give_back` on the cache whose master is `core`, and
    /// nothing else settles it.
    #[inline(always)]
    unsafe fn new(core: NonNull<MasterCore>, release: slab::Release) -> Self {
        // SAFETY: the master is live: this thread holds a pin on it, or nothing but
        // this thread can reach it any more. Its fixed part is never written after it
        // was set up, so reading it beside a lock holder is no race.
        let free = unsafe { slab::fixed(slab::master_slab(core)) }.release;
        Owed {
            core,
            free,
            pinned: release.slab.is_some() && !release.master,
            master: release.master,
            _lock: PhantomData,
        }
    }

    /// Settles what is owed after the slab's free reported `failed`.
    #[inline(always)]
    fn settle(self, failed: bool) {
        ManuallyDrop::new(self).pay(failed);
    }

    fn pay(&mut self, failed: bool) {
        let mut master_too = self.master;
        if self.pinned {
            // SAFETY: this thread's pin keeps the master live until `unpin`.
            let lock = unsafe { slab::lock::<L>(self.core) };
            let core = self.core;
            // SAFETY: the closure runs under the master's lock, and holds the pin.
            master_too = lock.with_lock(|| unsafe { bookkeeping::unpin(core, failed) });
        }
        if master_too {
            // SAFETY: the cache value is gone, no object is live and no thread holds a
            // pin, so nothing reaches the master; its lock was released above.
            let _ = unsafe { (self.free)(self.core.cast(), Geometry::slab_layout(SLAB_SIZE)) };
        }
    }
}

impl<L: Lock, const SLAB_SIZE: usize> Drop for Owed<L, SLAB_SIZE> {
    /// Runs only when the free hook unwinds: `settle` forgets the value otherwise.
    fn drop(&mut self) {
        self.pay(true);
    }
}

/// Frees a slot when dropped: after the object's own `Drop` in `SlabBox::drop`, even
/// when that unwinds.
struct ReturnSlot<L: Lock, const SLAB_SIZE: usize> {
    slot: NonNull<u8>,
    _lock: PhantomData<fn() -> L>,
}

impl<L: Lock, const SLAB_SIZE: usize> ReturnSlot<L, SLAB_SIZE> {
    /// # Safety
    ///
    /// `slot` was handed out by a cache with lock `L` and slab size `SLAB_SIZE`, and
    /// holds no live object by the time this value drops.
    #[inline(always)]
    unsafe fn new(slot: NonNull<u8>) -> Self {
        ReturnSlot {
            slot,
            _lock: PhantomData,
        }
    }
}

impl<L: Lock, const SLAB_SIZE: usize> Drop for ReturnSlot<L, SLAB_SIZE> {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: `new`'s contract: the slot holds no live object now.
        unsafe { release_slot::<L, SLAB_SIZE>(self.slot) };
    }
}

/// Frees the slot `alloc_with` took if `make` unwinds, without counting it in the
/// high-water mark.
pub(crate) struct UnusedSlot<L: Lock, const SLAB_SIZE: usize> {
    slot: NonNull<u8>,
    /// The high-water mark just before the slot was taken.
    mark: usize,
    _lock: PhantomData<fn() -> L>,
}

impl<L: Lock, const SLAB_SIZE: usize> UnusedSlot<L, SLAB_SIZE> {
    /// # Safety
    ///
    /// `slot` was handed out by a cache with lock `L` and slab size `SLAB_SIZE`, under
    /// the same lock as `mark` was read, and holds no live object by the time this
    /// value drops (unless it is disarmed).
    #[inline(always)]
    pub(crate) unsafe fn new(slot: NonNull<u8>, mark: usize) -> Self {
        UnusedSlot {
            slot,
            mark,
            _lock: PhantomData,
        }
    }

    /// The slot now holds an object that someone else owns: keep it.
    #[inline(always)]
    pub(crate) fn disarm(self) {
        mem::forget(self);
    }
}

impl<L: Lock, const SLAB_SIZE: usize> Drop for UnusedSlot<L, SLAB_SIZE> {
    fn drop(&mut self) {
        // SAFETY: `new`'s contract.
        unsafe { release_unused_slot::<L, SLAB_SIZE>(self.slot, self.mark) };
    }
}

impl<T, L: Lock, const SLAB_SIZE: usize> Drop for SlabBox<T, L, SLAB_SIZE> {
    #[inline]
    fn drop(&mut self) {
        let slot = self.object.cast::<u8>();
        if !mem::needs_drop::<T>() {
            // SAFETY: the slot came from such a cache and holds no object that needs
            // dropping; the box is not used again.
            unsafe { release_slot::<L, SLAB_SIZE>(slot) };
            return;
        }
        // SAFETY: the slot came from such a cache; `_free` drops after the object
        // below, so the slot holds no live object by then, unwinding or not.
        let _free = unsafe { ReturnSlot::<L, SLAB_SIZE>::new(slot) };
        // SAFETY: the object is live and ours, and the box is not used again.
        unsafe { self.object.drop_in_place() };
    }
}
