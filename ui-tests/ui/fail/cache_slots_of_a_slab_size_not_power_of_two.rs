// The slot counts of a configuration that cannot work are refused as its constructors
// are, rather than answered with numbers for slabs that could never be made: 3000 is no
// power of two.
use tinyalloc::prelude::*;

fn main() {
    let per_slab = SlabCache::<u64, SpinLock, 3000>::SLOTS_PER_SLAB;
    println!("{per_slab}");
}
