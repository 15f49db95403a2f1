// A pool with no slots.
use tinyalloc::prelude::*;

fn main() {
    let pool = TinySlabAllocator::<1024, 0>::new();
    drop(pool);
}
