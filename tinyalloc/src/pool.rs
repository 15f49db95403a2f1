//! [`Pool`]: a [`TinySlabAllocator`] behind a critical section, shareable as a `static`
//! by `main` and interrupt handlers alike.
//!
//! Write pools with the [`#[tinyalloc::pool]`](crate::pool) attribute, which checks the
//! configuration where you wrote it; the type can also be named directly.
//!
//! | operation | cost | measured |
//! | --- | --- | --- |
//! | every method | one critical section around the slab operation (O(1)) | `alloc(&[u8; 64])` + `free`: 61 instructions with a no-op critical section, 162 with the host's mutex (heapless `box_pool!`: 55; `atomic-pool`: 39 to 2,594 as it fills); `read`: 30 |
//! | [`with`](Pool::with) | one critical section around your closure | |
//! | worst case, one call (interrupts masked for all of it) | O(1): the same section on any pool state | 27 instructions for `alloc(&[u8; 64])` into the last free block, 21 on a full pool, 26 for `free`, 92 for `read` with a closure summing 64 bytes (vector instructions do the sum; your closure runs inside the section), no-op critical section, 256 slots (the benchmark's `worst` group) |
//!
//! Code: 296 bytes of `.text` for a pool used once (heapless `box_pool!`: 112).
//! Measured figures are x86_64 instruction counts from `benches/run.sh` (2026-12-07,
//! AMD EPYC, rustc 1.95.0, valgrind 3.19.0; the README's *Performance* section has the
//! peers from the same run) and net `.text` for `thumbv7em-none-eabihf` from
//! `firmware/scripts/size-report.sh`.
//!
//! Memory: the slab (at most `SIZE + 4 × SLOTS + 16` bytes) plus a one-byte re-entry flag,
//! which the slab's alignment pads to 4 bytes (or to the alignment `A`, if larger).
//! A pool made by `new()` is all zeroes, so a `static` pool sits in `.bss`.

use core::fmt;

use critical_section::{CriticalSection, Mutex};

use crate::align::{Align8, Alignment};
use crate::allocator::{AllocError, Allocator, Stats};
use crate::guard::Guarded;
use crate::handle::Handle;
use crate::slab::TinySlabAllocator;

