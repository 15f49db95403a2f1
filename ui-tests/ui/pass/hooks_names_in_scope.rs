// The expansion's own names do not collide with the caller's: a constant named like
// its locals (`layout`, `ptr`, `hook`) stays the caller's.
#![allow(non_upper_case_globals)]

use core::alloc::Layout;
use core::ptr::NonNull;
use tinyalloc::prelude::*;

const layout: u32 = 3;
const ptr: u32 = 4;
const hook: u32 = 5;

unsafe fn my_alloc(l: Layout) -> Option<NonNull<u8>> {
    // SAFETY: the cache never asks for zero bytes.
    NonNull::new(unsafe { std::alloc::alloc(l) })
}

unsafe fn my_free(p: NonNull<u8>, l: Layout) -> tinyalloc::Result<()> {
    // SAFETY: the cache hands back what `my_alloc` gave, with its layout.
    unsafe { std::alloc::dealloc(p.as_ptr(), l) };
    Ok(())
}

tinyalloc::define_allocation_hooks!(my_alloc, my_free);

fn main() -> tinyalloc::Result<()> {
    let cache = SlabCache::<u32, SpinLock, 1024>::new()?;
    let value = cache.alloc(layout + ptr + hook)?;
    assert_eq!(*value, 12);
    Ok(())
}
