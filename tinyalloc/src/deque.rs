//! [`ByteBufferDeque`]: a FIFO byte queue over the same chunk chain as
//! [`ByteBuffer`](crate::ByteBuffer), giving each chunk back the moment it is drained.
//!
//! | operation | cost | measured, per byte in and out |
//! | --- | --- | --- |
//! | `push_back`, `pop_front`, `peek_front` | O(1) | 77.9 instructions (heapless `Deque`: 29, `spsc::Queue`: 22, `VecDeque`: 43) |
//! | `push_slice`, `pop_into` | O(1) per chunk touched; `push_slice` is all or nothing | 7.0 instructions in slices of 64 (heapless, byte by byte: 17.3 for `Deque`, 14.8 for `spsc::Queue`; `VecDeque`: 1.8) |
//!
//! The figures are x86_64 instruction counts from `benches/run.sh` (2026-12-07: 4,096
//! bytes through 64-byte blocks; the README's *Performance* section has the whole run).
//! Shared with interrupt handlers as a [`PoolDeque`](crate::global::PoolDeque) or
//! [`GlobalDeque`](crate::global::GlobalDeque), each call also takes a critical section
//! (a [`Pool`](crate::Pool) under the queue checks its re-entry flag in the same one)
//! and reaches the pool through `&mut dyn Allocator`: 283.3 and
//! 299.3 instructions per byte one at a time, 11.7 and 12.1 in slices of 64 (with a
//! critical section that does nothing). A `PoolDeque` that names its pool's type calls
//! the pool directly, and the compiler inlines it: 159.3 and 10.9.
//! A [`GlobalDeque`](crate::global::GlobalDeque) pushed and popped once costs
//! 1,942 bytes of `.text` on `thumbv7em-none-eabihf`, the pool included.
//!
//! Because drained chunks go back at once, a deque holds at most
//! `len / (block_size − 4) + 2` blocks: a stream of any length passes through a pool
//! of a few blocks as long as the consumer keeps up.

use crate::Allocator;
use crate::allocator::copy_prefix;
use crate::buffer::{ByteBufferError, Chain, Chunks};

/// A first-in, first-out byte queue whose bytes live in the blocks of an
/// [`Allocator`].
///
/// `pop_front` takes the allocator by `&mut` because it frees each chunk as soon as
/// it is drained. Pass every call the allocator that holds the queue's blocks, as for
/// a [`ByteBuffer`](crate::ByteBuffer) (whose docs say what another one does, and what
/// to do after the allocator was cleared); like
/// such a buffer, a deque dropped without [`clear`](Self::clear) leaves its blocks in
/// use.
///
/// ```
/// use tinyalloc::prelude::*;
///
/// let mut alloc = TinySlabAllocator::<512, 16>::new(); // 16 blocks of 32 bytes
/// let mut deque = ByteBufferDeque::new();
///
/// // Stream 64 KiB through a 512-byte pool: drained chunks go straight back.
/// for round in 0..256u32 {
///     let block: [u8; 256] = core::array::from_fn(|i| (round as usize + i) as u8);
///     deque.push_slice(&mut alloc, &block).unwrap();
///     let mut out = [0u8; 256];
///     assert_eq!(deque.pop_into(&mut alloc, &mut out), 256);
///     assert_eq!(out, block);
/// }
/// deque.push_back(&mut alloc, b'x').unwrap();
/// assert_eq!(deque.peek_front(&alloc), Some(b'x'));
/// assert_eq!(deque.pop_front(&mut alloc), Some(b'x'));
/// assert_eq!(deque.pop_front(&mut alloc), None);
/// assert!(alloc.is_empty());
/// ```
#[derive(Debug)]
pub struct ByteBufferDeque {
    chain: Chain,
    /// Read position in the head chunk.
    head_pos: usize,
    len: usize,
}

impl ByteBufferDeque {
    /// An empty deque; it takes no block until the first push.
    pub const fn new() -> Self {
        ByteBufferDeque {
            chain: Chain::new(),
            head_pos: 0,
            len: 0,
        }
    }

    /// Appends one byte.
    ///
    /// # Errors
    ///
    /// As [`push_slice`](Self::push_slice).
    #[inline(always)]
    pub fn push_back<A: Allocator + ?Sized>(
        &mut self,
        alloc: &mut A,
        byte: u8,
    ) -> Result<(), ByteBufferError> {
        // The common case, one byte into the tail chunk's room, without the general
        // path's planning: a byte-per-interrupt producer runs this.
        if let Some(tail) = self.chain.tail
            && let Ok(cap) = crate::buffer::chain_capacity(alloc)
        {
            match crate::buffer::chain_payload_mut(alloc, tail) {
                Some(payload) if payload.len() == cap => {
                    if let Some(room) = payload.get_mut(self.chain.tail_len) {
                        *room = byte;
                        self.chain.tail_len += 1;
                        self.len += 1;
                        return Ok(());
                    }
                }
                // A tail block that is not a whole chunk is another allocator's:
                // refused here, as the general path would refuse it, so that one
                // refusal counts one rejected handle.
                _ => return Err(ByteBufferError::ForeignChunk),
            }
        }
        self.push_slice(alloc, &[byte])
    }

    /// Appends `data`, all or nothing.
    ///
    /// # Errors
    ///
    /// As [`ByteBuffer::write`](crate::ByteBuffer::write), and nothing is queued:
    /// `AllocationFailed` when `alloc` has too few free blocks, `ForeignChunk` when the
    /// deque's blocks are not live in `alloc`, `BlockTooSmall` when its blocks cannot
    /// hold a chunk.
    pub fn push_slice<A: Allocator + ?Sized>(
        &mut self,
        alloc: &mut A,
        data: &[u8],
    ) -> Result<(), ByteBufferError> {
        self.chain.append(alloc, data)?;
        self.len += data.len();
        Ok(())
    }

