// A slab is aligned to its own size so a box can find it by masking its address:
// 3000 is no power of two.
use tinyalloc::prelude::*;

fn main() {
    let cache = SlabCache::<u64, SpinLock, 3000>::lazy();
    drop(cache);
}
