//! A `SharedAllocator` of the user's that gives up when its lock is held elsewhere (the
//! right pattern for an interrupt handler on one core): every global operation reports
//! `Busy` and changes nothing, instead of panicking inside tinyalloc.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

use tinyalloc::global::GlobalDeque;
use tinyalloc::prelude::*;

struct TryLocked {
    held: AtomicBool,
    slab: UnsafeCell<TinySlabAllocator<256, 8>>,
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

static SHARED: TryLocked = TryLocked {
    held: AtomicBool::new(false),
    slab: UnsafeCell::new(TinySlabAllocator::new()),
};

static QUEUE: GlobalDeque = GlobalDeque::new();

#[test]
fn a_lock_that_gives_up_is_reported_as_busy_and_changes_nothing() {
    tinyalloc::global::install(&SHARED).unwrap();
    let mut buf = ByteBuffer::new();
    buf.extend(b"before").unwrap();
    QUEUE.push_slice(b"queued").unwrap();
    let before = tinyalloc::global::stats().unwrap();

    SHARED.held.store(true, Ordering::Relaxed); // another context holds the lock
    assert_eq!(tinyalloc::global::stats(), None);
    assert_eq!(buf.extend(b" and after"), Err(ByteBufferError::Busy));
    let mut out = [0u8; 6];
    assert_eq!(buf.read_global(0, &mut out), Err(ByteBufferError::Busy));
    assert_eq!(buf.clear_global(), Err(ByteBufferError::Busy));
    assert_eq!(QUEUE.push(b'!'), Err(ByteBufferError::Busy));
    assert_eq!(QUEUE.pop(), None);
    assert!(ByteBufferError::Busy.to_string().contains("held elsewhere"));

    SHARED.held.store(false, Ordering::Relaxed);
    assert_eq!(tinyalloc::global::stats(), Some(before));
    assert_eq!(buf.len(), 6);
    assert_eq!(buf.read_global(0, &mut out), Ok(6));
    assert_eq!(&out, b"before");
    let mut queued = [0u8; 6];
    assert_eq!(QUEUE.pop_into(&mut queued), 6);
    assert_eq!(&queued, b"queued");
    buf.clear_global().unwrap();
    assert_eq!(tinyalloc::global::stats().unwrap().in_use, 0);
}
