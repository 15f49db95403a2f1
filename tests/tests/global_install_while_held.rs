//! `install` reads the pool's block size under its lock; a lock that gives up at that
//! moment does not stop the install (that is what `install` is for, where
//! `AllocatorConfig::custom` cannot read the sizes): the pool is taken unchecked, and
//! a block too small for a chunk shows in the first buffer call instead.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use tinyalloc::prelude::*;

/// A lock that gives up while `held` is set, over 4-byte blocks.
struct TryLocked {
    held: AtomicBool,
    slab: UnsafeCell<TinySlabAllocator<16, 4, Align4>>,
}

// SAFETY: the slab is reached only by the call that took `held`.
unsafe impl Sync for TryLocked {}

impl SharedAllocator for TryLocked {
    fn with_allocator(&self, f: &mut dyn FnMut(&mut dyn Allocator)) {
        if self.held.swap(true, Ordering::Acquire) {
            return; // held elsewhere: give up
        }
        // SAFETY: `held` was false, so no other reference to the slab is live.
        f(unsafe { &mut *self.slab.get() });
        self.held.store(false, Ordering::Release);
    }
}

static HELD_AT_START_UP: TryLocked = TryLocked {
    held: AtomicBool::new(true),
    slab: UnsafeCell::new(TinySlabAllocator::new()),
};

#[test]
fn install_while_the_lock_is_held_takes_the_pool_unchecked() {
    tinyalloc::global::install(&HELD_AT_START_UP).unwrap();
    assert!(tinyalloc::global::is_initialized());
    HELD_AT_START_UP.held.store(false, Ordering::Release);
    let mut buf = ByteBuffer::new();
    assert_eq!(
        buf.extend(b"x"),
        Err(ByteBufferError::BlockTooSmall { block_size: 4 })
    );
}
