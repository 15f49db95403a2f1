extern crate std;

use std::vec::Vec;

use super::*;
use crate::{Align4, AllocError, TinySlabAllocator};

/// 16 blocks of 16 bytes: 12 bytes of data per chunk.
type Small = TinySlabAllocator<256, 16>;

fn contents<A: Allocator>(buf: &ByteBuffer, alloc: &A) -> Vec<u8> {
    buf.chunks(alloc).flatten().copied().collect()
}

#[test]
fn writes_span_chunks_and_read_back_at_any_offset() {
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    let data: Vec<u8> = (0..100).collect();
    buf.write(&mut alloc, &data[..5]).unwrap();
    buf.write(&mut alloc, &data[5..50]).unwrap();
    buf.write(&mut alloc, &data[50..]).unwrap();
    assert_eq!(buf.len(), 100);
    assert_eq!(alloc.len(), 100usize.div_ceil(12));
    assert_eq!(contents(&buf, &alloc), data);
    for offset in [0, 1, 11, 12, 13, 23, 24, 95, 99, 100, 150] {
        let mut out = [0u8; 10];
        let n = buf.read(&alloc, offset, &mut out);
        let expected = &data[offset.min(100)..(offset + 10).min(100)];
        assert_eq!(&out[..n], expected, "offset {offset}");
    }
    assert!(buf.iter(&alloc).eq(data.iter().copied()));
}

#[test]
fn chunks_borrow_the_pool_without_copying() {
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, b"abcdefghijklmnopqrstuvwxyz")
        .unwrap();
    let sizes: Vec<usize> = buf.chunks(&alloc).map(<[u8]>::len).collect();
    assert_eq!(sizes, [12, 12, 2]);
    let first = buf.chunks(&alloc).next().unwrap();
    let handle = buf.chain.head.unwrap();
    let block = alloc.get(handle).unwrap();
    assert_eq!(first.as_ptr(), block[chain::HEADER..].as_ptr());
}

#[test]
fn a_failed_write_returns_its_blocks_and_changes_nothing() {
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, &[1; 20]).unwrap(); // 2 chunks, 4 bytes free in the tail
    let mut other = ByteBuffer::new();
    other.write(&mut alloc, &[2; 12 * 10]).unwrap(); // 10 more: 4 blocks left
    let before = alloc.stats();
    // 4 bytes fit the tail; 60 more need 5 chunks, one more than is free.
    let result = buf.write(&mut alloc, &[3; 64]);
    assert_eq!(result, Err(ByteBufferError::AllocationFailed));
    assert_eq!(buf.len(), 20);
    assert_eq!(contents(&buf, &alloc), [1; 20]);
    let after = alloc.stats();
    assert_eq!(after.in_use, before.in_use, "no block was kept");
    assert_eq!(
        after.high_water, before.high_water,
        "no block was taken: the peak is the blocks really used"
    );
    assert_eq!(after.failed_allocs, before.failed_allocs + 1);
    // exactly what fits still works
    buf.write(&mut alloc, &[4; 4 + 12 * 4]).unwrap();
    assert_eq!(alloc.len(), 16);
    assert_eq!(&contents(&buf, &alloc)[20..], &[4; 52][..]);
    // With no block free, the one request made fails as out of memory.
    assert_eq!(
        other.write(&mut alloc, &[5; 1]),
        Err(ByteBufferError::AllocationFailed)
    );
    assert_eq!(alloc.stats().failed_allocs, before.failed_allocs + 2);
}

/// An `Allocator` of a user's: `Small` behind the trait's defaults (it counts no
/// refused write), whose `len` is what the `len` field makes of the pool.
struct Wrapped {
    pool: Small,
    len: fn(&Small) -> usize,
}

