extern crate std;

use std::collections::VecDeque;
use std::vec::Vec;

use super::*;
use crate::TinySlabAllocator;

/// 16 blocks of 32 bytes: 512 bytes, 28 bytes of data per chunk.
type Pool512 = TinySlabAllocator<512, 16>;

#[test]
fn first_in_first_out() {
    let mut alloc = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    for b in 0..100u8 {
        deque.push_back(&mut alloc, b).unwrap();
    }
    assert_eq!(deque.len(), 100);
    assert_eq!(deque.peek_front(&alloc), Some(0));
    for b in 0..100u8 {
        assert_eq!(deque.pop_front(&mut alloc), Some(b));
    }
    assert_eq!(deque.pop_front(&mut alloc), None);
    assert!(alloc.is_empty(), "every drained chunk went back");
}

#[test]
fn drained_chunks_go_back_at_once() {
    let mut alloc = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut alloc, &[1; 28 * 3]).unwrap();
    assert_eq!(alloc.len(), 3);
    let mut out = [0u8; 28];
    assert_eq!(deque.pop_into(&mut alloc, &mut out), 28);
    assert_eq!(alloc.len(), 2);
    assert_eq!(deque.pop_into(&mut alloc, &mut out[..27]), 27);
    assert_eq!(alloc.len(), 2);
    assert_eq!(deque.pop_front(&mut alloc), Some(1));
    assert_eq!(alloc.len(), 1);
}

#[test]
fn a_megabyte_streams_through_a_512_byte_pool() {
    let mut alloc = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    let total: usize = if cfg!(miri) { 16 * 1024 } else { 1 << 20 };
    let mut sent = 0usize;
    let mut received = 0usize;
    let mut out = [0u8; 100];
    while received < total {
        // produce in uneven bursts, consume in others, never more than ~300 queued
        while sent < total && deque.len() < 300 {
            let burst: Vec<u8> = (sent..(sent + 37).min(total)).map(|i| i as u8).collect();
            deque.push_slice(&mut alloc, &burst).unwrap();
            sent += burst.len();
        }
        let n = deque.pop_into(&mut alloc, &mut out);
        for (i, &b) in out[..n].iter().enumerate() {
            assert_eq!(b, (received + i) as u8);
        }
        received += n;
    }
    assert!(deque.is_empty());
    assert!(alloc.is_empty());
    let stats = alloc.stats();
    assert_eq!(stats.failed_allocs, 0);
    assert!(stats.high_water <= 13, "{stats}");
}

#[test]
fn a_failed_push_changes_nothing() {
    let mut alloc = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut alloc, &[7; 28 * 15 + 10]).unwrap();
    assert_eq!(alloc.len(), 16);
    let before = deque.len();
    assert_eq!(
        deque.push_slice(&mut alloc, &[8; 19]),
        Err(ByteBufferError::AllocationFailed)
    );
    assert_eq!(deque.len(), before);
    assert_eq!(deque.push_slice(&mut alloc, &[8; 18]), Ok(()));
    assert_eq!(
        deque.push_back(&mut alloc, 9),
        Err(ByteBufferError::AllocationFailed)
    );
    let mut all = Vec::new();
    while let Some(b) = deque.pop_front(&mut alloc) {
        all.push(b);
    }
    assert_eq!(all.len(), 28 * 16);
    assert!(all[..28 * 15 + 10].iter().all(|&b| b == 7));
    assert!(all[28 * 15 + 10..].iter().all(|&b| b == 8));
}

/// A push that needs more blocks than are free takes none: the pool's high-water mark
/// stays where the queued bytes put it, and the refusal counts as one failure.
#[test]
fn a_push_that_cannot_fit_leaves_the_high_water_mark() {
    let mut alloc = Pool512::new(); // 16 blocks of 28 bytes of data
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut alloc, &[1; 28 * 10]).unwrap();
    let before = alloc.stats();
    assert_eq!(
        deque.push_slice(&mut alloc, &[2; 28 * 7]),
        Err(ByteBufferError::AllocationFailed)
    );
    let after = alloc.stats();
    assert_eq!((after.in_use, after.high_water), (10, 10));
    assert_eq!(after.failed_allocs, before.failed_allocs + 1);
    assert_eq!(deque.len(), 28 * 10);
    deque.clear(&mut alloc).unwrap();
}

#[test]
fn chunks_start_at_the_read_position() {
    let mut alloc = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    deque
        .push_slice(&mut alloc, &(0..60).collect::<Vec<u8>>())
        .unwrap();
    for _ in 0..5 {
        deque.pop_front(&mut alloc);
    }
    let chunks: Vec<&[u8]> = deque.chunks(&alloc).collect();
    assert_eq!(
        chunks.iter().map(|c| c.len()).collect::<Vec<_>>(),
        [23, 28, 4]
    );
    assert_eq!(chunks[0][0], 5);
    assert_eq!(deque.peek_front(&alloc), Some(5));
}

