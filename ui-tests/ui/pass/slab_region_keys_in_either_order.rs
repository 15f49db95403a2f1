// `slab_size` before `slabs` declares the same region.
use tinyalloc::prelude::*;

tinyalloc::slab_region!(RadioRam, slab_size = 1024, slabs = 2);

static PACKETS: SlabCache<[u8; 100], CriticalSectionLock, 1024, RadioRam> = SlabCache::lazy();

fn main() {
    let packet = PACKETS.alloc([7; 100]).unwrap();
    assert_eq!(packet[99], 7);
    assert_eq!(RadioRam::region().capacity(), 2);
}
