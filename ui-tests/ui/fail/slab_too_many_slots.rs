// 65,536 slots: one more than a Handle can index.
use tinyalloc::prelude::*;

fn main() {
    let pool = TinySlabAllocator::<{ 65_536 * 2 }, 65_536, Align2>::new();
    drop(pool);
}
