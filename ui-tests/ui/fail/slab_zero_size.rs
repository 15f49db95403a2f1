// A pool with no bytes.
use tinyalloc::prelude::*;

fn main() {
    let pool = TinySlabAllocator::<0, 32>::new();
    drop(pool);
}
