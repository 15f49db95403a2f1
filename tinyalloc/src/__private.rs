//! What macro expansions name. Not part of the public interface: no semver promise.

use core::alloc::Layout;
use core::ptr::NonNull;

pub use crate::cache::SlabError;

/// The signature `define_allocation_hooks!` wants for the slab allocator.
pub type SlabAllocHook = unsafe fn(Layout) -> Option<NonNull<u8>>;

/// The signature `define_allocation_hooks!` wants for the slab deallocator.
pub type SlabFreeHook = unsafe fn(NonNull<u8>, Layout) -> Result<(), SlabError>;
