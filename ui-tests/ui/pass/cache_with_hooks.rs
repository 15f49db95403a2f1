// The README's cache: hooks over the system allocator, the shipped locks, a static
// cache, the smallest objects, and boxes dropped on another thread.
use core::alloc::Layout;
use core::ptr::NonNull;
use tinyalloc::prelude::*;

unsafe fn system_alloc(layout: Layout) -> Option<NonNull<u8>> {
    // SAFETY: the cache never asks for zero bytes.
    NonNull::new(unsafe { std::alloc::alloc(layout) })
}

unsafe fn system_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    // SAFETY: the cache hands back what `system_alloc` gave, with its layout.
    unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    Ok(())
}

tinyalloc::define_allocation_hooks!(system_alloc, system_free,);

struct MyConfig {
    id: u32,
    data: [u8; 60],
}

static EVENTS: SlabCache<u8, SpinLock, 256> = SlabCache::lazy();

fn main() -> tinyalloc::Result<()> {
    let cache = SlabCache::<MyConfig, SpinLock, 4096>::new()?;
    let mut item: SlabBox<MyConfig> = cache.alloc(MyConfig { id: 1, data: [0; 60] })?;
    item.id = 2;
    std::thread::spawn(move || assert_eq!((item.id, item.data[59]), (2, 0)))
        .join()
        .unwrap();
    assert_eq!(cache.stats().in_use, 0);

    let byte = EVENTS.alloc(0x42)?;
    let nothing = SlabCache::<(), NoLock, 256>::new()?.alloc(())?;
    assert_eq!((*byte, *nothing), (0x42, ()));
    Ok(())
}
