// The slab size becomes an alignment attribute, which takes only a literal.
const SLAB: usize = 1024;
tinyalloc::slab_region!(RadioRam, slabs = 4, slab_size = SLAB);

fn main() {}
