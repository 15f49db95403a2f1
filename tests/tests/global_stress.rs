//! Two producer threads and one consumer move 200,000 bytes each through one
//! `GlobalDeque` on a 512-byte pool. Every byte arrives once, in order per producer,
//! and the pool ends empty.

use std::thread;

use tinyalloc::global::{self, AllocatorConfig, GlobalDeque};

static QUEUE: GlobalDeque = GlobalDeque::new();

/// Each producer sends 4-byte frames: its id, then a 24-bit sequence number. A frame
/// is pushed with one `push_slice`, so frames never interleave.
const FRAME: usize = 4;

fn produce(id: u8, bytes: usize) {
    for sequence in 0..(bytes / FRAME) as u32 {
        let [a, b, c, _] = sequence.to_le_bytes();
        let frame = [id, a, b, c];
        // The pool is tiny: when it is full, wait for the consumer.
        while QUEUE.push_slice(&frame).is_err() {
            thread::yield_now();
        }
    }
}

#[test]
fn two_producers_one_consumer_through_a_512_byte_pool() {
    AllocatorConfig::Slab512b16.init().unwrap();
    let per_producer = if cfg!(miri) { 2_000 } else { 200_000 };
    let frames_each = (per_producer / FRAME) as u32;

    let (counts, consumer_frames) = thread::scope(|scope| {
        let producers = [
            scope.spawn(|| produce(1, per_producer)),
            scope.spawn(|| produce(2, per_producer)),
        ];
        let consumer = scope.spawn(move || {
            let mut next = [0u32; 3];
            let mut frame = [0u8; FRAME];
            let mut frames = 0u32;
            while next[1] < frames_each || next[2] < frames_each {
                if QUEUE.len() < FRAME {
                    thread::yield_now();
                    continue;
                }
                // Only this thread pops, and frames go in whole: 4 bytes are one frame.
                assert_eq!(QUEUE.pop_into(&mut frame), FRAME);
                let id = usize::from(frame[0]);
                assert!(id == 1 || id == 2, "corrupt frame {frame:?}");
                let sequence = u32::from_le_bytes([frame[1], frame[2], frame[3], 0]);
                assert_eq!(sequence, next[id], "producer {id} out of order");
                next[id] += 1;
                frames += 1;
            }
            (next, frames)
        });
        for p in producers {
            p.join().unwrap();
        }
        consumer.join().unwrap()
    });

    assert_eq!(counts[1], frames_each);
    assert_eq!(counts[2], frames_each);
    assert_eq!(consumer_frames, 2 * frames_each);
    assert!(QUEUE.is_empty());
    let stats = global::stats().unwrap();
    assert_eq!(stats.in_use, 0, "the pool ends empty");
    assert_eq!(stats.blocks, 16);
    assert_eq!(stats.rejected_handles, 0);
}