impl Allocator for Wrapped {
    fn alloc_uninit(&mut self, len: usize) -> Result<(Handle, &mut [u8]), AllocError> {
        self.pool.alloc_uninit(len)
    }
    fn get(&self, handle: Handle) -> Option<&[u8]> {
        self.pool.get(handle)
    }
    fn get_mut(&mut self, handle: Handle) -> Option<&mut [u8]> {
        self.pool.get_mut(handle)
    }
    fn free(&mut self, handle: Handle) -> bool {
        self.pool.free(handle)
    }
    fn block_size(&self) -> usize {
        self.pool.block_size()
    }
    fn capacity(&self) -> usize {
        self.pool.capacity()
    }
    fn len(&self) -> usize {
        (self.len)(&self.pool)
    }
    fn stats(&self) -> crate::Stats {
        self.pool.stats()
    }
}

/// An allocator whose count of blocks in use is off (here: always 0) gets the
/// all-or-nothing write the long way: the blocks taken before it ran dry go back.
#[test]
fn a_failed_write_on_an_allocator_that_miscounts_still_changes_nothing() {
    let mut alloc = Wrapped {
        pool: Small::new(),
        len: |_| 0,
    };
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, &[1; 12 * 14]).unwrap(); // 2 blocks left
    assert_eq!(
        buf.write(&mut alloc, &[2; 12 * 3]),
        Err(ByteBufferError::AllocationFailed)
    );
    let stats = alloc.stats();
    assert_eq!((stats.in_use, stats.failed_allocs), (14, 1));
    assert_eq!(contents(&buf, &alloc), [1; 12 * 14]);
    buf.write(&mut alloc, &[3; 12 * 2]).unwrap();
    assert_eq!(alloc.pool.len(), 16);
}

/// A refused write asks the allocator for nothing; one of yours that does not count
/// refusals (the trait's default `count_failed_alloc`) shows none, and lends none.
#[test]
fn a_refused_write_on_an_allocator_that_counts_nothing_takes_nothing() {
    let mut alloc = Wrapped {
        pool: Small::new(),
        len: Small::len,
    };
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, &[1; 12 * 14]).unwrap(); // 2 blocks left
    let before = alloc.stats();
    assert_eq!(
        buf.write(&mut alloc, &[2; 12 * 3]),
        Err(ByteBufferError::AllocationFailed)
    );
    assert_eq!(alloc.stats(), before);
    buf.write(&mut alloc, &[3; 12 * 2]).unwrap();
    assert_eq!(alloc.pool.len(), 16);
    assert_eq!(contents(&buf, &alloc)[12 * 14..], [3; 24]);
}

#[test]
fn clear_gives_every_block_back() {
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, &[9; 150]).unwrap();
    assert_eq!(alloc.len(), 13);
    buf.clear(&mut alloc).unwrap();
    assert!(buf.is_empty());
    assert!(alloc.is_empty());
    assert_eq!(alloc.stats().rejected_handles, 0);
    buf.write(&mut alloc, b"again").unwrap();
    assert_eq!(contents(&buf, &alloc), b"again");
}

#[test]
fn empty_writes_take_nothing() {
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, b"").unwrap();
    assert!(alloc.is_empty() && buf.is_empty());
    assert_eq!(buf.chunks(&alloc).count(), 0);
}

#[test]
fn blocks_too_small_for_a_chunk_are_refused() {
    let mut alloc = TinySlabAllocator::<16, 4, Align4>::new();
    let mut buf = ByteBuffer::new();
    assert_eq!(
        buf.write(&mut alloc, b"x"),
        Err(ByteBufferError::BlockTooSmall { block_size: 4 })
    );
    assert!(alloc.is_empty());
}

#[test]
fn another_allocator_is_noticed_not_trusted() {
    let mut mine = Small::new();
    let mut theirs = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut mine, b"mine").unwrap();
    assert_eq!(
        buf.write(&mut theirs, b"!"),
        Err(ByteBufferError::ForeignChunk)
    );
    assert!(theirs.is_empty());
    assert_eq!(buf.chunks(&theirs).count(), 0);
    assert_eq!(buf.read(&theirs, 0, &mut [0; 4]), 0);
    assert_eq!(contents(&buf, &mine), b"mine");
}

