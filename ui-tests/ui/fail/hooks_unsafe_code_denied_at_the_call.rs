// The hooks are `unsafe fn`s in a module that allows unsafe code, but the macro is
// called where `unsafe_code` is denied: the lint points once, at the allocator's whole
// path (the macro defines unmangled symbols there; call it inside the allowed module).
#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod memory {
    use core::alloc::Layout;
    use core::ptr::NonNull;

    pub unsafe fn slab_alloc(_: Layout) -> Option<NonNull<u8>> {
        None
    }

    pub unsafe fn slab_free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
        Ok(())
    }
}

tinyalloc::define_allocation_hooks!(memory::slab_alloc, memory::slab_free);

fn main() {}
