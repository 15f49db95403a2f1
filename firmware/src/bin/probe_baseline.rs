//! Size probe: an empty firmware, the baseline the others are measured against.
#![no_std]
#![no_main]

use tinyalloc_firmware as _;

tinyalloc_firmware::probe! {}
