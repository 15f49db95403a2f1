#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyalloc::heap::FreeListAllocator;
use tinyalloc_fuzz::heap::{Input, run};

fuzz_target!(|input: Input| run(
    FreeListAllocator::<{ 64 * 1024 }>::new,
    FreeListAllocator::<2048>::new,
    FreeListAllocator::<0>::new,
    &input
));
