//! The no-panic check's own test (see `scripts/no-panic.sh`): an image with one
//! reachable panic, an index the optimiser cannot check, which the script must
//! report. A check that passed it could not fail.
#![no_std]
#![no_main]

use core::hint::black_box;

tinyalloc_firmware::probe! {
    let table = [1u8, 2, 3];
    black_box(table[black_box(3)]);
}
