//! The global instance's life: errors before it is set, one `install`, refusals after,
//! buffers that give their blocks back when dropped.

use tinyalloc::global::{self, AllocatorConfig, GlobalDeque, PoolDeque};
use tinyalloc::prelude::*;

#[tinyalloc::pool(size = 1024, slots = 16)]
static POOL: Pool;

#[tinyalloc::pool(size = 256, slots = 8)]
static SIDE: Pool;

static QUEUE: GlobalDeque = GlobalDeque::new();
static SIDE_QUEUE: PoolDeque = PoolDeque::new(&SIDE);

#[test]
fn the_global_instance_is_set_once_and_used_by_buffers() {
    // Before it is set: errors and empty answers, no panic.
    assert!(!global::is_initialized());
    assert_eq!(global::stats(), None);
    let mut early = ByteBuffer::new();
    assert_eq!(early.extend(b"x"), Err(ByteBufferError::NotInitialized));
    assert_eq!(
        early.read_global(0, &mut [0; 1]),
        Err(ByteBufferError::NotInitialized)
    );
    assert_eq!(QUEUE.push(1), Err(ByteBufferError::NotInitialized));
    assert_eq!(QUEUE.pop(), None);
    assert_eq!(QUEUE.pop_into(&mut [0; 4]), 0);
    // A deque bound to its own pool does not need the global instance.
    SIDE_QUEUE.push_slice(b"side").unwrap();
    assert_eq!(SIDE.len(), 1);

    // Set it once.
    global::install(&POOL).unwrap();
    assert!(global::is_initialized());
    // A second install or preset is refused; the instance does not change.
    assert_eq!(
        global::install(&SIDE),
        Err(ByteBufferError::AlreadyInitialized)
    );
    assert_eq!(
        AllocatorConfig::Slab4K128.init(),
        Err(ByteBufferError::AlreadyInitialized)
    );
    assert_eq!(
        AllocatorConfig::custom(&SIDE).init(),
        Err(ByteBufferError::AlreadyInitialized)
    );

    // Buffers use it: 64-byte blocks hold 60 bytes of data.
    {
        let mut buf = ByteBuffer::new();
        buf.extend(&[3; 100]).unwrap();
        buf.extend(b"tail").unwrap();
        assert_eq!(POOL.len(), 2);
        let mut out = [0u8; 6];
        assert_eq!(buf.read_global(98, &mut out), Ok(6));
        assert_eq!(&out, &[3, 3, b't', b'a', b'i', b'l']);
        assert_eq!(buf.to_vec_global().unwrap().len(), 104);
        let mut chunks = 0;
        buf.for_each_chunk_global(|_| chunks += 1).unwrap();
        assert_eq!(chunks, 2);
        // dropped here: its blocks go back
    }
    assert!(POOL.is_empty());

    // An all-or-nothing failure through the global instance.
    let mut big = ByteBuffer::new();
    assert_eq!(
        big.extend(&[0; 60 * 17]),
        Err(ByteBufferError::AllocationFailed)
    );
    assert!(POOL.is_empty());
    big.extend(&[0; 60 * 16]).unwrap();
    assert_eq!(POOL.len(), 16);
    big.clear_global().unwrap();
    assert!(POOL.is_empty());

    QUEUE.push_slice(b"hello").unwrap();
    assert_eq!(QUEUE.peek(), Some(b'h'));
    assert_eq!(QUEUE.len(), 5);
    QUEUE.clear();
    assert!(QUEUE.is_empty() && POOL.is_empty());
    assert_eq!(global::stats().unwrap().failed_allocs, 1);
}
