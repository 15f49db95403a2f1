//! A wasm module whose `#[global_allocator]` is one tinyalloc heap (chosen by
//! feature). wasm32-unknown-unknown without the `atomics` feature has no threads, so
//! the heap's lock compiles to nothing; `run.sh` builds the module for each engine and runs
//! `run_checks` under Node, which reports 0 when every check passed.
#![no_std]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

#[cfg(feature = "free-list")]
type Engine = tinyalloc::heap::FreeListAllocator<{ 256 * 1024 }>;
#[cfg(all(feature = "segregated", not(feature = "free-list")))]
type Engine = tinyalloc::heap::SegregatedBumpAllocator<{ 256 * 1024 }>;
#[cfg(all(
    feature = "bump-free-list",
    not(any(feature = "free-list", feature = "segregated"))
))]
type Engine = tinyalloc::heap::BumpFreeListAllocator<{ 256 * 1024 }>;

#[global_allocator]
static HEAP: Engine = Engine::new();

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// Runs the checks; returns 0 when all passed, else the number of the first that
/// failed.
#[unsafe(no_mangle)]
pub extern "C" fn run_checks() -> u32 {
    let mut numbers: Vec<u64> = (0..10_000).collect();
    numbers.retain(|n| n % 3 == 0);
    if numbers.iter().sum::<u64>() != (0..10_000).filter(|n| n % 3 == 0).sum() {
        return 1;
    }
    let mut map: BTreeMap<u32, String> = BTreeMap::new();
    for i in 0..2_000u32 {
        map.insert(i.wrapping_mul(2_654_435_761) % 5_000, i.to_string());
    }
    let keys: Vec<u32> = map.keys().copied().collect();
    if !keys.windows(2).all(|w| w[0] < w[1]) {
        return 2;
    }
    let mut text = String::new();
    for (k, v) in map.iter().take(100) {
        text.push_str(v);
        text.push(if k % 2 == 0 { ',' } else { ';' });
    }
    if text.is_empty() {
        return 3;
    }
    drop((numbers, map, keys, text));
    if HEAP.verify().is_err() {
        return 4;
    }
    let stats = HEAP.stats();
    if stats.allocations != 0 || stats.high_water == 0 {
        return 5;
    }
    // A request beyond the arena fails as a value.
    let mut huge: Vec<u8> = Vec::new();
    if huge.try_reserve_exact(1 << 20).is_ok() || HEAP.stats().failed_allocs == 0 {
        return 6;
    }
    0
}
