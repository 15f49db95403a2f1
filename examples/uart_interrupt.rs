//! The UART pattern: an interrupt handler pushes received bytes into a `GlobalDeque`
//! while the main loop pops and parses them. A thread stands in for the RX
//! interrupt here; on a microcontroller the handler is the same code.
//!
//! Frames are `0x7E, len, payload…, checksum` (checksum = wrapping sum of payload).
//!
//! `cargo run --example uart_interrupt`

use std::thread;

use tinyalloc::global::{AllocatorConfig, GlobalDeque};

static UART_BUFFER: GlobalDeque = GlobalDeque::new();

const START: u8 = 0x7E;
const FRAMES: usize = 500;

/// The frames the "sensor" on the other end of the wire sends.
fn frame(n: usize) -> Vec<u8> {
    let payload: Vec<u8> = (0..(n % 23) + 1).map(|i| (n * 7 + i) as u8).collect();
    let checksum = payload.iter().fold(0u8, |a, &b| a.wrapping_add(b));
    let mut bytes = vec![START, payload.len() as u8];
    bytes.extend(&payload);
    bytes.push(checksum);
    bytes
}

/// The RX interrupt: one byte per call, as the UART delivers them.
fn uart_rx_interrupt(byte: u8) -> bool {
    UART_BUFFER.push(byte).is_ok()
}

/// The main loop's parser: a small state machine fed one byte at a time.
#[derive(Default)]
struct Parser {
    frame: Vec<u8>,
    expected: Option<usize>,
}

impl Parser {
    fn feed(&mut self, byte: u8) -> Option<Result<Vec<u8>, &'static str>> {
        match self.expected {
            None if self.frame.is_empty() => {
                if byte == START {
                    self.frame.push(byte);
                }
                None
            }
            None => {
                self.expected = Some(usize::from(byte) + 3);
                self.frame.push(byte);
                None
            }
            Some(total) => {
                self.frame.push(byte);
                if self.frame.len() < total {
                    return None;
                }
                let frame = std::mem::take(&mut self.frame);
                self.expected = None;
                let payload = &frame[2..frame.len() - 1];
                let sum = payload.iter().fold(0u8, |a, &b| a.wrapping_add(b));
                Some(if sum == frame[frame.len() - 1] {
                    Ok(payload.to_vec())
                } else {
                    Err("bad checksum")
                })
            }
        }
    }
}

fn main() {
    AllocatorConfig::Slab512b16.init().unwrap();

    let rx = thread::spawn(|| {
        for n in 0..FRAMES {
            for byte in frame(n) {
                // A real UART cannot wait: when the queue is full the byte is lost
                // (size the pool for the worst burst). Here the wire waits instead.
                while !uart_rx_interrupt(byte) {
                    thread::yield_now();
                }
            }
        }
    });

    let mut parser = Parser::default();
    let mut good = 0;
    let mut bytes = 0;
    while good < FRAMES {
        let Some(byte) = UART_BUFFER.pop() else {
            thread::yield_now();
            continue;
        };
        bytes += 1;
        match parser.feed(byte) {
            Some(Ok(payload)) => {
                assert_eq!(payload, frame(good)[2..frame(good).len() - 1]);
                good += 1;
            }
            Some(Err(problem)) => panic!("frame {good}: {problem}"),
            None => {}
        }
    }
    rx.join().unwrap();
    println!("{good} frames ({bytes} bytes) parsed intact through a 512-byte pool");
    println!("queue empty at the end: {}", UART_BUFFER.is_empty());
}
