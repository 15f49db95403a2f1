// A safe `fn` coerces to an `unsafe fn` pointer without any `unsafe`, so a constant
// (or static) of the hook's pointer type is refused too: with it, a crate with no
// `unsafe` in it could hand the cache memory it does not own. (Without the
// `unsafe_code` lint on, which would refuse the macro whatever its arguments: see
// `hooks_target_feature_fn.rs`.)

use core::alloc::Layout;
use core::ptr::NonNull;

fn any_address(_: Layout) -> Option<NonNull<u8>> {
    NonNull::new(4096 as *mut u8)
}

fn keep_it(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

const ALLOC: unsafe fn(Layout) -> Option<NonNull<u8>> = any_address;
static FREE: unsafe fn(NonNull<u8>, Layout) -> tinyalloc::Result<()> = keep_it;

tinyalloc::define_allocation_hooks!(ALLOC, FREE);

fn main() {}