#[test]
fn works_through_a_trait_object() {
    let mut alloc = Small::new();
    let dynamic: &mut dyn Allocator = &mut alloc;
    let mut buf = ByteBuffer::new();
    buf.write(dynamic, b"through dyn").unwrap();
    assert_eq!(buf.read(dynamic, 8, &mut [0; 3]), 3);
    buf.clear(dynamic).unwrap();
    assert!(dynamic.is_empty());
    let _ = AllocError::OutOfMemory;
}

#[cfg(feature = "alloc")]
#[test]
fn to_vec_copies_everything() {
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, &[5; 40]).unwrap();
    assert_eq!(buf.to_vec(&alloc), [5; 40]);
}

#[test]
fn a_buffer_is_as_small_as_the_module_docs_say() {
    // Two `Option<Handle>`s (4 bytes each) and two lengths, and the flag that says
    // it was written through the global instance when that feature is on.
    let [on_32_bit, on_64_bit] = if cfg!(feature = "global-alloc") {
        [20, 32]
    } else {
        [16, 24]
    };
    let expected = if cfg!(target_pointer_width = "64") {
        on_64_bit
    } else {
        on_32_bit
    };
    assert_eq!(core::mem::size_of::<ByteBuffer>(), expected);
}

#[test]
fn clear_with_another_allocator_changes_nothing() {
    let mut mine = Small::new();
    let mut theirs = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut mine, &[5; 30]).unwrap();
    let held = mine.len();
    assert_eq!(buf.clear(&mut theirs), Err(ByteBufferError::ForeignChunk));
    // The blocks are `mine`'s: forgetting them would leak them for good.
    assert_eq!((buf.len(), mine.len(), theirs.len()), (30, held, 0));
    assert_eq!(contents(&buf, &mine), [5; 30]);
    buf.clear(&mut mine).unwrap();
    assert!(buf.is_empty() && mine.is_empty());
}

#[test]
fn reads_through_another_allocator_find_no_chunk() {
    let mut mine = Small::new();
    let mut theirs = Small::new();
    // A shorter live block under the handle of the buffer's chunk in `mine`.
    let theirs_block = theirs.alloc(b"theirs").unwrap();
    let mut buf = ByteBuffer::new();
    buf.write(&mut mine, b"mine").unwrap();
    let theirs_block = theirs.relabel_as(&mine, theirs_block);
    assert_eq!(buf.chain.head, Some(theirs_block), "the same handle");
    assert_eq!(buf.read(&theirs, 0, &mut [0; 4]), 0);
    assert_eq!(buf.chunks(&theirs).count(), 0);
    assert_eq!(buf.iter(&theirs).count(), 0);
    assert_eq!(contents(&buf, &mine), b"mine");
    buf.clear(&mut mine).unwrap();
}

#[test]
fn an_allocator_of_smaller_chunks_is_noticed_by_the_tail_it_cannot_hold() {
    let mut mine = TinySlabAllocator::<512, 16>::new(); // 28 bytes of data per chunk
    let mut theirs = Small::new(); // 12
    // A whole block of `theirs` under the handle of the buffer's one chunk in `mine`:
    // it passes for a chunk, but the buffer's 20 bytes cannot be in its 12.
    let (theirs_block, bytes) = theirs.alloc_uninit(16).unwrap();
    bytes.fill(9);
    let mut buf = ByteBuffer::new();
    buf.write(&mut mine, &[1; 20]).unwrap();
    let theirs_block = theirs.relabel_as(&mine, theirs_block);
    assert_eq!(buf.chain.head, Some(theirs_block), "the same handle");
    assert_eq!(buf.read(&theirs, 0, &mut [0; 20]), 0);
    assert_eq!(buf.chunks(&theirs).count(), 0);
    assert_eq!(
        buf.write(&mut theirs, &[2; 30]),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(buf.clear(&mut theirs), Err(ByteBufferError::ForeignChunk));
    assert_eq!(buf.len(), 20);
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs.get(theirs_block), Some(&[9u8; 16][..]));
    assert_eq!(contents(&buf, &mine), [1; 20]);
    buf.clear(&mut mine).unwrap();
    assert!(mine.is_empty());
}

