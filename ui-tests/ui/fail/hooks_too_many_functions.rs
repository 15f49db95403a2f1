// The macro takes two functions, not three.
use core::alloc::Layout;
use core::ptr::NonNull;

unsafe fn my_alloc(_layout: Layout) -> Option<NonNull<u8>> {
    None
}

unsafe fn my_free(_ptr: NonNull<u8>, _layout: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

unsafe fn my_realloc(_ptr: NonNull<u8>, _layout: Layout) -> Option<NonNull<u8>> {
    None
}

tinyalloc::define_allocation_hooks!(my_alloc, my_free, my_realloc);

fn main() {}
