//! [`ByteBuffer`]: a growable byte buffer made of blocks from any [`Allocator`].
//!
//! The buffer is a chain of chunks, one block each: a 4-byte header linking to the
//! next chunk, then data. It holds only two handles and two lengths (16 bytes on a
//! 32-bit target, 20 with the `global-alloc` feature's flag), so it can live
//! anywhere; the bytes live in the allocator you pass to each call.
//!
//! | operation | cost |
//! | --- | --- |
//! | `write` | O(1) per chunk touched; all or nothing |
//! | `read` at an offset | O(offset / chunk payload) to find the chunk, then a copy |
//! | `chunks`, `iter` | zero copy, one handle lookup per chunk |
//! | `clear` | O(chunks) |
//!
//! Measured: writing 4,096 bytes in slices of 64 into 64-byte blocks, reading them back
//! in order and clearing takes 29.5 x86_64 instructions per byte (`benches/run.sh`,
//! 2026-12-07; the README's *Performance* section has the whole run).
//!
//! Memory: one block per `block_size − 4` bytes of data.

mod chain;
mod error;

pub(crate) use chain::Chain;
#[cfg(feature = "global-alloc-custom")]
pub(crate) use chain::capacity_of as chunk_capacity;
#[cfg(feature = "bytebuffer-deque")]
pub(crate) use chain::{
    capacity as chain_capacity, payload as chain_payload, payload_mut as chain_payload_mut,
};
pub use error::ByteBufferError;

use core::fmt;

use crate::Allocator;
use crate::handle::Handle;

#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// A growable byte buffer whose bytes live in the blocks of an [`Allocator`].
///
/// Pass the allocator to each call. Writes are all or nothing: when the allocator has
/// fewer free blocks than a write needs, the write takes none, the buffer is unchanged
/// and the call returns [`ByteBufferError::AllocationFailed`]. The allocator's
/// [`Stats`](crate::Stats) count it as one failed allocation, and nothing else:
/// the high-water mark stays where the blocks really in use put it. (An
/// [`Allocator`] of yours counts it in
/// [`count_failed_alloc`](Allocator::count_failed_alloc), if it has one. One whose
/// `len` says more blocks are free than it can lend gets the same result the long
/// way: the blocks the write took before it ran out go back. One whose `len` says
/// fewer are free than there are refuses writes that would have fitted.)
///
/// ```
/// use tinyalloc::prelude::*;
///
/// let mut alloc = TinySlabAllocator::<1024, 32>::new();
/// let mut buf = ByteBuffer::new();
/// buf.write(&mut alloc, b"Dynamic ").unwrap();
/// buf.write(&mut alloc, b"buffers grow a block at a time").unwrap();
/// assert_eq!(buf.len(), 38);
///
/// let mut word = [0u8; 7];
/// assert_eq!(buf.read(&alloc, 8, &mut word), 7);
/// assert_eq!(&word, b"buffers");
/// assert_eq!(buf.chunks(&alloc).count(), 2); // 28 bytes of data per 32-byte block
/// assert!(buf.iter(&alloc).eq(b"Dynamic buffers grow a block at a time".iter().copied()));
///
/// buf.clear(&mut alloc).unwrap();
/// assert!(alloc.is_empty());
/// ```
///
/// Blocks go back to the allocator with [`clear`](Self::clear). A buffer written with
/// an allocator you pass does not know that allocator, so dropping it without
/// `clear` leaves its blocks in use; a buffer that uses the global instance
#[cfg_attr(feature = "global-alloc", doc = "([`extend`](Self::extend))")]
#[cfg_attr(
    not(feature = "global-alloc"),
    doc = "(`extend`, feature `global-alloc`)"
)]
/// gives them back when dropped.
///
/// Pass every call the allocator that wrote the buffer. A buffer holds only
/// [`Handle`](crate::Handle)s, which name a slot and a generation but not the
/// allocator: a write with an allocator in which the buffer's last block is not a
/// live, whole block is refused with [`ByteBufferError::ForeignChunk`]. Each
/// tinyalloc pool starts its slots at a generation of its own, so another pool's
/// blocks seldom answer to the buffer's handles; one that does, with whole live
/// blocks under the same handles (its own buffers' chunks are such blocks, whatever
/// its block size), cannot be told apart, and the call then reads, writes or frees
/// that allocator's blocks. That is a logic error, like indexing the wrong slice:
/// both sides' data go wrong, nothing is undefined behaviour.
///
/// Clearing the allocator itself (`TinySlabAllocator::clear`) makes every handle stale,
/// and a buffer cannot tell that from another allocator: it keeps its
/// [`len`](Self::len), reads nothing, and refuses `write` with
/// [`ByteBufferError::ForeignChunk`] and `clear` as it refuses another allocator's.
/// Start over with [`ByteBuffer::new`]; dropping the old buffer frees nothing.
#[derive(Debug)]
pub struct ByteBuffer {
    pub(crate) chain: Chain,
    pub(crate) len: usize,
    /// Written through the global instance: `Drop` gives the blocks back there.
    #[cfg(feature = "global-alloc")]
    pub(crate) global: bool,
}

