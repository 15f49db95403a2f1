// A `#[target_feature]` function is declared without `unsafe`, yet, like an
// `unsafe fn`, it is no safe `fn` to the type system, so the macro cannot tell it from
// an `unsafe fn`. Defining the hooks' link-time symbols is unsafe code, and the macro
// says so at the functions' names: a crate that forbids `unsafe_code` cannot use it, so
// it cannot hand the cache memory it does not own (here, 64 read-only bytes).
#![forbid(unsafe_code)]

use core::alloc::Layout;
use core::ptr::NonNull;

#[repr(C, align(1024))]
struct Small([u8; 64]);
static SMALL: Small = Small([0; 64]);

#[cfg_attr(target_arch = "x86_64", target_feature(enable = "sse2"))]
#[cfg_attr(target_arch = "aarch64", target_feature(enable = "neon"))]
fn small_alloc(_: Layout) -> Option<NonNull<u8>> {
    Some(NonNull::from(&SMALL).cast())
}

#[cfg_attr(target_arch = "x86_64", target_feature(enable = "sse2"))]
#[cfg_attr(target_arch = "aarch64", target_feature(enable = "neon"))]
fn small_free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(small_alloc, small_free);

fn main() {}
