// The functions are given in order, not by name (unlike the pool's arguments).
use core::alloc::Layout;
use core::ptr::NonNull;

unsafe fn my_alloc(_layout: Layout) -> Option<NonNull<u8>> {
    None
}

unsafe fn my_free(_ptr: NonNull<u8>, _layout: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(alloc = my_alloc, free = my_free);

fn main() {}
