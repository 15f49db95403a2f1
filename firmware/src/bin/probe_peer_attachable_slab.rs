//! Size probe (peer): one `attachable-slab-allocator` SlabCache alloc + drop (64 bytes), its
//! hooks carving slabs from a static region.
#![no_std]
#![no_main]

use attachable_slab_allocator::locks::SpinLock;
use attachable_slab_allocator::{Result, SlabCache, define_allocation_hooks};
use core::alloc::Layout;
use core::hint::black_box;
use core::ptr::NonNull;
use portable_atomic::{AtomicUsize, Ordering};

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

unsafe fn region_free(_: NonNull<u8>, _: Layout) -> Result<()> {
    Ok(())
}

define_allocation_hooks!(region_alloc, region_free);

tinyalloc_firmware::probe! {
    if let Ok(mut cache) = SlabCache::<[u32; 16], SpinLock, 1024>::new() {
        if let Ok(boxed) = cache.alloc() {
            drop(black_box(boxed));
        }
        black_box(&cache);
    }
}
