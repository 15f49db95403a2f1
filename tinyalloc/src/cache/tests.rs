//! Unit tests of the slab bookkeeping, one file per topic, with providers over the
//! system allocator.
//! The behaviour a user relies on at scale is tested in `tests/tests/slab_cache.rs`.

extern crate std;

use core::alloc::Layout;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::boxed::Box;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::vec::Vec;

use super::locks::{CriticalSectionLock, Lock, NoLock, SpinLock};
use super::*;

mod arena;
mod counts;
mod master;
mod objects;
mod panics;
mod reserve;

/// Blocks handed out and not yet back, per provider, so parallel tests do not mix.
static OUTSTANDING: [AtomicUsize; 30] = [const { AtomicUsize::new(0) }; 30];
/// Frees that report an error, per provider (0: none).
static FAILING_FREES: [AtomicUsize; 30] = [const { AtomicUsize::new(0) }; 30];

/// The system allocator, counted; `ID` keeps each test's counts apart.
struct Heap<const ID: usize>;

impl<const ID: usize> Heap<ID> {
    fn outstanding() -> usize {
        OUTSTANDING[ID].load(Ordering::SeqCst)
    }
}

// SAFETY: `std::alloc` returns exclusive blocks of the layout, or null.
unsafe impl<const ID: usize> SlabProvider for Heap<ID> {
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: the caller's layout has a non-zero size.
        let block = NonNull::new(unsafe { std::alloc::alloc(layout) })?;
        OUTSTANDING[ID].fetch_add(1, Ordering::SeqCst);
        Some(block)
    }

    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        OUTSTANDING[ID].fetch_sub(1, Ordering::SeqCst);
        // SAFETY: the caller hands back a block of `alloc` with its layout.
        unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
        let failing = &FAILING_FREES[ID];
        if failing.load(Ordering::SeqCst) > 0 {
            failing.fetch_sub(1, Ordering::SeqCst);
            return Err(SlabError::FatalError);
        }
        Ok(())
    }
}

type Cache<T, const ID: usize> = SlabCache<T, NoLock, 512, Heap<ID>>;
