//! The models behind tinyalloc's fuzz targets: one module per engine, each decoding
//! the fuzz input into an operation sequence (with `arbitrary`) and checking the engine
//! against the plainest model that can say what it must hold, after every step.
//!
//! The targets in `fuzz_targets/` only call [`slab::run`], [`buffer::run`] and the
//! rest, so a crash replays with `cargo +nightly fuzz run TARGET ARTIFACT` and reads
//! as a failed `assert!` with the step that broke.

pub mod buffer;
pub mod cache;
pub mod deque;
mod foreign;
pub mod heap;
mod scripted;
pub mod slab;

/// Operations one input may run. Inputs are at most a few KiB (libFuzzer's default
/// `-max_len` is 4096), so this is only a bound for a corpus file grown by hand; it
/// keeps every slot's generation far from its 65,536-reuse wrap within one input.
pub const MAX_OPS: usize = 4096;

/// Bytes derived from a seed: distinct per write, so a byte in the wrong place shows.
pub fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| seed.wrapping_mul(31).wrapping_add(i as u8).rotate_left(3))
        .collect()
}
