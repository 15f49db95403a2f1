// A slab is 4 GiB at most: its slot size, first offset and slot count are 32-bit.
use tinyalloc::prelude::*;

fn main() {
    let cache = SlabCache::<u64, SpinLock, { 1 << 33 }>::new();
    drop(cache);
}