#[test]
fn clear_gives_every_block_back() {
    let mut alloc = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut alloc, &[1; 200]).unwrap();
    deque.pop_front(&mut alloc);
    deque.clear(&mut alloc).unwrap();
    assert!(deque.is_empty() && alloc.is_empty());
    assert_eq!(alloc.stats().rejected_handles, 0);
}

#[test]
fn pop_into_with_another_allocator_changes_nothing() {
    let mut mine = Pool512::new();
    let mut theirs = Pool512::new();
    // A short block under the handle the deque's head chunk has in `mine`.
    let theirs_block = theirs.alloc(&[9; 6]).unwrap();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut mine, &[1; 20]).unwrap();
    let theirs_block = theirs.relabel_as(&mine, theirs_block);
    assert_eq!(deque.chain.head, Some(theirs_block), "the same handle");
    let mut out = [0u8; 5];
    assert_eq!(deque.pop_into(&mut mine, &mut out), 5);
    assert_eq!(deque.pop_into(&mut theirs, &mut out), 0);
    assert_eq!(deque.len(), 15);
    assert_eq!(theirs.get(theirs_block), Some(&[9u8; 6][..]));
    let mut rest = [0u8; 15];
    assert_eq!(deque.pop_into(&mut mine, &mut rest), 15);
    assert_eq!(rest, [1; 15]);
    assert!(mine.is_empty());
}

#[test]
fn matches_a_vecdeque_on_a_fixed_mix() {
    let mut alloc = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    let mut model = VecDeque::new();
    let mut seed = 0x1234_5678u32;
    for step in 0..if cfg!(miri) { 300 } else { 5_000 } {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        match seed >> 29 {
            0..=3 => {
                let data: Vec<u8> = (0..(seed >> 20) % 50).map(|i| (step + i) as u8).collect();
                if deque.push_slice(&mut alloc, &data).is_ok() {
                    model.extend(&data);
                }
            }
            4 | 5 => assert_eq!(deque.pop_front(&mut alloc), model.pop_front()),
            _ => {
                let mut out = [0u8; 40];
                let n = deque.pop_into(&mut alloc, &mut out);
                let expected: Vec<u8> = model.drain(..n.min(model.len())).collect();
                assert_eq!(&out[..n], &expected[..]);
                assert!(n == 40 || model.is_empty());
            }
        }
        assert_eq!(deque.len(), model.len());
        assert_eq!(alloc.len(), chunks_for(&deque, &alloc));
    }
}

/// Blocks a deque should hold: exactly those its bytes occupy.
fn chunks_for<A: Allocator>(deque: &ByteBufferDeque, alloc: &A) -> usize {
    deque.chunks(alloc).count()
}

#[test]
fn push_back_with_another_allocator_is_refused_as_push_slice_is() {
    let mut mine = Pool512::new();
    let mut theirs = Pool512::new();
    // A shorter block under the handle of the deque's tail chunk in `mine`.
    let theirs_block = theirs.alloc(&[9; 20]).unwrap();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut mine, b"0123456789").unwrap();
    let theirs_block = theirs.relabel_as(&mine, theirs_block);
    assert_eq!(deque.chain.head, Some(theirs_block), "the same handle");
    assert_eq!(
        deque.push_slice(&mut theirs, b"!"),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(
        deque.push_back(&mut theirs, b'!'),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(deque.len(), 10);
    assert_eq!(theirs.get(theirs_block), Some(&[9u8; 20][..]));
    let mut out = [0u8; 16];
    assert_eq!(deque.pop_into(&mut mine, &mut out), 10);
    assert_eq!(&out[..10], b"0123456789");
    assert!(mine.is_empty());
}

#[test]
fn pop_front_with_another_allocator_changes_nothing() {
    let mut mine = Pool512::new();
    let mut theirs = Pool512::new();
    // A short block under the handle the deque's head chunk has in `mine`.
    let theirs_block = theirs.alloc(&[9; 6]).unwrap();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut mine, &[1; 20]).unwrap();
    let theirs_block = theirs.relabel_as(&mine, theirs_block);
    assert_eq!(deque.chain.head, Some(theirs_block), "the same handle");
    let before = theirs.stats();
    assert_eq!(deque.pop_front(&mut theirs), None);
    assert_eq!(deque.len(), 20);
    assert_eq!(theirs.get(theirs_block), Some(&[9u8; 6][..]));
    assert_eq!(theirs.stats().in_use, before.in_use);
    let mut rest = [0u8; 20];
    assert_eq!(deque.pop_into(&mut mine, &mut rest), 20);
    assert_eq!(rest, [1; 20]);
    assert!(mine.is_empty());
}

