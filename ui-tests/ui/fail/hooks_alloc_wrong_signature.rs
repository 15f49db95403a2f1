// The slab allocator takes a Layout and returns Option<NonNull<u8>>.
use core::alloc::Layout;
use core::ptr::NonNull;

unsafe fn my_alloc(size: usize) -> *mut u8 {
    let _ = size;
    core::ptr::null_mut()
}

unsafe fn my_free(_ptr: NonNull<u8>, _layout: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(my_alloc, my_free);

fn main() {}
