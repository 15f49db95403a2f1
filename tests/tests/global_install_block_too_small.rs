//! A pool whose blocks cannot hold a buffer chunk is refused when it is made the
//! global instance, with the error every global call would otherwise return later.

use tinyalloc::global::{self, AllocatorConfig};
use tinyalloc::prelude::*;

// 4-byte blocks: room for a chunk's 4-byte header and no data.
#[tinyalloc::pool(size = 16, slots = 4, align = 4)]
static TINY: Pool;

#[tinyalloc::pool(size = 256, slots = 8)]
static FITS: Pool;

// One test: the global instance is one per process, and the steps build on each other.
#[test]
fn install_refuses_blocks_too_small_for_a_chunk() {
    let too_small = Err(ByteBufferError::BlockTooSmall { block_size: 4 });
    assert_eq!(global::install(&TINY), too_small);
    assert_eq!(AllocatorConfig::custom(&TINY).init(), too_small);
    // Refused means not set: a fitting pool can still be installed.
    assert!(!global::is_initialized());
    let mut buf = ByteBuffer::new();
    assert_eq!(buf.extend(b"x"), Err(ByteBufferError::NotInitialized));
    assert!(TINY.is_empty());
    assert_eq!(TINY.stats().failed_allocs, 0);

    global::install(&FITS).unwrap();
    buf.extend(b"fits").unwrap();
    assert_eq!(FITS.len(), 1);
    assert_eq!(
        global::install(&TINY),
        Err(ByteBufferError::AlreadyInitialized)
    );
}
