// 12-byte blocks cannot all be 8-byte aligned.
use tinyalloc::prelude::*;

fn main() {
    let pool = TinySlabAllocator::<96, 8>::new();
    drop(pool);
}
