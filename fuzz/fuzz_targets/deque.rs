#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyalloc_fuzz::deque::{Input, run};

fuzz_target!(|input: Input| run(&input));