/// An interrupt-safe static pool: a [`TinySlabAllocator`] in a
/// `critical_section::Mutex`, with a flag that turns away re-entry.
///
/// Every method takes `&self` and runs in one critical section, so the same `static`
/// serves `main` and interrupt handlers. On a single-core microcontroller enable a
/// critical-section implementation (for Cortex-M: `cortex-m` with feature
/// `critical-section-single-core`); on a host, `critical-section` with feature `std`.
///
/// Closures passed to [`alloc_with`](Self::alloc_with), [`read`](Self::read),
/// [`write`](Self::write) and [`with`](Self::with) run with interrupts masked: keep them
/// short.
///
/// A handler that no critical section masks (a non-maskable interrupt, HardFault) must
/// not use a pool, as it must not use anything else behind a
/// `critical_section::Mutex`: it can run in the middle of `main`'s call. (The heaps
/// turn such a re-entry away; a pool checks for re-entry only where a closure of its
/// own could cause it, which keeps its fast paths short.)
///
/// ```
/// #[tinyalloc::pool(size = 1024, slots = 32)]
/// static POOL: Pool;
///
/// let handle = POOL.alloc(b"reading: 21.5").unwrap();
/// assert_eq!(POOL.read(handle, |bytes| bytes.len()), Some(13));
/// POOL.write(handle, |bytes| bytes[0] = b'R');
/// assert_eq!(POOL.read(handle, |bytes| bytes[0]), Some(b'R'));
/// POOL.free(handle);
/// assert_eq!(POOL.read(handle, |bytes| bytes.len()), None); // stale
/// assert_eq!(POOL.stats().high_water, 1);
/// ```
///
/// # Panics
///
/// Using a pool from inside a closure that the same pool is running (for example
/// `POOL.with(|_| POOL.free(h))`) panics: the pool is already borrowed. Do the work
/// on the `&mut TinySlabAllocator` the closure was given instead. A panic handler,
/// which may run inside such a closure, reads [`try_stats`](Self::try_stats) or
/// prints the pool with `{:?}`: neither panics.
pub struct Pool<const SIZE: usize, const SLOTS: usize, A: Alignment = Align8> {
    inner: Mutex<Guarded<TinySlabAllocator<SIZE, SLOTS, A>>>,
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> Pool<SIZE, SLOTS, A> {
    /// The size of every block: `SIZE / SLOTS` bytes.
    pub const BLOCK_SIZE: usize = TinySlabAllocator::<SIZE, SLOTS, A>::BLOCK_SIZE;

    /// An empty pool. Fails to compile for a configuration the slab engine refuses
    /// (see [`TinySlabAllocator::new`]).
    #[inline]
    pub const fn new() -> Self {
        Pool {
            inner: Mutex::new(Guarded::new(TinySlabAllocator::new())),
        }
    }

    /// An empty pool whose configuration the caller has checked (see
    /// `__private::checked_pool`): it must pass `check_config`.
    #[inline]
    pub(crate) const fn unchecked() -> Self {
        Pool {
            inner: Mutex::new(Guarded::new(TinySlabAllocator::unchecked())),
        }
    }

    /// Runs `f` on the slab inside one critical section: several operations at once,
    /// with nothing in between.
    ///
    /// ```
    /// #[tinyalloc::pool(size = 256, slots = 8)]
    /// static POOL: Pool;
    ///
    /// // Take two blocks or none.
    /// let pair = POOL.with(|slab| {
    ///     let a = slab.alloc(b"left")?;
    ///     match slab.alloc(b"right") {
    ///         Ok(b) => Ok((a, b)),
    ///         Err(e) => {
    ///             slab.free(a);
    ///             Err(e)
    ///         }
    ///     }
    /// });
    /// assert!(pair.is_ok());
    /// ```
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&mut TinySlabAllocator<SIZE, SLOTS, A>) -> R) -> R {
        critical_section::with(|cs| self.with_in(cs, f))
    }

    /// [`with`](Self::with) inside a critical section the caller holds.
    #[inline]
    fn with_in<R>(
        &self,
        cs: CriticalSection<'_>,
        f: impl FnOnce(&mut TinySlabAllocator<SIZE, SLOTS, A>) -> R,
    ) -> R {
        // A slab is whole whenever the user's closure runs, so a panic in it leaves
        // the pool usable, as a `RefCell` would.
        match self.inner.borrow(cs).enter_reopening(f) {
            Some(result) => result,
            None => reentered(),
        }
    }

    /// Runs one of the slab's own operations in one critical section. Unlike
    /// [`with`](Self::with) it leaves the re-entry flag down, as nothing in `op` comes
    /// back to the pool (two byte stores fewer); it still checks the flag, which is
    /// what turns away a call from inside a closure the pool is running.
    ///
    /// # Safety
    ///
    /// `op` calls no code that could reach this pool: no closure or trait object of
    /// the user's, only the slab's methods.
    #[inline(always)]
    unsafe fn slab_op<R>(&self, op: impl FnOnce(&mut TinySlabAllocator<SIZE, SLOTS, A>) -> R) -> R {
        critical_section::with(|cs| {
            // SAFETY: `op` cannot reach this pool (the caller's contract) and the
            // critical section keeps every other context out.
            match unsafe { self.inner.borrow(cs).enter_leaf(op) } {
                Some(result) => result,
                None => reentered(),
            }
        })
    }

    /// Takes a block and copies `data` into it.
    ///
    /// # Errors
    ///
    /// As [`TinySlabAllocator::alloc`]: [`AllocError::TooLarge`] when `data` is longer
    /// than a block, [`AllocError::OutOfMemory`] when every block is in use. Nothing
    /// changes but the pool's [`Stats::failed_allocs`] count.
    #[inline]
    pub fn alloc(&self, data: &[u8]) -> Result<Handle, AllocError> {
        // SAFETY: the slab's `alloc` only copies `data`, which cannot be a view of
        // this pool's blocks: those are lent only inside closures the pool runs, and
        // a call from one of those is turned away by the flag.
        unsafe { self.slab_op(|slab| slab.alloc(data)) }
    }

    /// Takes a block for `len` bytes and lets `fill` write them, in one critical
    /// section. The bytes hold what the block held before until `fill` writes them.
    /// If `fill` panics, the block goes back before the panic leaves the pool.
    ///
    /// # Errors
    ///
    /// As [`alloc`](Self::alloc), for `len` bytes: [`AllocError::TooLarge`] or
    /// [`AllocError::OutOfMemory`]. `fill` is not called then.
    ///
    /// ```
    /// #[tinyalloc::pool(size = 256, slots = 8)]
    /// static POOL: Pool;
    ///
    /// let sample: u32 = 0xDEAD_BEEF;
    /// let handle = POOL.alloc_with(4, |bytes| bytes.copy_from_slice(&sample.to_le_bytes())).unwrap();
    /// assert_eq!(POOL.read(handle, |b| u32::from_le_bytes(b.try_into().unwrap())), Some(sample));
    /// ```
    #[inline]
    pub fn alloc_with(
        &self,
        len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<Handle, AllocError> {
        self.with(|slab| {
            let (handle, _) = slab.alloc_uninit(len)?;
            let taken = FreeOnUnwind { slab, handle };
            if let Some(bytes) = taken.slab.get_mut(handle) {
                fill(bytes);
            }
            core::mem::forget(taken);
            Ok(handle)
        })
    }

    /// Runs `f` on the bytes of a live block; `None` (counted) for a stale, freed or
    /// foreign handle.
    #[inline]
    pub fn read<R>(&self, handle: Handle, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        self.with(|slab| slab.get(handle).map(f))
    }

    /// Runs `f` on the bytes of a live block, writable; `None` (counted) for a bad
    /// handle.
    #[inline]
    pub fn write<R>(&self, handle: Handle, f: impl FnOnce(&mut [u8]) -> R) -> Option<R> {
        self.with(|slab| slab.get_mut(handle).map(f))
    }

    /// `true` when `handle` names a live block of this pool. Unlike [`read`](Self::read)
    /// it does not count a rejection: use it to test a handle you are unsure of.
    #[inline]
    pub fn contains(&self, handle: Handle) -> bool {
        // SAFETY: the slab's `contains` runs no code of the user's.
        unsafe { self.slab_op(|slab| slab.contains(handle)) }
    }

    /// Returns a block; `false` (counted, nothing else changes) for a stale,
    /// double-freed or foreign handle. `POOL.free(handle);` is the usual form.
    #[inline]
    pub fn free(&self, handle: Handle) -> bool {
        // SAFETY: the slab's `free` runs no code of the user's.
        unsafe { self.slab_op(|slab| slab.free(handle)) }
    }

    /// Counters since the pool was made; see [`Stats`].
    ///
    /// # Panics
    ///
    /// Inside a closure this pool is running, as every call does (see [`Pool`]). A
    /// panic handler, which may run inside one, reads [`try_stats`](Self::try_stats)
    /// instead.
    #[inline]
    pub fn stats(&self) -> Stats {
        // SAFETY: the slab's `stats` runs no code of the user's.
        unsafe { self.slab_op(|slab| slab.stats()) }
    }

    /// [`stats`](Self::stats) that never panics: `None` inside a closure this pool is
    /// running (its slab is lent out there, perhaps half-changed), as a panic handler
    /// can be when the closure panicked. Only the closures are seen: a handler that no
    /// critical section masks (HardFault, NMI) must not use a pool at all (see
    /// [`Pool`]), as it may have stopped an `alloc` or `free` halfway.
    ///
    /// ```
    /// #[tinyalloc::pool(size = 256, slots = 8)]
    /// static POOL: Pool;
    ///
    /// assert_eq!(POOL.try_stats().map(|s| s.in_use), Some(0));
    /// POOL.with(|_slab| assert!(POOL.try_stats().is_none()));
    /// ```
    #[inline]
    pub fn try_stats(&self) -> Option<Stats> {
        // SAFETY: the slab's `stats` runs no code of the user's.
        critical_section::with(|cs| unsafe {
            self.inner.borrow(cs).enter_leaf(|slab| slab.stats())
        })
    }

    /// How many blocks are in use now.
    #[inline]
    pub fn len(&self) -> usize {
        // SAFETY: the slab's `len` runs no code of the user's.
        unsafe { self.slab_op(|slab| slab.len()) }
    }

    /// `true` when no block is in use.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The size of every block, in bytes.
    #[inline]
    pub const fn block_size(&self) -> usize {
        Self::BLOCK_SIZE
    }

    /// How many blocks the pool has: `SLOTS`.
    #[inline]
    pub const fn capacity(&self) -> usize {
        SLOTS
    }
}

