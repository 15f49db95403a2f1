#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyalloc::heap::SegregatedBumpAllocator;
use tinyalloc_fuzz::heap::{Input, run};

fuzz_target!(|input: Input| run(
    SegregatedBumpAllocator::<{ 64 * 1024 }>::new,
    SegregatedBumpAllocator::<2048>::new,
    SegregatedBumpAllocator::<0>::new,
    &input
));
