//! Where the two slab caches get their slabs: the host's allocator, as both crates'
//! own examples do.

use core::alloc::Layout;
use core::ptr::NonNull;

/// # Safety
/// `layout` has a non-zero size (the caches ask for whole slabs).
unsafe fn slab_alloc(layout: Layout) -> Option<NonNull<u8>> {
    // SAFETY: the caches never ask for zero bytes.
    NonNull::new(unsafe { std::alloc::alloc(layout) })
}

/// # Safety
/// `ptr` came from `slab_alloc` with this `layout`.
unsafe fn slab_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
    // SAFETY: the cache hands back what `slab_alloc` gave, with its layout.
    unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
    Ok(())
}

tinyalloc::define_allocation_hooks!(slab_alloc, slab_free);

/// attachable-slab-allocator's macro names `Layout`, `NonNull` and `Result` as they
/// are in scope where it expands, and calls the functions without an `unsafe` block.
#[allow(unsafe_op_in_unsafe_fn)]
mod attachable {
    use attachable_slab_allocator::{Result, define_allocation_hooks};
    use core::alloc::Layout;
    use core::ptr::NonNull;

    /// # Safety
    /// As [`super::slab_alloc`].
    unsafe fn slab_alloc(layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: the caller's contract.
        unsafe { super::slab_alloc(layout) }
    }

    /// # Safety
    /// `ptr` came from `slab_alloc` with this `layout`.
    unsafe fn slab_free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        // SAFETY: the cache hands back what `slab_alloc` gave, with its layout.
        unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
        Ok(())
    }

    define_allocation_hooks!(slab_alloc, slab_free);
}
