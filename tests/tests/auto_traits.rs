//! Which public types may cross threads, be shared, be moved while pinned and cross a
//! `catch_unwind`, checked at compile time: a change to a field that takes one of
//! these away (or an `unsafe impl` that adds one) breaks this file, not a user.
//!
//! The cases that must NOT hold (a cache, box or heap with `NoLock`) are compile-fail
//! cases in `ui-tests/ui/fail/` and doc-tests, where the error can be read.

use core::panic::{RefUnwindSafe, UnwindSafe};
use std::rc::Rc;

use tinyalloc::Chunks;
use tinyalloc::align::Align;
use tinyalloc::cache::{GlobalHooks, SlabRegion};
use tinyalloc::global::AllocatorConfig;
use tinyalloc::heap::{InitError, VerifyError};
use tinyalloc::prelude::*;

fn send<T: Send>() {}
fn sync<T: Sync>() {}
fn unpin<T: Unpin>() {}
fn unwind_safe<T: UnwindSafe>() {}
fn ref_unwind_safe<T: RefUnwindSafe>() {}

tinyalloc::slab_region!(Region, slabs = 2, slab_size = 512);

/// `Send + Sync + Unpin + UnwindSafe + RefUnwindSafe`: plain values.
fn plain<T: Send + Sync + Unpin + UnwindSafe + RefUnwindSafe>() {}

#[test]
fn plain_values_have_every_auto_trait() {
    plain::<Handle>();
    plain::<Stats>();
    plain::<CacheStats>();
    plain::<HeapStats>();
    plain::<AllocError>();
    plain::<ByteBufferError>();
    plain::<SlabError>();
    plain::<InitError>();
    plain::<VerifyError>();
    plain::<Rejected<u32>>();
    plain::<Align8>();
    plain::<Align<64>>();
    plain::<GlobalHooks>();
    // What `slab_region!` declares: the provider is a unit struct, its region a
    // `static` shared through a critical section.
    plain::<Region>();
    sync::<SlabRegion<[u64; 64], 4>>();
    plain::<CriticalSectionLock>();
    // Buffers and the queue hold handles only; the blocks are the allocator's.
    plain::<ByteBuffer>();
    plain::<ByteBufferDeque>();
    plain::<Chunks<'static, TinySlabAllocator<256, 8>>>();
    plain::<tinyalloc::slab::Iter<'static, 256, 8, Align8>>();
}

/// Shared statics: `Sync` through a critical section (pools, queues, the default
/// heap lock) or an atomic (`SpinLock`), never by assertion.
#[test]
fn what_a_static_holds_is_send_and_sync() {
    send::<Pool<256, 8>>();
    sync::<Pool<256, 8>>();
    send::<GlobalDeque>();
    sync::<GlobalDeque>();
    send::<PoolDeque>();
    sync::<PoolDeque>();
    send::<PoolDeque<Pool<256, 8>>>();
    sync::<PoolDeque<Pool<256, 8>>>();
    send::<AllocatorConfig>();
    sync::<AllocatorConfig>();
    send::<SpinLock>();
    sync::<SpinLock>();
    // The slab engine's `&self` methods only read, and count rejected handles in an
    // atomic.
    send::<TinySlabAllocator<256, 8>>();
    sync::<TinySlabAllocator<256, 8>>();
    send::<FreeListAllocator<4096>>();
    sync::<FreeListAllocator<4096>>();
    send::<BumpFreeListAllocator<4096, SpinLock>>();
    sync::<BumpFreeListAllocator<4096, SpinLock>>();
    sync::<SegregatedBumpAllocator<4096>>();
    send::<SegregatedBumpAllocator<4096>>();
}

/// A cache is shared, and its boxes sent, exactly when its lock is `Sync`; `T` need
/// not be `Send` for the cache (it holds no `T`), only for the boxes.
#[test]
fn a_cache_and_its_boxes_follow_the_lock() {
    send::<SlabCache<u32, SpinLock, 1024>>();
    sync::<SlabCache<u32, SpinLock, 1024>>();
    sync::<SlabCache<u32, CriticalSectionLock, 1024>>();
    sync::<SlabCache<Rc<u32>, SpinLock, 1024>>();
    send::<SlabBox<u32, SpinLock, 1024>>();
    sync::<SlabBox<u32, SpinLock, 1024>>();
    send::<SlabBox<u32, CriticalSectionLock, 1024>>();
    // A shared box only lends `&T`, so sharing needs `T: Sync` and nothing of the lock.
    sync::<SlabBox<u32, NoLock, 1024>>();
    // Without a lock: one thread only (the negative cases are compile-fail tests).
    send::<NoLock>();
}

/// Nothing here is pinned in place: a box owns its object through a pointer, as
/// `Box` does, and the rest hold no self-references.
#[test]
fn every_type_is_unpin() {
    unpin::<Pool<256, 8>>();
    unpin::<GlobalDeque>();
    unpin::<PoolDeque>();
    unpin::<PoolDeque<Pool<256, 8>>>();
    unpin::<AllocatorConfig>();
    unpin::<TinySlabAllocator<256, 8>>();
    unpin::<FreeListAllocator<4096>>();
    unpin::<SlabCache<u32, SpinLock, 1024>>();
    unpin::<SlabBox<u32, SpinLock, 1024>>();
    unpin::<NoLock>();
    unpin::<SpinLock>();
}

/// What crosses `catch_unwind` without `AssertUnwindSafe` today. Types with interior
/// mutability reached through `&self` (pools, heaps, caches, queues, `SpinLock`) are
/// not `RefUnwindSafe`; `NoLock`, which holds nothing, is; a queue or a configuration
/// that names a `&dyn SharedAllocator` is not `UnwindSafe` either.
#[test]
fn unwind_safety_as_it_stands() {
    unwind_safe::<Pool<256, 8>>();
    unwind_safe::<TinySlabAllocator<256, 8>>();
    ref_unwind_safe::<TinySlabAllocator<256, 8>>();
    unwind_safe::<FreeListAllocator<4096>>();
    unwind_safe::<SlabCache<u32, SpinLock, 1024>>();
    unwind_safe::<SlabBox<u32, SpinLock, 1024>>();
    unwind_safe::<SpinLock>();
    unwind_safe::<NoLock>();
    ref_unwind_safe::<NoLock>();
}
