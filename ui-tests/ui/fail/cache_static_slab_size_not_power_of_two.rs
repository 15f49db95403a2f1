// The cache as firmware declares it, a `static` made with `lazy()`: the error is
// reported at this `static`, not only inside tinyalloc.
use tinyalloc::prelude::*;

static PACKETS: SlabCache<[u8; 64], CriticalSectionLock, 3000> = SlabCache::lazy();

fn main() {
    let _ = PACKETS.alloc([0; 64]);
}
