//! Size probe (peer): one `atomic-pool` Box alloc + free of a 64-byte block.
#![no_std]
#![no_main]
// The lint fires inside atomic-pool's own `pool!` expansion.
#![allow(clippy::manual_div_ceil)]

use atomic_pool::{Box, pool};
use core::hint::black_box;

pool!(P: [[u8; 64]; 4]);

tinyalloc_firmware::probe! {
    if let Some(boxed) = Box::<P>::new(black_box([0u8; 64])) {
        drop(black_box(boxed));
    }
}
