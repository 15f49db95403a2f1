//! `ByteBuffer` and `ByteBufferDeque` on a tiny pool: running dry changes nothing,
//! and everything works again once blocks come back.
#![no_std]
#![no_main]

use tinyalloc::prelude::*;
use tinyalloc_firmware::test_main;

/// 8 blocks of 16 bytes: 12 bytes of data per chunk, 96 in all.
type Tiny = TinySlabAllocator<128, 8>;

fn byte_buffer_runs_dry_and_recovers() {
    let mut alloc = Tiny::new();
    let mut buf = ByteBuffer::new();
    buf.write(&mut alloc, &[1; 50]).unwrap();
    assert_eq!(alloc.len(), 5);
    // 10 bytes fit the tail; 50 more need 5 chunks, but only 3 are free.
    assert_eq!(
        buf.write(&mut alloc, &[2; 60]),
        Err(ByteBufferError::AllocationFailed)
    );
    assert_eq!(buf.len(), 50);
    assert_eq!(alloc.len(), 5, "the failed write kept no block");
    assert_eq!(
        alloc.stats().high_water,
        5,
        "and took none: the peak is the blocks in use"
    );
    let mut out = [0u8; 50];
    assert_eq!(buf.read(&alloc, 0, &mut out), 50);
    assert_eq!(out, [1; 50]);
    // What fits still fits.
    buf.write(&mut alloc, &[3; 46]).unwrap();
    assert_eq!((buf.len(), alloc.len()), (96, 8));
    assert_eq!(
        buf.write(&mut alloc, &[4]),
        Err(ByteBufferError::AllocationFailed)
    );
    buf.clear(&mut alloc).unwrap();
    assert!(alloc.is_empty());
    buf.write(&mut alloc, b"recovered").unwrap();
    let mut word = [0u8; 9];
    assert_eq!(buf.read(&alloc, 0, &mut word), 9);
    assert_eq!(&word, b"recovered");
    assert_eq!(alloc.stats().failed_allocs, 2);
}

fn deque_runs_dry_and_recovers() {
    let mut alloc = Tiny::new();
    let mut deque = ByteBufferDeque::new();
    let mut pushed = 0u32;
    while deque.push_back(&mut alloc, pushed as u8).is_ok() {
        pushed += 1;
    }
    assert_eq!(pushed, 96);
    assert_eq!(
        deque.push_slice(&mut alloc, b"no room"),
        Err(ByteBufferError::AllocationFailed)
    );
    // Draining gives chunks back one by one, so pushing works again.
    for expected in 0..20u32 {
        assert_eq!(deque.pop_front(&mut alloc), Some(expected as u8));
    }
    assert_eq!(alloc.len(), 7);
    deque.push_slice(&mut alloc, &[0xAB; 12]).unwrap();
    let mut rest = [0u8; 100];
    let n = deque.pop_into(&mut alloc, &mut rest);
    assert_eq!(n, 76 + 12);
    assert!(
        rest[..76]
            .iter()
            .enumerate()
            .all(|(i, &b)| b == (i + 20) as u8)
    );
    assert!(rest[76..n].iter().all(|&b| b == 0xAB));
    assert!(alloc.is_empty());
}

fn a_long_stream_through_the_tiny_pool() {
    let mut alloc = Tiny::new();
    let mut deque = ByteBufferDeque::new();
    let mut next_in = 0u32;
    let mut next_out = 0u32;
    while next_out < 20_000 {
        while next_in < 20_000 && deque.push_back(&mut alloc, next_in as u8).is_ok() {
            next_in += 1;
        }
        let mut out = [0u8; 17];
        let n = deque.pop_into(&mut alloc, &mut out);
        for &b in &out[..n] {
            assert_eq!(b, next_out as u8);
            next_out += 1;
        }
    }
    deque.clear(&mut alloc).unwrap();
    assert!(alloc.is_empty());
}

test_main!(
    byte_buffer_runs_dry_and_recovers,
    deque_runs_dry_and_recovers,
    a_long_stream_through_the_tiny_pool,
);
