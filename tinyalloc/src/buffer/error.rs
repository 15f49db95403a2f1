//! [`ByteBufferError`]: why a buffer or queue operation failed.

use core::fmt;

/// Why a buffer, deque or global-instance operation failed. A failed operation
/// changes nothing.
///
/// ```
/// use tinyalloc::prelude::*;
///
/// let mut alloc = TinySlabAllocator::<48, 3>::new(); // 3 chunks of 12 bytes
/// let mut log = ByteBuffer::new();
/// for line in [&b"boot ok\n"[..], b"sensor 1 online\n", b"sensor 2 online\n", b"ready\n"] {
///     match log.write(&mut alloc, line) {
///         Ok(()) => {}
///         // Full: keep what fits and say so; the buffer still holds every earlier line.
///         Err(ByteBufferError::AllocationFailed) => break,
///         Err(other) => panic!("{other}"),
///     }
/// }
/// assert_eq!(log.len(), 8 + 16); // the third line did not fit, and was not half-written
/// ```
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteBufferError {
    /// The allocator has fewer free blocks than the write needs: it took none (or,
    /// from an allocator whose count of blocks in use was off, gave back those it
    /// took) and the buffer holds what it held before.
    AllocationFailed,
    /// The allocator's blocks are too small to hold a chunk header and any data.
    BlockTooSmall {
        /// The allocator's block size.
        block_size: usize,
    },
    /// A chunk of this buffer is not a live, whole block of the allocator that was
    /// passed: the buffer was written with another allocator. (Handles do not name
    /// their allocator, so one with whole live blocks under the same handles, of any
    /// block size, is not detected, which pools starting at generations of their own
    /// make rare; see [`ByteBuffer`](crate::ByteBuffer).)
    ForeignChunk,
    /// No global instance is set yet.
    NotInitialized,
    /// A global instance is already set; a second one is refused, not swapped in.
    AlreadyInitialized,
    /// The shared allocator's lock could not be had (a
    #[cfg_attr(
        feature = "tinyslab",
        doc = "[`SharedAllocator`](crate::SharedAllocator)"
    )]
    #[cfg_attr(not(feature = "tinyslab"), doc = "`SharedAllocator`")]
    /// of your own that gives up when another context holds it); nothing was done. A
    #[cfg_attr(feature = "tinyslab", doc = "[`Pool`](crate::Pool)")]
    #[cfg_attr(not(feature = "tinyslab"), doc = "`Pool`")]
    /// never reports this: its critical section always gets in.
    Busy,
}

impl fmt::Display for ByteBufferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ByteBufferError::AllocationFailed => f.write_str(
                "the pool has too few free blocks; nothing was written: read or clear buffers to free blocks, or use a larger pool",
            ),
            ByteBufferError::BlockTooSmall { block_size } => write!(
                f,
                "blocks of {block_size} bytes cannot hold a chunk (4-byte header and data); use a pool with blocks of at least 8 bytes",
            ),
            ByteBufferError::ForeignChunk => f.write_str(
                "a chunk of this buffer is not in the allocator passed; use the allocator the buffer was written with",
            ),
            ByteBufferError::NotInitialized => f.write_str(
                "no global instance yet: call AllocatorConfig::<preset>.init() or tinyalloc::global::install(&POOL) first",
            ),
            ByteBufferError::AlreadyInitialized => f.write_str(
                "the global instance is already set; it can be set once, at start-up",
            ),
            ByteBufferError::Busy => f.write_str(
                "the shared allocator's lock is held elsewhere; nothing was done: try again once it is released",
            ),
        }
    }
}

impl core::error::Error for ByteBufferError {}
