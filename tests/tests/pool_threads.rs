//! One static `Pool` hammered from 4 threads (standing in for `main` and interrupt
//! handlers; the host critical section is `critical-section/std`). Every byte read
//! back must be the byte written, and the pool's `Stats` must agree with what the
//! threads counted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use tinyalloc::prelude::*;

const BLOCK: usize = 32;
const SLOTS: usize = 48;

#[tinyalloc::pool(size = 1536, slots = 48)]
static POOL: Pool;

/// xorshift64*: a tiny seeded generator, so each thread's run is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Default)]
struct Counts {
    failed: usize,
    rejected: usize,
    peak_live: usize,
}

/// The bytes a block should hold: different for every thread, block and write.
fn pattern(thread: usize, serial: usize, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (thread * 61 + serial * 7 + i * 13) as u8)
        .collect()
}

fn worker(thread: usize, steps: usize) -> Counts {
    let mut rng =
        Rng(0x9E37_79B9_7F4A_7C15 ^ (thread as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let mut live: Vec<(Handle, Vec<u8>)> = Vec::new();
    let mut dead: Vec<Handle> = Vec::new();
    let mut counts = Counts::default();
    for serial in 0..steps {
        match rng.below(10) {
            0..=3 => {
                let data = pattern(thread, serial, rng.below(BLOCK + 1));
                match POOL.alloc(&data) {
                    Ok(handle) => live.push((handle, data)),
                    Err(AllocError::OutOfMemory) => counts.failed += 1,
                    Err(other) => panic!("unexpected {other}"),
                }
            }
            4 => {
                let len = rng.below(BLOCK + 1);
                let data = pattern(thread, serial, len);
                let result = POOL.alloc_with(len, |bytes| bytes.copy_from_slice(&data));
                match result {
                    Ok(handle) => live.push((handle, data)),
                    Err(_) => counts.failed += 1,
                }
            }
            5 | 6 if !live.is_empty() => {
                let (handle, data) = &live[rng.below(live.len())];
                assert_eq!(POOL.read(*handle, |bytes| bytes == &data[..]), Some(true));
            }
            7 if !live.is_empty() => {
                let pick = rng.below(live.len());
                let (handle, data) = &mut live[pick];
                let fresh = pattern(thread, serial, data.len());
                assert_eq!(
                    POOL.write(*handle, |bytes| bytes.copy_from_slice(&fresh)),
                    Some(())
                );
                *data = fresh;
            }
            8 if !live.is_empty() => {
                let (handle, data) = live.swap_remove(rng.below(live.len()));
                assert_eq!(POOL.read(handle, |bytes| bytes == &data[..]), Some(true));
                assert!(POOL.free(handle));
                dead.push(handle);
            }
            9 if !dead.is_empty() => {
                // A stale handle: refused whether or not another thread reuses the slot.
                let handle = dead[rng.below(dead.len())];
                assert!(!POOL.free(handle));
                assert_eq!(POOL.read(handle, |_| ()), None);
                counts.rejected += 2;
            }
            _ => {}
        }
        counts.peak_live = counts.peak_live.max(live.len());
    }
    for (handle, data) in live {
        assert_eq!(POOL.read(handle, |bytes| bytes == &data[..]), Some(true));
        assert!(POOL.free(handle));
    }
    counts
}

#[test]
fn four_threads_share_one_static_pool() {
    let steps = if cfg!(miri) { 150 } else { 200_000 };
    let most_live = AtomicUsize::new(0);
    let totals: Vec<Counts> = thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|t| scope.spawn(move || worker(t, steps)))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for c in &totals {
        most_live.fetch_max(c.peak_live, Ordering::Relaxed);
    }
    let stats = POOL.stats();
    assert_eq!(stats.in_use, 0, "every block came back");
    assert_eq!(stats.blocks, SLOTS);
    assert_eq!(
        stats.failed_allocs,
        totals.iter().map(|c| c.failed).sum::<usize>()
    );
    assert_eq!(
        stats.rejected_handles,
        totals.iter().map(|c| c.rejected).sum::<usize>()
    );
    assert!(stats.high_water <= SLOTS);
    assert!(stats.high_water >= most_live.load(Ordering::Relaxed));
    if !cfg!(miri) {
        assert_eq!(
            stats.high_water, SLOTS,
            "the run is long enough to fill the pool"
        );
        assert!(stats.failed_allocs > 0, "and to run it dry");
    }
}
