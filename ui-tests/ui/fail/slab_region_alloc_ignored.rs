// A slab lent by `SlabRegion::alloc` stays lent until `free` gives it back.
#![deny(unused_must_use)]

use core::alloc::Layout;

tinyalloc::slab_region!(RadioRam, slabs = 2, slab_size = 1024);

fn main() {
    RadioRam::region().alloc(Layout::new::<[u8; 64]>());
}