/// Frees a block taken for a `fill` closure when it is dropped, which happens only
/// if `fill` unwinds: on the way out it is forgotten.
struct FreeOnUnwind<'a, const SIZE: usize, const SLOTS: usize, A: Alignment> {
    slab: &'a mut TinySlabAllocator<SIZE, SLOTS, A>,
    handle: Handle,
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> Drop
    for FreeOnUnwind<'_, SIZE, SLOTS, A>
{
    fn drop(&mut self) {
        self.slab.free(self.handle);
    }
}

/// A pool (or a queue) was entered from inside one of its own closures.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn reentered() -> ! {
    // Without it, LLVM's function merging folded this function into the
    // `core::panicking::panic` its body calls (an image then shows calls to that from
    // every caller of this one), and `firmware/scripts/no-panic.sh` could not tell
    // the documented panic from any other.
    core::hint::black_box(());
    panic!(
        "tinyalloc: a Pool (or a queue over it) was used inside a closure the pool was \
         already running: work on the `&mut TinySlabAllocator` that `Pool::with` passes, \
         or finish `read`/`write` first (`Pool::try_stats` never panics)"
    )
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> Default for Pool<SIZE, SLOTS, A> {
    fn default() -> Self {
        Self::new()
    }
}

/// Never panics: inside one of the pool's own closures (or in a panic handler that
/// runs there) the counters show as `<borrowed>`, as a borrowed `RefCell` does.
impl<const SIZE: usize, const SLOTS: usize, A: Alignment> fmt::Debug for Pool<SIZE, SLOTS, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The formatting, which may run code of the user's, happens after the
        // critical section.
        let stats = self.try_stats();
        let mut out = f.debug_struct("Pool");
        out.field("block_size", &Self::BLOCK_SIZE)
            .field("align", &A::ALIGN);
        match &stats {
            Some(stats) => out.field("stats", stats),
            None => out.field("stats", &format_args!("<borrowed>")),
        };
        out.finish_non_exhaustive()
    }
}