impl ByteBuffer {
    /// An empty buffer; it takes no block until the first write.
    pub const fn new() -> Self {
        ByteBuffer {
            chain: Chain::new(),
            len: 0,
            #[cfg(feature = "global-alloc")]
            global: false,
        }
    }

    /// Appends `data`, taking blocks from `alloc` as needed. All or nothing.
    ///
    /// # Errors
    ///
    /// Nothing is written, and `alloc` holds the blocks it held (its [`Stats`](crate::Stats) keep a
    /// trace: one more failed allocation, or a rejected handle), on each of these:
    ///
    /// - [`ByteBufferError::AllocationFailed`]: `alloc` has fewer free blocks than
    ///   the write needs (it takes none).
    /// - [`ByteBufferError::ForeignChunk`]: the buffer's blocks are not live in `alloc`
    ///   (it was written with another allocator, or `alloc` was cleared under it).
    /// - [`ByteBufferError::BlockTooSmall`]: `alloc`'s blocks cannot hold a chunk.
    pub fn write<A: Allocator + ?Sized>(
        &mut self,
        alloc: &mut A,
        data: &[u8],
    ) -> Result<(), ByteBufferError> {
        self.chain.append(alloc, data)?;
        self.len += data.len();
        Ok(())
    }

    /// Copies bytes from `offset` on into `out`; returns how many were copied (fewer
    /// than `out.len()` at the end of the buffer, 0 past it).
    #[must_use = "only as many bytes of `out` as this returns were copied"]
    pub fn read<A: Allocator + ?Sized>(&self, alloc: &A, offset: usize, out: &mut [u8]) -> usize {
        let mut skip = offset;
        let mut copied = 0;
        for chunk in self.chunks(alloc) {
            if copied == out.len() {
                break;
            }
            if skip >= chunk.len() {
                skip -= chunk.len();
                continue;
            }
            let part = chunk.get(skip..).unwrap_or_default();
            skip = 0;
            copied +=
                crate::allocator::copy_prefix(out.get_mut(copied..).unwrap_or_default(), part);
        }
        copied
    }

    /// The data, chunk by chunk, without copying.
    pub fn chunks<'a, A: Allocator + ?Sized>(&'a self, alloc: &'a A) -> Chunks<'a, A> {
        Chunks::new(&self.chain, alloc, self.len, 0)
    }

