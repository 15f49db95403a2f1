// `crate = …` takes a path, not a string.
use core::alloc::Layout;
use core::ptr::NonNull;

unsafe fn my_alloc(_layout: Layout) -> Option<NonNull<u8>> {
    None
}

unsafe fn my_free(_ptr: NonNull<u8>, _layout: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(my_alloc, my_free, crate = "tinyalloc");

fn main() {}