/// An [`Allocator`] shared behind a lock: what lets buffers, queues and the global
/// instance use a [`Pool`] (or any other locked allocator) through a shared reference.
///
/// Implement it for your own locked allocator to use it where tinyalloc takes a
/// `&'static dyn SharedAllocator`.
pub trait SharedAllocator: Sync {
    /// Runs `f` with exclusive access to the allocator, under the lock (for a
    /// [`Pool`], one critical section), once.
    ///
    /// A lock that cannot be had now (a try-lock another context holds) may return
    /// without running `f`: tinyalloc reports that as
    #[cfg_attr(
        feature = "bytebuffer",
        doc = "[`ByteBufferError::Busy`](crate::ByteBufferError::Busy)"
    )]
    #[cfg_attr(not(feature = "bytebuffer"), doc = "`ByteBufferError::Busy`")]
    /// (`None` from the forms that return an `Option`) and changes nothing. A second
    /// call of `f` does nothing.
    fn with_allocator(&self, f: &mut dyn FnMut(&mut dyn Allocator));

    /// [`with_allocator`](Self::with_allocator) for a caller that holds a critical
    /// section already, with the same contract. tinyalloc's queues and the global
    /// instance call this from inside their own critical section.
    ///
    /// The default calls `with_allocator`, which may take a critical section of its
    /// own inside `cs` (nesting is allowed). A lock that is a critical section can
    /// use `cs` instead, as [`Pool`] does: that saves acquiring and releasing a second
    /// one on every call.
    fn with_allocator_in(&self, cs: CriticalSection<'_>, f: &mut dyn FnMut(&mut dyn Allocator)) {
        let _ = cs;
        self.with_allocator(f);
    }

    /// [`with_allocator_in`](Self::with_allocator_in) where a panic must not happen:
    /// tinyalloc's buffers and queues give their blocks back through it when they are
    /// dropped, perhaps while a panic unwinds. Where `with_allocator_in` would panic
    /// (a [`Pool`] used inside one of its own closures), it returns without running
    /// `f` instead, as a lock that gives up does.
    ///
    /// The default calls `with_allocator_in`: override it if yours can panic there.
    fn try_with_allocator_in(
        &self,
        cs: CriticalSection<'_>,
        f: &mut dyn FnMut(&mut dyn Allocator),
    ) {
        self.with_allocator_in(cs, f);
    }
}

