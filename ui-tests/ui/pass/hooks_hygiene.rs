// The expansion names nothing the caller's scope can change: no prelude, local items
// called `core`, `tinyalloc`, `Option`, `Layout`, `NonNull` and even `u8` (a primitive
// type's name can be taken by a type of the caller's), and tinyalloc under another
// name, given with `crate = …`, called from inside a module.
#![no_implicit_prelude]
#![allow(dead_code, non_camel_case_types)]

extern crate std;
extern crate tinyalloc as ta;

mod core {}
mod tinyalloc {}

mod hooks {
    use ::core::alloc::Layout as L;
    use ::core::option::Option as O;
    use ::core::primitive::u8 as byte;
    use ::core::ptr::NonNull as P;

    struct Option;
    struct Layout;
    struct NonNull;
    struct u8;

    unsafe fn slab_alloc(layout: L) -> O<P<byte>> {
        // SAFETY: the cache never asks for zero bytes.
        P::new(unsafe { ::std::alloc::alloc(layout) })
    }

    unsafe fn slab_free(ptr: P<byte>, layout: L) -> ::ta::Result<()> {
        // SAFETY: the cache hands back what `slab_alloc` gave, with its layout.
        unsafe { ::std::alloc::dealloc(ptr.as_ptr(), layout) };
        ::core::result::Result::Ok(())
    }

    ::ta::define_allocation_hooks!(slab_alloc, slab_free, crate = ::ta);
}

fn main() {
    let cache = ::ta::SlabCache::<u32, ::ta::prelude::SpinLock, 1024>::new().unwrap();
    let value = cache.alloc(7).unwrap();
    ::std::assert_eq!(*value, 7);
}
