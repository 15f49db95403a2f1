//! The chunk chain under [`ByteBuffer`](super::ByteBuffer) and
//! [`ByteBufferDeque`](crate::ByteBufferDeque).
//!
//! A chunk is one block of the allocator: a 4-byte header holding the next chunk's
//! handle (0 for none) and then the payload. The chain keeps its head and its tail,
//! so appending is O(1) per chunk. Every chunk before the tail is full; the tail
//! holds `tail_len` bytes.

use super::ByteBufferError;
use crate::allocator::copy_prefix;
use crate::{Allocator, Handle};

/// Bytes at the start of each chunk: the next chunk's handle.
pub(crate) const HEADER: usize = 4;

/// The payload a chunk of this allocator holds.
pub(crate) fn capacity<A: Allocator + ?Sized>(alloc: &A) -> Result<usize, ByteBufferError> {
    capacity_of(alloc.block_size())
}

/// The payload a chunk in a block of `block_size` bytes holds.
pub(crate) fn capacity_of(block_size: usize) -> Result<usize, ByteBufferError> {
    match block_size {
        block if block > HEADER => Ok(block - HEADER),
        block_size => Err(ByteBufferError::BlockTooSmall { block_size }),
    }
}

/// The payload of a live chunk.
pub(crate) fn payload<A: Allocator + ?Sized>(alloc: &A, chunk: Handle) -> Option<&[u8]> {
    alloc.get(chunk)?.get(HEADER..)
}

/// The payload of a live chunk, writable.
pub(crate) fn payload_mut<A: Allocator + ?Sized>(
    alloc: &mut A,
    chunk: Handle,
) -> Option<&mut [u8]> {
    alloc.get_mut(chunk)?.get_mut(HEADER..)
}

/// The chunk after `chunk`, if any.
pub(crate) fn next<A: Allocator + ?Sized>(alloc: &A, chunk: Handle) -> Option<Handle> {
    let header = alloc.get(chunk)?.first_chunk::<HEADER>()?;
    Handle::from_bits(u32::from_ne_bytes(*header))
}

fn set_next<A: Allocator + ?Sized>(alloc: &mut A, chunk: Handle, next: Option<Handle>) {
    if let Some(header) = alloc
        .get_mut(chunk)
        .and_then(|b| b.first_chunk_mut::<HEADER>())
    {
        *header = next.map_or(0, Handle::to_bits).to_ne_bytes();
    }
}

/// A list of chunks, filled front to back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Chain {
    pub(crate) head: Option<Handle>,
    pub(crate) tail: Option<Handle>,
    /// Bytes used in the tail chunk.
    pub(crate) tail_len: usize,
}

impl Chain {
    pub(crate) const fn new() -> Self {
        Chain {
            head: None,
            tail: None,
            tail_len: 0,
        }
    }

    /// Appends `data`, all or nothing: the chunks it needs are all taken before a byte
    /// is copied; none is taken when the allocator has too few free blocks, and those
    /// taken are given back if it runs dry anyway.
    pub(crate) fn append<A: Allocator + ?Sized>(
        &mut self,
        alloc: &mut A,
        data: &[u8],
    ) -> Result<(), ByteBufferError> {
        if data.is_empty() {
            return Ok(());
        }
        let cap = capacity(alloc)?;
        let room = match self.tail {
            Some(tail) => {
                if !self.fits(cap) || payload(alloc, tail).is_none_or(|p| p.len() != cap) {
                    return Err(ByteBufferError::ForeignChunk);
                }
                cap.saturating_sub(self.tail_len)
            }
            None => 0,
        };
        let (into_tail, rest) = data.split_at(room.min(data.len()));
        let fresh = take(alloc, chunks_for(rest.len(), cap))?;

        if let (Some(tail), false) = (self.tail, into_tail.is_empty()) {
            // `into_tail` fits the room after `tail_len` (measured above).
            if let Some(p) = payload_mut(alloc, tail).and_then(|p| p.get_mut(self.tail_len..)) {
                copy_prefix(p, into_tail);
            }
            self.tail_len += into_tail.len();
        }
        if let Some((first, last)) = fresh {
            match self.tail {
                Some(tail) => set_next(alloc, tail, Some(first)),
                None => self.head = Some(first),
            }
            let mut chunk = Some(first);
            for piece in rest.chunks(cap) {
                let Some(current) = chunk else { break };
                if let Some(p) = payload_mut(alloc, current) {
                    copy_prefix(p, piece);
                }
                self.tail_len = piece.len();
                chunk = next(alloc, current);
            }
            self.tail = Some(last);
        }
        Ok(())
    }

    /// Frees the head chunk and makes its successor the head.
    pub(crate) fn drop_head<A: Allocator + ?Sized>(&mut self, alloc: &mut A) {
        let Some(head) = self.head else { return };
        let successor = if self.head == self.tail {
            None
        } else {
            next(alloc, head)
        };
        alloc.free(head);
        self.head = successor;
        if successor.is_none() {
            self.tail = None;
            self.tail_len = 0;
        }
    }

    /// Frees every chunk; `false`, and nothing freed, when a chunk is not a whole live
    /// block of `alloc` (the chain is another allocator's: forgetting it would leak
    /// its blocks there).
    pub(crate) fn clear<A: Allocator + ?Sized>(&mut self, alloc: &mut A) -> bool {
        if !self.is_whole_in(alloc) {
            return false;
        }
        while self.head.is_some() {
            self.drop_head(alloc);
        }
        true
    }