impl dyn SharedAllocator + '_ {
    /// Runs `f` under the lock and returns what it returns; `None` if the lock could
    /// not be had and `f` did not run.
    pub fn lock<R>(&self, f: impl FnOnce(&mut dyn Allocator) -> R) -> Option<R> {
        run_once(f, |f| self.with_allocator(f))
    }
}

/// [`lock`](<dyn SharedAllocator>::lock) for a caller inside the critical section
/// `cs` (the global instance and its queues), on any `SharedAllocator`: a trait
/// object, or a pool whose type the caller knows, which it then calls directly, so
/// that the compiler can inline the pool's code into the caller's.
#[cfg(feature = "global-alloc")]
#[inline(always)]
pub(crate) fn lock_in<P: SharedAllocator + ?Sized, R>(
    pool: &P,
    cs: CriticalSection<'_>,
    f: impl FnOnce(&mut dyn Allocator) -> R,
) -> Option<R> {
    run_once(f, |f| pool.with_allocator_in(cs, f))
}

/// [`lock_in`] through [`SharedAllocator::try_with_allocator_in`]: never panics,
/// `None` where `lock_in` would panic. For `Drop`s.
#[cfg(feature = "global-alloc")]
pub(crate) fn try_lock_in<P: SharedAllocator + ?Sized, R>(
    pool: &P,
    cs: CriticalSection<'_>,
    f: impl FnOnce(&mut dyn Allocator) -> R,
) -> Option<R> {
    run_once(f, |f| pool.try_with_allocator_in(cs, f))
}

/// Hands `f` to `run` as the `FnMut` a [`SharedAllocator`] takes, and returns what `f`
/// returned if `run` called it (a second call does nothing).
#[inline(always)]
fn run_once<R>(
    f: impl FnOnce(&mut dyn Allocator) -> R,
    run: impl FnOnce(&mut dyn FnMut(&mut dyn Allocator)),
) -> Option<R> {
    let mut f = Some(f);
    let mut result = None;
    run(&mut |alloc| {
        if let Some(f) = f.take() {
            result = Some(f(alloc));
        }
    });
    result
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> SharedAllocator for Pool<SIZE, SLOTS, A> {
    fn with_allocator(&self, f: &mut dyn FnMut(&mut dyn Allocator)) {
        critical_section::with(|cs| self.with_allocator_in(cs, f));
    }

    fn with_allocator_in(&self, cs: CriticalSection<'_>, f: &mut dyn FnMut(&mut dyn Allocator)) {
        self.with_in(cs, |slab| f(slab));
    }

    fn try_with_allocator_in(
        &self,
        cs: CriticalSection<'_>,
        f: &mut dyn FnMut(&mut dyn Allocator),
    ) {
        // `None`: one of this pool's closures is running, and `f` is left unrun.
        let _ = self.inner.borrow(cs).enter_reopening(|slab| f(slab));
    }
}

#[cfg(test)]
mod tests;