    /// The oldest byte, without removing it.
    pub fn peek_front<A: Allocator + ?Sized>(&self, alloc: &A) -> Option<u8> {
        self.chunks(alloc).next()?.first().copied()
    }

    /// Copies the oldest bytes into `out`, as many as fit, without removing them;
    /// returns how many. Looks ahead, e.g. for the end of a line before popping it.
    ///
    /// ```
    /// use tinyalloc::prelude::*;
    ///
    /// let mut pool = TinySlabAllocator::<256, 8>::new();
    /// let mut rx = ByteBufferDeque::new();
    /// rx.push_slice(&mut pool, b"AT+OK\r\nAT").unwrap();
    /// let mut ahead = [0u8; 16];
    /// let n = rx.peek_into(&pool, &mut ahead);
    /// let line = ahead[..n].iter().position(|&b| b == b'\n').map(|end| end + 1);
    /// assert_eq!(line, Some(7));
    /// assert_eq!(rx.len(), 9); // nothing removed
    /// # rx.clear(&mut pool).unwrap();
    /// ```
    #[must_use = "only as many bytes of `out` as this returns were written"]
    pub fn peek_into<A: Allocator + ?Sized>(&self, alloc: &A, out: &mut [u8]) -> usize {
        let mut copied = 0;
        for chunk in self.chunks(alloc) {
            let Some(rest) = out.get_mut(copied..).filter(|rest| !rest.is_empty()) else {
                break;
            };
            copied += copy_prefix(rest, chunk);
        }
        copied
    }

    /// Removes and returns the oldest byte; frees its chunk if that drains it.
    #[inline(always)]
    pub fn pop_front<A: Allocator + ?Sized>(&mut self, alloc: &mut A) -> Option<u8> {
        if self.len == 0 {
            return None;
        }
        let head = self.chain.head?;
        let cap = crate::buffer::chain_capacity(alloc)
            .ok()
            .filter(|&cap| self.chain.fits(cap))?;
        // A block that is not a whole chunk is another allocator's: leave the deque as
        // it is, as `pop_into` does.
        let payload = crate::buffer::chain_payload(alloc, head).filter(|p| p.len() == cap)?;
        let byte = *payload.get(self.head_pos)?;
        let used = self.chain.used(head, cap);
        self.head_pos += 1;
        self.len -= 1;
        if self.head_pos >= used || self.len == 0 {
            self.chain.drop_head(alloc);
            self.head_pos = 0;
        }
        Some(byte)
    }

    /// Moves the oldest bytes into `out`, as many as fit; returns how many. Each chunk
    /// drained on the way goes back to `alloc`.
    #[inline]
    #[must_use = "only as many bytes of `out` as this returns were written"]
    pub fn pop_into<A: Allocator + ?Sized>(&mut self, alloc: &mut A, out: &mut [u8]) -> usize {
        let Ok(cap) = crate::buffer::chain_capacity(alloc) else {
            return 0;
        };
        // A tail longer than this allocator's chunks was written with another one.
        if !self.chain.fits(cap) {
            return 0;
        }
        let mut copied = 0;
        while copied < out.len() && self.len > 0 {
            let Some(head) = self.chain.head else { break };
            let used = self.chain.used(head, cap);
            // A block that is not a whole chunk is another allocator's: leave the deque
            // as it is, as `pop_front` does.
            let Some(data) = crate::buffer::chain_payload(alloc, head)
                .filter(|data| data.len() == cap && self.head_pos < used)
            else {
                break;
            };
            let Some(available) = data.get(self.head_pos..used) else {
                break;
            };
            let available = available.get(..self.len).unwrap_or(available);
            let n = copy_prefix(out.get_mut(copied..).unwrap_or_default(), available);
            copied += n;
            self.len -= n;
            self.head_pos += n;
            if self.head_pos >= used || self.len == 0 {
                self.chain.drop_head(alloc);
                self.head_pos = 0;
            }
        }
        copied
    }

    /// The queued bytes, oldest first, chunk by chunk, without copying.
    pub fn chunks<'a, A: Allocator + ?Sized>(&'a self, alloc: &'a A) -> Chunks<'a, A> {
        Chunks::new(&self.chain, alloc, self.len, self.head_pos)
    }

    /// How many bytes are queued.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// `true` when nothing is queued.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops every queued byte and gives every block back to `alloc`.
    ///
    /// # Errors
    ///
    /// [`ByteBufferError::ForeignChunk`], and nothing changes, when the deque's blocks
    /// are not live in `alloc`: it was filled with another allocator, or `alloc` was
    /// cleared under it (then replace it with [`ByteBufferDeque::new`]), as
    /// [`ByteBuffer::clear`](crate::ByteBuffer::clear).
    pub fn clear<A: Allocator + ?Sized>(&mut self, alloc: &mut A) -> Result<(), ByteBufferError> {
        if !self.chain.clear(alloc) {
            return Err(ByteBufferError::ForeignChunk);
        }
        self.head_pos = 0;
        self.len = 0;
        Ok(())
    }

    /// Empties the queue whatever its blocks are: those of `alloc` go back, and a chain
    /// that is not whole in `alloc` is forgotten. Only for a queue bound to `alloc`,
    /// whose blocks can be no other allocator's: there a chain that is not whole means
    /// `alloc` was cleared (its handles went stale), and `clear` would keep it forever.
    #[cfg(feature = "global-alloc")]
    pub(crate) fn reset<A: Allocator + ?Sized>(&mut self, alloc: &mut A) {
        self.chain.clear(alloc);
        *self = ByteBufferDeque::new();
    }
}

impl Default for ByteBufferDeque {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests;
