#![no_main]

use libfuzzer_sys::fuzz_target;
use tinyalloc_fuzz::cache::{Input, run};

fuzz_target!(|input: Input| run(&input));
