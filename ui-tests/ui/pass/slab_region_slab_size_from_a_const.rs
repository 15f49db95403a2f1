// The slab size given as a constant (or a suffixed literal), as the cache's
// `SLAB_SIZE` is: the region and the caches over it name one number.
use tinyalloc::prelude::*;

const SLAB: usize = 1024;

tinyalloc::slab_region!(RadioRam, slabs = 2, slab_size = SLAB);
tinyalloc::slab_region!(SensorRam, slabs = 1, slab_size = 512usize);

static PACKETS: SlabCache<[u8; 100], CriticalSectionLock, SLAB, RadioRam> = SlabCache::lazy();
static READINGS: SlabCache<u32, CriticalSectionLock, 512, SensorRam> = SlabCache::lazy();

fn main() {
    let packet = PACKETS.alloc([7; 100]).unwrap();
    let reading = READINGS.alloc(21).unwrap();
    assert_eq!((packet[0], *reading), (7, 21));
    assert_eq!(RadioRam::region().slab_size(), SLAB);
    assert_eq!(SensorRam::region().lent(), 1);
}
