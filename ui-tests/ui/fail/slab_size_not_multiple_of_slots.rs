// 1000 bytes cannot be cut into 32 equal blocks.
use tinyalloc::prelude::*;

fn main() {
    let pool = TinySlabAllocator::<1000, 32>::new();
    drop(pool);
}
