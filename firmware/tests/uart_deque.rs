//! The UART pattern: SysTick stands in for the receive interrupt and pushes framed
//! bytes into a `GlobalDeque` while `main` pops and parses them. Every frame arrives
//! intact and in order, and the pool ends empty.
#![no_std]
#![no_main]

use portable_atomic::{AtomicU32, Ordering};

use cortex_m_rt::exception;
use tinyalloc::global::{self, AllocatorConfig, GlobalDeque};
use tinyalloc_firmware::irq;
use tinyalloc_firmware::test_main;

static UART_BUFFER: GlobalDeque = GlobalDeque::new();

const START: u8 = 0x7E;
const FRAMES: u32 = 300;

/// Byte `i` of frame `n`: `START, len, payload…, checksum`.
fn frame_len(n: u32) -> u32 {
    n % 19 + 1
}

fn payload_byte(n: u32, i: u32) -> u8 {
    (n.wrapping_mul(31) ^ i.wrapping_mul(7)) as u8
}

fn frame_byte(n: u32, i: u32) -> u8 {
    let len = frame_len(n);
    match i {
        0 => START,
        1 => len as u8,
        i if i < len + 2 => payload_byte(n, i - 2),
        _ => (0..len).fold(0u8, |sum, j| sum.wrapping_add(payload_byte(n, j))),
    }
}

/// Where the "wire" is: frame number and byte within it.
static SENT_FRAME: AtomicU32 = AtomicU32::new(0);
static SENT_BYTE: AtomicU32 = AtomicU32::new(0);
/// Ticks on which the queue was full and the byte had to wait.
static OVERRUNS: AtomicU32 = AtomicU32::new(0);

/// The receive interrupt: up to three bytes arrive per tick.
#[exception]
fn SysTick() {
    for _ in 0..3 {
        let n = SENT_FRAME.load(Ordering::Relaxed);
        if n == FRAMES {
            return;
        }
        let i = SENT_BYTE.load(Ordering::Relaxed);
        if UART_BUFFER.push(frame_byte(n, i)).is_err() {
            OVERRUNS.fetch_add(1, Ordering::Relaxed);
            return; // flow control: the byte is sent again on the next tick
        }
        if i + 1 == frame_len(n) + 3 {
            SENT_FRAME.store(n + 1, Ordering::Relaxed);
            SENT_BYTE.store(0, Ordering::Relaxed);
        } else {
            SENT_BYTE.store(i + 1, Ordering::Relaxed);
        }
    }
}

fn interrupt_produces_main_parses() {
    // 8 blocks of 32 bytes: the queue holds at most 224 bytes.
    AllocatorConfig::Slab256b8.init().unwrap();
    irq::start_systick(800, 0x80);

    let mut frame = [0u8; 24];
    let mut got = 0usize;
    let mut parsed = 0u32;
    let mut spins = 0u32;
    while parsed < FRAMES {
        let Some(byte) = UART_BUFFER.pop() else {
            spins += 1;
            assert!(spins < 50_000_000, "the interrupt stopped producing");
            continue;
        };
        frame[got] = byte;
        got += 1;
        if got == 1 {
            assert_eq!(byte, START, "frame {parsed} does not start with the marker");
        } else if got >= 2 && got == usize::from(frame[1]) + 3 {
            let len = u32::from(frame[1]);
            assert_eq!(
                len,
                frame_len(parsed),
                "frame {parsed} has the wrong length"
            );
            for i in 0..len {
                assert_eq!(
                    frame[2 + i as usize],
                    payload_byte(parsed, i),
                    "frame {parsed} byte {i}"
                );
            }
            let sum = frame[2..got - 1]
                .iter()
                .fold(0u8, |s, &b| s.wrapping_add(b));
            assert_eq!(frame[got - 1], sum, "frame {parsed} checksum");
            parsed += 1;
            got = 0;
        }
    }
    irq::stop_systick();

    assert!(UART_BUFFER.is_empty());
    let stats = global::stats().unwrap();
    assert_eq!(stats.in_use, 0, "the pool ends empty");
    assert_eq!(stats.rejected_handles, 0);
    // Main spun on an empty queue: the interrupt produced while main consumed.
    assert!(spins > 0);
}

test_main!(interrupt_produces_main_parses);
