//! Size probe: one `SlabCache` alloc + drop of a 64-byte object (critical-section
//! lock), its slabs lent by a `slab_region!` provider of four 1 KiB slabs.
#![no_std]
#![no_main]

use core::hint::black_box;

use tinyalloc::prelude::*;

tinyalloc::slab_region!(RegionRam, slabs = 4, slab_size = 1024);

tinyalloc_firmware::probe! {
    if let Ok(cache) = SlabCache::<[u32; 16], CriticalSectionLock, 1024, RegionRam>::new() {
        if let Ok(boxed) = cache.alloc(black_box([0u32; 16])) {
            drop(black_box(boxed));
        }
        black_box(&cache);
    }
}
