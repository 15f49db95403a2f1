//! What macro expansions name. Not part of the public interface: no semver promise.

// `#[tinyalloc::pool]`
#[cfg(feature = "tinyslab")]
pub use crate::align::{
    Align, Align1, Align2, Align4, Align8, Align16, Align32, Align64, Align128, Align256, Align512,
    Align1024, Align2048, Align4096, AlignTo,
};
#[cfg(feature = "tinyslab")]
pub use crate::pool::Pool;
#[cfg(feature = "tinyslab")]
pub use crate::slab::TinySlabAllocator;
#[cfg(feature = "tinyslab")]
pub use core::mem::size_of;

#[cfg(feature = "tinyslab")]
use crate::const_msg::Message;

#[cfg(feature = "tinyslab")]
/// `budget = N` on `#[tinyalloc::pool]`: fails const evaluation, with both numbers,
/// when the static takes more than `budget` bytes.
pub const fn check_budget(size: usize, budget: usize) {
    if size > budget {
        let message = Message::new()
            .text("tinyalloc: this pool takes ")
            .num(size)
            .text(" bytes of RAM (blocks, slot metadata and lock), more than its budget of ")
            .num(budget)
            .text("; raise `budget` to ")
            .num(size)
            .text(" or make the pool smaller");
        panic!("{}", message.as_str());
    }
}

// `define_allocation_hooks!`

use core::alloc::Layout;
use core::ptr::NonNull;

pub use crate::cache::SlabError;

/// The signature `define_allocation_hooks!` wants for the slab allocator.
pub type SlabAllocHook = unsafe fn(Layout) -> Option<NonNull<u8>>;

/// The signature `define_allocation_hooks!` wants for the slab deallocator.
pub type SlabFreeHook = unsafe fn(NonNull<u8>, Layout) -> Result<(), SlabError>;
