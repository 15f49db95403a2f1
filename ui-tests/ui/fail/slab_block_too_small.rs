// One-byte blocks cannot hold the free-list link.
use tinyalloc::prelude::*;

fn main() {
    let pool = TinySlabAllocator::<32, 32, Align1>::new();
    drop(pool);
}
