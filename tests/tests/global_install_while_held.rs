//! `install` reads the pool's block size under its lock; a lock that gives up at that
//! moment does not stop the install (that is what `install` is for, where
//! `AllocatorConfig::custom` cannot read the sizes): the pool is taken unchecked, and
//! a block too small for a chunk shows in the first buffer call instead.

use core::sync::atomic::Ordering;

use tinyalloc::prelude::*;
use tinyalloc_tests::TryLocked;

/// Its lock held from the start, over 4-byte blocks.
static HELD_AT_START_UP: TryLocked<16, 4, Align4> = TryLocked::new(true);

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