#[test]
fn after_its_allocator_is_cleared_a_buffer_is_replaced_not_cleared() {
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, &[1; 30]).unwrap();
    // Every handle goes stale: the buffer cannot tell this from another allocator.
    alloc.clear();
    let mut other = ByteBuffer::new();
    other.write(&mut alloc, &[2; 30]).unwrap(); // the same slots, new generations
    assert_eq!(buf.len(), 30, "the buffer keeps the length it believes in");
    assert_eq!(buf.read(&alloc, 0, &mut [0; 30]), 0);
    assert_eq!(
        buf.write(&mut alloc, b"x"),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(buf.clear(&mut alloc), Err(ByteBufferError::ForeignChunk));
    assert_eq!(buf.len(), 30);
    assert_eq!(
        contents(&other, &alloc),
        [2; 30],
        "nothing of `other` was touched"
    );
    // What the docs say to do: start over with a new buffer.
    buf = ByteBuffer::new();
    buf.write(&mut alloc, b"again").unwrap();
    assert_eq!(contents(&buf, &alloc), b"again");
    buf.clear(&mut alloc).unwrap();
    other.clear(&mut alloc).unwrap();
    assert!(alloc.is_empty());
}

/// Chunks over a `dyn Allocator` (what a `SharedAllocator` lends) print too, and say
/// how far the walk has come, not what the allocator holds.
#[test]
fn chunks_print_over_any_allocator() {
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, b"twenty bytes of data").unwrap();
    let shared: &dyn Allocator = &alloc;
    let mut chunks = buf.chunks(shared);
    assert_eq!(std::format!("{chunks:?}"), "Chunks { remaining: 20, .. }");
    chunks.next();
    assert_eq!(std::format!("{chunks:?}"), "Chunks { remaining: 8, .. }");
}

#[test]
fn every_error_message_says_what_to_do() {
    use std::string::ToString;
    let says = |error: ByteBufferError, parts: &[&str]| {
        let message = error.to_string();
        for part in parts {
            assert!(message.contains(part), "{message:?} lacks {part:?}");
        }
    };
    says(
        ByteBufferError::AllocationFailed,
        &["nothing was written", "larger pool"],
    );
    says(
        ByteBufferError::BlockTooSmall { block_size: 4 },
        &["blocks of 4 bytes", "at least 8 bytes"],
    );
    says(
        ByteBufferError::ForeignChunk,
        &["use the allocator the buffer was written with"],
    );
    says(
        ByteBufferError::NotInitialized,
        &["AllocatorConfig", "install"],
    );
    says(ByteBufferError::AlreadyInitialized, &["once"]);
    says(ByteBufferError::Busy, &["nothing was done", "try again"]);
}

#[test]
fn chunks_clone_where_they_are_and_stay_done() {
    fn fused<I: core::iter::FusedIterator + Clone>(iter: I) -> I {
        iter
    }
    let mut alloc = Small::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, &[1; 30]).unwrap();
    let mut chunks = fused(buf.chunks(&alloc));
    let first = chunks.next().unwrap();
    let copy = chunks.clone();
    assert_eq!(
        copy.collect::<Vec<_>>(),
        chunks.by_ref().collect::<Vec<_>>()
    );
    assert_eq!(
        first.len() + buf.chunks(&alloc).skip(1).map(<[u8]>::len).sum::<usize>(),
        30
    );
    assert_eq!((chunks.next(), chunks.next()), (None, None));
    // Over another allocator it yields nothing, and goes on yielding nothing.
    let other = Small::new();
    let mut foreign = buf.chunks(&other);
    assert_eq!((foreign.next(), foreign.next()), (None, None));
    buf.clear(&mut alloc).unwrap();
}
