// A 65,535-byte block is one byte over the limit.
use tinyalloc::prelude::*;

fn main() {
    let pool = TinySlabAllocator::<65_535, 1, Align1>::new();
    drop(pool);
}