#[test]
fn clear_with_another_allocator_changes_nothing() {
    let mut mine = Pool512::new();
    let mut theirs = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut mine, &[3; 40]).unwrap();
    assert_eq!(deque.clear(&mut theirs), Err(ByteBufferError::ForeignChunk));
    // The blocks are `mine`'s: forgetting them would leak them for good.
    assert_eq!((deque.len(), mine.len(), theirs.len()), (40, 2, 0));
    assert_eq!(deque.pop_front(&mut mine), Some(3));
    deque.clear(&mut mine).unwrap();
    assert!(deque.is_empty() && mine.is_empty());
}

#[test]
fn pop_into_with_another_allocator_refuses_a_block_that_is_not_a_whole_chunk() {
    let mut mine = Pool512::new();
    let mut theirs = Pool512::new();
    // A 20-byte block (16 bytes past a chunk header) under the handle the deque's head
    // chunk has in `mine`: long enough for the 10 bytes queued, but not a whole chunk.
    let theirs_block = theirs.alloc(&[9; 20]).unwrap();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut mine, &[1; 10]).unwrap();
    let theirs_block = theirs.relabel_as(&mine, theirs_block);
    assert_eq!(deque.chain.head, Some(theirs_block), "the same handle");
    let mut out = [0u8; 10];
    assert_eq!(deque.pop_front(&mut theirs), None, "pop_front refuses it");
    assert_eq!(deque.pop_into(&mut theirs, &mut out), 0);
    assert_eq!(deque.len(), 10);
    assert_eq!(theirs.get(theirs_block), Some(&[9u8; 20][..]));
    assert_eq!(deque.pop_into(&mut mine, &mut out), 10);
    assert_eq!(out, [1; 10]);
    assert!(mine.is_empty());
}

#[test]
fn a_refused_push_back_counts_one_rejected_handle_as_push_slice_does() {
    let mut mine = Pool512::new();
    let mut theirs = Pool512::new();
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut mine, b"abc").unwrap();
    // `theirs` has no live block under the deque's tail handle: one handle turned away.
    assert_eq!(
        deque.push_slice(&mut theirs, b"!"),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(theirs.stats().rejected_handles, 1);
    assert_eq!(
        deque.push_back(&mut theirs, b'!'),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(theirs.stats().rejected_handles, 2);
    assert_eq!(deque.len(), 3);
    deque.clear(&mut mine).unwrap();
    assert!(mine.is_empty());
}

/// 16 blocks of 16 bytes: 12 bytes of data per chunk, fewer than `Pool512`'s 28.
type Pool256 = TinySlabAllocator<256, 16>;

#[test]
fn an_allocator_of_smaller_chunks_is_refused_not_a_panic() {
    let mut mine = Pool512::new();
    let mut theirs = Pool256::new();
    // A whole 16-byte block under the handle of the deque's one chunk in `mine`: it
    // passes for a chunk, but the deque's 20 bytes in it cannot fit its 12.
    let (theirs_block, bytes) = theirs.alloc_uninit(16).unwrap();
    bytes.fill(9);
    let mut deque = ByteBufferDeque::new();
    deque.push_slice(&mut mine, &[1; 20]).unwrap();
    let theirs_block = theirs.relabel_as(&mine, theirs_block);
    assert_eq!(deque.chain.head, Some(theirs_block), "the same handle");
    let before = theirs.stats();
    let mut out = [0u8; 20];
    assert_eq!(deque.pop_into(&mut theirs, &mut out), 0);
    assert_eq!(deque.pop_front(&mut theirs), None);
    assert_eq!(deque.peek_front(&theirs), None);
    assert_eq!(deque.chunks(&theirs).count(), 0);
    assert_eq!(
        deque.push_back(&mut theirs, 2),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(
        deque.push_slice(&mut theirs, &[2; 30]),
        Err(ByteBufferError::ForeignChunk)
    );
    assert_eq!(deque.clear(&mut theirs), Err(ByteBufferError::ForeignChunk));
    assert_eq!(deque.len(), 20);
    assert_eq!(theirs.stats().in_use, before.in_use);
    assert_eq!(theirs.get(theirs_block), Some(&[9u8; 16][..]));
    assert_eq!(deque.pop_into(&mut mine, &mut out), 20);
    assert_eq!(out, [1; 20]);
    assert!(mine.is_empty());
}
