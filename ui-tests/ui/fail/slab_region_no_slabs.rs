// A region declared with no slabs could never lend one.
tinyalloc::slab_region!(RadioRam, slabs = 0, slab_size = 1024);

fn main() {
    let _ = RadioRam::region().lent();
}
