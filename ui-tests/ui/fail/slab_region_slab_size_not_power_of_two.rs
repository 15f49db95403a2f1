// A slab is aligned to its size, and an alignment is a power of two.
tinyalloc::slab_region!(RadioRam, slabs = 4, slab_size = 1000);

fn main() {
    let _ = RadioRam::region().lent();
}
