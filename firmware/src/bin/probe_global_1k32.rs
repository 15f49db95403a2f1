//! Size probe: the global instance and a GlobalDeque on the Slab1K32 preset.
#![no_std]
#![no_main]

use core::hint::black_box;
use tinyalloc::global::{AllocatorConfig, GlobalDeque};

static QUEUE: GlobalDeque = GlobalDeque::new();

tinyalloc_firmware::probe! {
    let _ = AllocatorConfig::Slab1K32.init();
    let _ = QUEUE.push(black_box(7));
    black_box(QUEUE.pop());
}
