#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyalloc::heap::BumpFreeListAllocator;
use tinyalloc_fuzz::heap::{Input, run};

fuzz_target!(|input: Input| run(
    BumpFreeListAllocator::<{ 64 * 1024 }>::new,
    BumpFreeListAllocator::<2048>::new,
    BumpFreeListAllocator::<0>::new,
    &input
));
