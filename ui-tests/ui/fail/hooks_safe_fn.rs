// Hooks declared as safe `fn`s are refused: with them, a crate with no `unsafe` in it
// could hand the cache memory it does not own. The `unsafe fn` is where the user takes
// on the contract. (A crate that forbids `unsafe_code` cannot use the macro at all: see
// `hooks_target_feature_fn.rs`.)

use core::alloc::Layout;
use core::ptr::NonNull;

#[repr(C, align(1024))]
struct Small([u8; 64]);
static SMALL: Small = Small([0; 64]);

fn small_alloc(_: Layout) -> Option<NonNull<u8>> {
    Some(NonNull::from(&SMALL).cast())
}

fn small_free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
    Ok(())
}

tinyalloc::define_allocation_hooks!(small_alloc, small_free);

fn main() {}
