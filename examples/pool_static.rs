//! A static pool shared by a main loop and an "interrupt handler" (a second thread
//! here; on a microcontroller, an ISR). The sensor delivers frames in bursts longer
//! than the pool, faster than the main loop processes them; the main loop checks each
//! frame and frees it. When the pool is full the handler drops the frame, and the
//! pool's `Stats` count it.
//!
//! `cargo run --example pool_static`

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use tinyalloc::prelude::*;

/// 16 frames of 32 bytes, checked at compile time, shared without `static mut`.
#[tinyalloc::pool(size = 512, slots = 16)]
static FRAMES: Pool;

const FRAMES_TO_SEND: u32 = 300;
/// Frames per burst: more than the pool's 16 blocks, back to back.
const BURST: u32 = 24;

/// Stands in for the ADC-complete interrupt: store a frame in the pool.
fn sensor_interrupt(sequence: u32) -> Option<Handle> {
    FRAMES
        .alloc_with(32, |frame| {
            frame[..4].copy_from_slice(&sequence.to_le_bytes());
            frame[4..].fill(sequence as u8);
        })
        .ok()
}

fn main() {
    // Handles are 4 bytes and `Copy`: the queue carries them, the pool holds the data.
    let (post, mailbox) = mpsc::channel::<Handle>();
    let handler = thread::spawn(move || {
        let mut dropped = 0;
        for sequence in 0..FRAMES_TO_SEND {
            match sensor_interrupt(sequence) {
                Some(handle) => post.send(handle).unwrap(),
                None => dropped += 1,
            }
            if sequence % BURST == BURST - 1 {
                thread::sleep(Duration::from_millis(2)); // quiet between bursts
            }
        }
        dropped
    });

    let mut processed = 0;
    let mut last = None;
    for handle in mailbox {
        let sequence = FRAMES
            .read(handle, |frame| {
                let sequence = u32::from_le_bytes(frame[..4].try_into().unwrap());
                assert!(
                    frame[4..].iter().all(|&b| b == sequence as u8),
                    "corrupt frame"
                );
                sequence
            })
            .expect("a posted handle is live");
        assert!(last < Some(sequence), "frames arrive in order");
        last = Some(sequence);
        thread::sleep(Duration::from_micros(60)); // the main loop's slow work
        FRAMES.free(handle);
        processed += 1;
    }
    let dropped = handler.join().unwrap();
    let stats = FRAMES.stats();
    assert_eq!(processed + dropped, FRAMES_TO_SEND);
    assert_eq!(stats.failed_allocs, dropped as usize);

    println!("frames processed: {processed}, dropped while the pool was full: {dropped}");
    println!("stats: {stats}");
}
