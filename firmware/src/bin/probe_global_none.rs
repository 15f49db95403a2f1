//! Size probe: the global instance and a GlobalDeque with no preset set (the baseline).
#![no_std]
#![no_main]

use core::hint::black_box;
use tinyalloc::global::GlobalDeque;

static QUEUE: GlobalDeque = GlobalDeque::new();

tinyalloc_firmware::probe! {
    let _ = QUEUE.push(black_box(7));
    black_box(QUEUE.pop());
}
