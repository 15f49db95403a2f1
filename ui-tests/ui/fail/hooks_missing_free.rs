// The macro takes two functions; the deallocator is missing.
use core::alloc::Layout;
use core::ptr::NonNull;

unsafe fn my_alloc(_layout: Layout) -> Option<NonNull<u8>> {
    None
}

tinyalloc::define_allocation_hooks!(my_alloc);

fn main() {}
