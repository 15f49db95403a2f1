// Two 4 GiB objects do not fit in any slab: a slab's offsets are 32-bit, so a slab
// is 4 GiB at most. The fix is to box something smaller.
use tinyalloc::prelude::*;

fn main() {
    let cache = SlabCache::<[u8; 1 << 32], SpinLock, { 1 << 32 }>::new();
    drop(cache);
}
