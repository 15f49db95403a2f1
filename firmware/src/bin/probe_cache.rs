//! Size probe: one `SlabCache` alloc + drop of a 64-byte object (critical-section
//! lock), its hooks carving slabs from a static region.
#![no_std]
#![no_main]

use core::alloc::Layout;
use core::hint::black_box;
use core::ptr::NonNull;
use portable_atomic::{AtomicUsize, Ordering};

use tinyalloc::prelude::*;

#[repr(C, align(1024))]
struct Region([u8; 4096]);
static mut REGION: Region = Region([0; 4096]);
static NEXT: AtomicUsize = AtomicUsize::new(0);

unsafe fn region_alloc(layout: Layout) -> Option<NonNull<u8>> {
    let offset = NEXT.fetch_add(layout.size(), Ordering::Relaxed);
    if offset + layout.size() > 4096 {
        return None;
    }
    // SAFETY: each offset is handed out once and lies inside REGION.
    NonNull::new(unsafe { core::ptr::addr_of_mut!(REGION).cast::<u8>().add(offset) })
}

unsafe fn region_free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(region_alloc, region_free);

tinyalloc_firmware::probe! {
    if let Ok(cache) = SlabCache::<[u32; 16], CriticalSectionLock, 1024>::new() {
        if let Ok(boxed) = cache.alloc(black_box([0u32; 16])) {
            drop(black_box(boxed));
        }
        black_box(&cache);
    }
}