    /// `true` when every chunk from the head to the tail is a whole live block of
    /// `alloc`. The walk stops after `alloc.capacity()` chunks, so a cycle of another
    /// allocator's headers cannot hold it.
    fn is_whole_in<A: Allocator + ?Sized>(&self, alloc: &A) -> bool {
        let Some(mut chunk) = self.head else {
            return true;
        };
        let Ok(cap) = capacity(alloc) else {
            return false;
        };
        if !self.fits(cap) {
            return false;
        }
        for _ in 0..alloc.capacity() {
            if payload(alloc, chunk).is_none_or(|p| p.len() != cap) {
                return false;
            }
            if Some(chunk) == self.tail {
                return true;
            }
            match next(alloc, chunk) {
                Some(successor) => chunk = successor,
                None => return false,
            }
        }
        false
    }

    /// `false` when the tail holds more bytes than a chunk of `cap` bytes: the chain
    /// was written with an allocator of larger blocks than the one at hand, whose
    /// blocks under the same handles are not the chain's (and slicing one by
    /// `tail_len` would panic).
    pub(crate) fn fits(&self, cap: usize) -> bool {
        self.tail_len <= cap
    }

    /// How many bytes of `chunk` are in use, given its place in the chain.
    pub(crate) fn used(&self, chunk: Handle, cap: usize) -> usize {
        if Some(chunk) == self.tail {
            self.tail_len
        } else {
            cap
        }
    }
}

/// How many chunks of `cap` bytes `len` bytes fill: `len.div_ceil(cap)`, counted
/// instead where the core has no divide instruction. There (Armv6-M: Cortex-M0 and
/// M0+; older Arm cores, all of which also lack atomic read-modify-write, the `cfg`
/// that finds them) a division by a value known only at run time links a 400-byte
/// library routine, for one division per write.
#[inline]
fn chunks_for(len: usize, cap: usize) -> usize {
    if cfg!(all(target_arch = "arm", not(target_has_atomic = "ptr"))) {
        count_chunks(len, cap)
    } else {
        len.div_ceil(cap.max(1))
    }
}

/// `len.div_ceil(cap)` by subtraction, O(the result); for a `cap` of 0, as for 1.
fn count_chunks(len: usize, cap: usize) -> usize {
    let mut count = 0;
    let mut left = len;
    while left > 0 {
        left = left.saturating_sub(cap.max(1));
        count += 1;
    }
    count
}

/// Takes `count` chunks linked in order (the last points at none); all or none, and
/// none at all when `alloc` says it has fewer than `count` free blocks.
fn take<A: Allocator + ?Sized>(
    alloc: &mut A,
    count: usize,
) -> Result<Option<(Handle, Handle)>, ByteBufferError> {
    let block = alloc.block_size();
    let free = alloc.capacity().saturating_sub(alloc.len());
    if count > free && free > 0 {
        // Too few blocks, and some free: taking those one by one until none is left
        // and giving them back would leave the high-water mark at full for a write
        // that could not fit. Refused before any is taken, and counted as the
        // request that found none left would have been. (With none free, the first
        // request below fails and is counted as out of memory.)
        alloc.count_failed_alloc();
        return Err(ByteBufferError::AllocationFailed);
    }
    let mut first: Option<Handle> = None;
    let mut last: Option<Handle> = None;
    for _ in 0..count {
        // A chunk is exactly one block (the foreign-chunk check compares with it): an
        // `Allocator` of yours that lends another length gets the block back, and the
        // write fails as if the allocator were full.
        let lent = match alloc.alloc_uninit(block) {
            Ok((chunk, bytes)) if bytes.len() == block => {
                // `block` passed `capacity`, so it is longer than the header.
                if let Some(header) = bytes.first_chunk_mut::<HEADER>() {
                    *header = [0; HEADER];
                }
                Some(chunk)
            }
            Ok((chunk, _)) => {
                alloc.free(chunk);
                None
            }
            Err(_) => None,
        };
        match lent {
            Some(chunk) => {
                match last {
                    Some(previous) => set_next(alloc, previous, Some(chunk)),
                    None => first = Some(chunk),
                }
                last = Some(chunk);
            }
            None => {
                let mut taken = Chain {
                    head: first,
                    tail: last,
                    tail_len: 0,
                };
                taken.clear(alloc);
                return Err(ByteBufferError::AllocationFailed);
            }
        }
    }
    Ok(first.zip(last))
}

#[cfg(test)]
mod tests {
    use super::{chunks_for, count_chunks};

    /// The count a Cortex-M0 uses is the division every other core does.
    #[test]
    fn counting_chunks_matches_dividing() {
        let (caps, lens) = if cfg!(miri) { (20, 100) } else { (70, 300) };
        for cap in 1..caps {
            for len in 0..lens {
                assert_eq!(count_chunks(len, cap), len.div_ceil(cap), "{len} / {cap}");
                assert_eq!(chunks_for(len, cap), len.div_ceil(cap), "{len} / {cap}");
            }
        }
        assert_eq!(count_chunks(3, 0), 3);
    }
}
