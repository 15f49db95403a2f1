//! No-panic check (see `scripts/no-panic.sh`): a `#[tinyalloc::pool]` static, a
//! `PoolDeque` on it (through a trait object, and one that names the pool's type), the global instance from a preset with a `GlobalDeque` and a
//! `ByteBuffer` on it, through every operation on inputs the optimiser cannot see,
//! and the values they return printed through `core::fmt`.
//! Their one documented panic, a pool used inside one of its own closures, is the only
//! panic path the script lets this image link: every other one fails the check.
#![no_std]
#![no_main]

use core::hint::black_box;

use tinyalloc::global::{AllocatorConfig, GlobalDeque, PoolDeque};
use tinyalloc::prelude::*;
use tinyalloc_firmware::print_to_nowhere;

#[tinyalloc::pool(size = 1024, slots = 16)]
static POOL: Pool;
static QUEUE: PoolDeque = PoolDeque::new(&POOL);
static NAMED_QUEUE: PoolDeque<Pool<1024, 16>> = PoolDeque::new(&POOL);
static GLOBAL_QUEUE: GlobalDeque = GlobalDeque::new();

/// Bytes and lengths the optimiser knows nothing about.
fn input(data: &[u8]) -> &[u8] {
    let len = black_box(data.len());
    data.get(..len).unwrap_or_default()
}

fn pool() {
    let data = [5u8; 80];
    if let Ok(h) = POOL.alloc(input(&data[..40])) {
        black_box(POOL.read(h, <[u8]>::len));
        black_box(POOL.write(h, |bytes| bytes.fill(1)));
        black_box(POOL.contains(h));
        black_box(POOL.free(h));
        black_box(POOL.free(h)); // a double free
    }
    if let Err(error) = POOL.alloc(input(&data)) {
        // too large
        black_box(print_to_nowhere(format_args!("{error} {error:?}")));
    }
    if let Ok(h) = POOL.alloc_with(black_box(12), |bytes| bytes.fill(2)) {
        black_box(POOL.free(h));
    }
    if let Some(h) = Handle::from_bits(black_box(0x0003_0040)) {
        black_box(POOL.read(h, <[u8]>::len));
        black_box(POOL.free(h));
    }
    black_box(POOL.with(|slab| slab.len()));
    black_box((POOL.len(), POOL.is_empty()));
    let stats = POOL.stats();
    black_box(print_to_nowhere(format_args!("{POOL:?} {stats} {stats:?}")));
}

/// Every queue operation, on a `PoolDeque` or a `GlobalDeque`.
macro_rules! queue {
    ($queue:expr) => {{
        let data = [9u8; 100];
        let mut out = [0u8; 64];
        if let Err(error) = $queue.push_slice(input(&data)) {
            black_box(print_to_nowhere(format_args!("{error} {error:?}")));
        }
        black_box(print_to_nowhere(format_args!("{:?}", $queue)));
        black_box($queue.push(black_box(3)).is_ok());
        black_box(($queue.peek(), $queue.pop(), $queue.len(), $queue.is_empty()));
        let len = black_box(30);
        black_box($queue.peek_into(out.get_mut(..len).unwrap_or_default()));
        black_box($queue.pop_into(out.get_mut(..len).unwrap_or_default()));
        $queue.clear();
    }};
}

fn global() {
    black_box(AllocatorConfig::Slab1K32.init().is_ok());
    black_box(tinyalloc::global::is_initialized());
    black_box(tinyalloc::global::stats());
    let data = [4u8; 100];
    let mut out = [0u8; 64];
    let mut buf = ByteBuffer::new();
    black_box(buf.extend(input(&data)).is_ok());
    black_box(buf.read_global(black_box(5), &mut out).is_ok());
    let each = buf.for_each_chunk_global(|chunk| {
        black_box(chunk.len());
    });
    black_box(each.is_ok());
    black_box(buf.clear_global().is_ok());
    queue!(GLOBAL_QUEUE);
}

tinyalloc_firmware::probe! {
    pool();
    queue!(QUEUE);
    queue!(NAMED_QUEUE);
    global();
}
