//! Stream processing: 100 KB of line-oriented sensor text passes through a pool of
//! 256 bytes. The receiver pushes pieces until the pool is full; the parser then
//! drains the queue, pulling out whole lines. Chunks go back to the pool as soon as
//! they are read, so 256 bytes carry the whole stream, however long.
//!
//! `cargo run --example stream_processing`

use tinyalloc::prelude::*;

/// A line of the stream: `$TEMP,<sensor>,<tenths of a degree>*`.
fn line(n: usize) -> String {
    format!("$TEMP,{},{}*\n", n % 7, 150 + (n * 37) % 200)
}

fn main() {
    // 8 blocks of 32 bytes (28 bytes of data each): 256 bytes in all.
    let mut alloc = TinySlabAllocator::<256, 8>::new();
    let mut queue = ByteBufferDeque::new();

    let stream: Vec<u8> = (0..).map(line).take_while_total(100 * 1024);
    let mut pieces = stream.chunks(13); // the radio delivers 13 bytes at a time
    let mut pending: Option<&[u8]> = None;

    let (mut lines, mut sum, mut bytes) = (0usize, 0i64, 0usize);
    let mut current = Vec::with_capacity(64);
    loop {
        // Receive while there is room.
        while let Some(piece) = pending.take().or_else(|| pieces.next()) {
            if queue.push_slice(&mut alloc, piece).is_err() {
                pending = Some(piece); // pool full: parse first, keep the piece
                break;
            }
        }
        // Parse what has arrived.
        while let Some(byte) = queue.pop_front(&mut alloc) {
            bytes += 1;
            if byte != b'\n' {
                current.push(byte);
                continue;
            }
            let text = std::str::from_utf8(&current).unwrap();
            let reading: i64 = text
                .split(',')
                .nth(2)
                .unwrap()
                .trim_end_matches('*')
                .parse()
                .unwrap();
            sum += reading;
            lines += 1;
            current.clear();
        }
        if pending.is_none() && queue.is_empty() && pieces.len() == 0 {
            break;
        }
    }

    let stats = alloc.stats();
    println!(
        "streamed {bytes} bytes, {lines} lines, mean {:.1} degrees",
        sum as f64 / lines as f64 / 10.0
    );
    println!(
        "pool: {} blocks of {} bytes, high-water {}",
        stats.blocks,
        alloc.block_size(),
        stats.high_water
    );
    assert_eq!(bytes, stream.len());
    assert!(alloc.is_empty());
}

/// Collects whole lines until at least `total` bytes.
trait TakeWhileTotal {
    fn take_while_total(self, total: usize) -> Vec<u8>;
}

impl<I: Iterator<Item = String>> TakeWhileTotal for I {
    fn take_while_total(self, total: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for line in self {
            if out.len() >= total {
                break;
            }
            out.extend_from_slice(line.as_bytes());
        }
        out
    }
}
