// No slab can be 0 bytes: one error, tinyalloc's, not rustc's `repr(align)` error
// and a second from the region.
tinyalloc::slab_region!(RadioRam, slabs = 4, slab_size = 0);

fn main() {}
