// The hooks can be defined once per program; a second definition in the same crate is
// refused by the compiler, naming the marker symbol the README quotes.
use core::alloc::Layout;
use core::ptr::NonNull;

unsafe fn my_alloc(_layout: Layout) -> Option<NonNull<u8>> {
    None
}

unsafe fn my_free(_ptr: NonNull<u8>, _layout: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(my_alloc, my_free);

mod again {
    tinyalloc::define_allocation_hooks!(super::my_alloc, super::my_free);
}

fn main() {}