    /// The data, byte by byte.
    pub fn iter<'a, A: Allocator + ?Sized>(
        &'a self,
        alloc: &'a A,
    ) -> impl Iterator<Item = u8> + 'a {
        self.chunks(alloc).flat_map(|chunk| chunk.iter().copied())
    }

    /// The data copied into a `Vec`.
    #[cfg(feature = "alloc")]
    pub fn to_vec<A: Allocator + ?Sized>(&self, alloc: &A) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for chunk in self.chunks(alloc) {
            out.extend_from_slice(chunk);
        }
        out
    }

    /// How many bytes the buffer holds.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// `true` when the buffer holds no bytes.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Empties the buffer and gives every block back to `alloc`.
    ///
    /// # Errors
    ///
    /// [`ByteBufferError::ForeignChunk`], and nothing changes, when the buffer's blocks
    /// are not live in `alloc`: it was written with another allocator, and the buffer
    /// keeps them so that the right one can still take them back; or `alloc` was
    /// cleared under it (its handles went stale), and nothing can take them back:
    /// replace the buffer with [`ByteBuffer::new`].
    ///
    /// ```
    /// use tinyalloc::prelude::*;
    ///
    /// let mut rx = TinySlabAllocator::<256, 8>::new();
    /// let mut tx = TinySlabAllocator::<256, 8>::new();
    /// let mut buf = ByteBuffer::new();
    /// buf.write(&mut rx, b"frame").unwrap();
    /// assert_eq!(buf.clear(&mut tx), Err(ByteBufferError::ForeignChunk));
    /// assert_eq!((buf.len(), rx.len()), (5, 1));
    /// buf.clear(&mut rx).unwrap();
    /// assert!(buf.is_empty() && rx.is_empty());
    /// ```
    pub fn clear<A: Allocator + ?Sized>(&mut self, alloc: &mut A) -> Result<(), ByteBufferError> {
        if !self.chain.clear(alloc) {
            return Err(ByteBufferError::ForeignChunk);
        }
        self.len = 0;
        // Empty, it belongs to no allocator: the next write decides.
        #[cfg(feature = "global-alloc")]
        {
            self.global = false;
        }
        Ok(())
    }
}

impl Default for ByteBuffer {
    fn default() -> Self {
        Self::new()
    }
}

/// The chunks of a [`ByteBuffer`] or
#[cfg_attr(
    feature = "bytebuffer-deque",
    doc = "[`ByteBufferDeque`](crate::ByteBufferDeque)"
)]
#[cfg_attr(not(feature = "bytebuffer-deque"), doc = "`ByteBufferDeque`")]
/// as byte slices, in order, without copying.
pub struct Chunks<'a, A: ?Sized> {
    alloc: &'a A,
    chain: &'a Chain,
    next: Option<Handle>,
    /// Bytes still to yield: the walk stops there whatever the headers say.
    remaining: usize,
    /// Where the first chunk's data starts (a deque's read position).
    skip: usize,
    cap: usize,
}

impl<'a, A: Allocator + ?Sized> Chunks<'a, A> {
    pub(crate) fn new(chain: &'a Chain, alloc: &'a A, len: usize, skip: usize) -> Self {
        let cap = chain::capacity(alloc).unwrap_or(0);
        Chunks {
            alloc,
            chain,
            next: if cap == 0 || !chain.fits(cap) {
                None
            } else {
                chain.head
            },
            remaining: len,
            skip,
            cap,
        }
    }
}

/// Shows how many bytes are still to come; over any allocator, `dyn Allocator` too.
impl<A: ?Sized> fmt::Debug for Chunks<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chunks")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

/// A copy that walks on from here, on its own; `A` need not be `Clone`.
impl<A: ?Sized> Clone for Chunks<'_, A> {
    fn clone(&self) -> Self {
        Chunks { ..*self }
    }
}

/// Once it has returned `None` it always does: it stops by changing nothing.
impl<A: Allocator + ?Sized> core::iter::FusedIterator for Chunks<'_, A> {}

impl<'a, A: Allocator + ?Sized> Iterator for Chunks<'a, A> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        let chunk = self.next?;
        // A block that is not a whole chunk is another allocator's: yield none of it.
        let data = chain::payload(self.alloc, chunk).filter(|data| data.len() == self.cap)?;
        let used = self.chain.used(chunk, self.cap).min(data.len());
        let start = core::mem::take(&mut self.skip).min(used);
        let slice = &data[start..used];
        let slice = &slice[..slice.len().min(self.remaining)];
        self.remaining -= slice.len();
        self.next = if self.remaining == 0 {
            None
        } else {
            chain::next(self.alloc, chunk)
        };
        Some(slice)
    }
}

#[cfg(test)]
mod tests;
