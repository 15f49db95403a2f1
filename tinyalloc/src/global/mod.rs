//! The global instance: one pool that buffers and [`GlobalDeque`]s use when no
//! allocator is passed.
//!
//! Set it once at start-up, from a preset or (feature `global-alloc-custom`) from a
//! pool of your own:
//!
//! ```
//! use tinyalloc::global::AllocatorConfig;
//! use tinyalloc::prelude::*;
//!
//! AllocatorConfig::Slab1K32.init().unwrap();          // 32 blocks of 32 bytes
//! assert_eq!(AllocatorConfig::Slab1K32.init(), Err(ByteBufferError::AlreadyInitialized));
//!
//! let mut buf = ByteBuffer::new();
//! buf.extend(b"Global allocator").unwrap();           // uses the global instance
//! let mut out = [0u8; 6];
//! assert_eq!(buf.read_global(0, &mut out), Ok(6));
//! assert_eq!(&out, b"Global");
//! ```
//!
//! Before it is set, every global operation returns
//! [`ByteBufferError::NotInitialized`] (pops return `None`); nothing panics. A second
//! `init` or
#![cfg_attr(feature = "global-alloc-custom", doc = "[`install`]")]
#![cfg_attr(not(feature = "global-alloc-custom"), doc = "`install`")]
//! is refused with [`ByteBufferError::AlreadyInitialized`]: the instance never changes
//! under a buffer that uses it.
//!
//! Each preset's pool is its own `static`, referenced only by its constant, so a
//! firmware that uses one preset links (and reserves RAM for) that one alone.
//!
//! | operation | cost |
//! | --- | --- |
//! | every global operation | one critical section: finding the instance and the pool operation |
//! | [`GlobalDeque::push_slice`], [`GlobalDeque::pop_into`] (and [`PoolDeque`]'s) | one critical section for the whole slice, however long: 4 KiB (69 blocks of 64 bytes) in 10,800 x86_64 instructions, out in 8,846, about 2.5 a byte (no-op critical section; the benchmark's `worst` group, 2026-12-07). Split a long slice to hold interrupts off for less |

mod buffer;
mod config;
mod deque;
mod source;

use core::cell::Cell;

use critical_section::{CriticalSection, Mutex};

#[cfg(feature = "global-alloc-custom")]
use crate::buffer::chunk_capacity;
use crate::{Allocator, ByteBufferError, SharedAllocator};
use source::{Global, Source};

pub use config::AllocatorConfig;
pub use deque::{GlobalDeque, PoolDeque};

/// The instance; `None` until set.
static GLOBAL: Mutex<Cell<Option<&'static dyn SharedAllocator>>> = Mutex::new(Cell::new(None));

/// Makes `pool` the global instance.
///
/// # Errors
///
/// Nothing is installed, and an instance set already stays, on each of these:
///
/// - [`ByteBufferError::AlreadyInitialized`]: a global instance is set already.
/// - [`ByteBufferError::BlockTooSmall`]: `pool`'s blocks cannot hold a buffer chunk
///   (4 bytes of header and at least one of data), which every global call would
///   otherwise return. The block size is read under the pool's lock; a
///   [`SharedAllocator`] of your own whose lock gives up at that moment is installed
///   unchecked.
///
/// # Panics
///
/// Called inside a closure that `pool` is running, if `pool` is a
/// [`Pool`](crate::Pool) (see its *Panics*).
///
/// ```
/// # use tinyalloc::prelude::*;
/// #[tinyalloc::pool(size = 2048, slots = 32)]
/// static POOL: Pool;
///
/// tinyalloc::global::install(&POOL).unwrap();
/// let mut buf = ByteBuffer::new();
/// buf.extend(&[7; 100]).unwrap();
/// assert_eq!(POOL.len(), 2); // 60 bytes of data per 64-byte block
/// ```
#[cfg(feature = "global-alloc-custom")]
pub fn install(pool: &'static dyn SharedAllocator) -> Result<(), ByteBufferError> {
    set(pool, |cs| {
        // A lock that gives up cannot be read: the pool is taken unchecked, since
        // `install` is the way in that does not need the lock.
        match crate::pool::lock_in(pool, cs, |alloc| alloc.block_size()) {
            Some(block_size) => fits_a_chunk(block_size),
            None => Ok(()),
        }
    })
}

/// `Err(BlockTooSmall)` for blocks that cannot hold a buffer chunk: refused when the
/// instance is set, not by every later call.
#[cfg(feature = "global-alloc-custom")]
fn fits_a_chunk(block_size: usize) -> Result<(), ByteBufferError> {
    chunk_capacity(block_size).map(drop)
}

/// Makes `pool` the instance if none is set and `check`, run in the same critical
/// section, passes. (The presets need no check: their blocks are 32 bytes.)
fn set(
    pool: &'static dyn SharedAllocator,
    check: impl FnOnce(CriticalSection<'_>) -> Result<(), ByteBufferError>,
) -> Result<(), ByteBufferError> {
    critical_section::with(|cs| {
        let global = GLOBAL.borrow(cs);
        if global.get().is_some() {
            return Err(ByteBufferError::AlreadyInitialized);
        }
        check(cs)?;
        global.set(Some(pool));
        Ok(())
    })
}

/// `true` once a global instance is set.
pub fn is_initialized() -> bool {
    critical_section::with(|cs| GLOBAL.borrow(cs).get().is_some())
}

/// Runs `f` on the global instance, in one critical section.
pub(crate) fn with_global<R>(
    f: impl FnOnce(&mut dyn Allocator) -> R,
) -> Result<R, ByteBufferError> {
    critical_section::with(|cs| Global.run(cs, f))
}

/// [`with_global`] for a `Drop`: never panics. Where `with_global` would (inside a
/// closure of the global instance's pool) it runs nothing and returns `Busy`.
pub(crate) fn try_with_global<R>(
    f: impl FnOnce(&mut dyn Allocator) -> R,
) -> Result<R, ByteBufferError> {
    critical_section::with(|cs| Global.try_run(cs, f))
}

/// The global instance's counters; `None` before it is set, while a
/// [`SharedAllocator`] of your own that gives up is held elsewhere (see
/// [`ByteBufferError::Busy`]), and inside a closure the instance's pool is running,
/// where every other global call panics. Never panics over a [`Pool`](crate::Pool)
/// (or a `SharedAllocator` of yours that overrides
/// [`try_with_allocator_in`](SharedAllocator::try_with_allocator_in)), so a fault or
/// panic handler can call it.
pub fn stats() -> Option<crate::Stats> {
    try_with_global(|alloc| alloc.stats()).ok()
}
