// A region that lends 512-byte slabs under a cache of 1024-byte ones: every slab
// would be refused, and the cache would report "out of memory" with all of them
// free. The sizes must be equal.
use tinyalloc::prelude::*;

tinyalloc::slab_region!(RadioRam, slabs = 4, slab_size = 512);

static PACKETS: SlabCache<[u8; 100], CriticalSectionLock, 1024, RadioRam> = SlabCache::lazy();

fn main() {
    let _ = PACKETS.alloc([0; 100]);
}
