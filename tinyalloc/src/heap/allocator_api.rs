//! `allocator_api2::alloc::Allocator` for `&` each heap engine (feature
//! `allocator-api2`): a second, local heap beside the global one, for
//! `allocator_api2::vec::Vec::new_in(&LOCAL_HEAP)` and friends.
//!
//! The engines are `GlobalAlloc`s; these functions adapt them to the `Allocator`
//! contract, which also allows zero-sized requests (answered with a dangling, aligned
//! pointer that is never handed to the engine) and growing or shrinking to another
//! alignment (a new block and a copy).

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};

use allocator_api2::alloc::AllocError;

/// A non-null pointer aligned to `layout`, for zero-sized blocks.
#[inline]
fn dangling(layout: Layout) -> NonNull<u8> {
    // `align()` is a power of two, never zero.
    NonNull::new(ptr::without_provenance_mut(layout.align())).unwrap_or(NonNull::dangling())
}

#[inline]
fn block(ptr: NonNull<u8>, len: usize) -> NonNull<[u8]> {
    NonNull::slice_from_raw_parts(ptr, len)
}

/// `Allocator::allocate` over a `GlobalAlloc`.
#[inline]
pub(crate) fn allocate<G: GlobalAlloc>(
    heap: &G,
    layout: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    if layout.size() == 0 {
        return Ok(block(dangling(layout), 0));
    }
    // SAFETY: the size is not zero.
    let ptr = unsafe { heap.alloc(layout) };
    NonNull::new(ptr)
        .map(|ptr| block(ptr, layout.size()))
        .ok_or(AllocError)
}

/// `Allocator::deallocate` over a `GlobalAlloc`.
///
/// # Safety
/// `ptr` came from [`allocate`] (or `grow`/`shrink`) on `heap` with `layout`.
#[inline]
pub(crate) unsafe fn deallocate<G: GlobalAlloc>(heap: &G, ptr: NonNull<u8>, layout: Layout) {
    if layout.size() != 0 {
        // SAFETY: a non-zero-sized block that `heap` handed out for `layout`.
        unsafe { heap.dealloc(ptr.as_ptr(), layout) }
    }
}

/// `Allocator::grow` and `shrink` over a `GlobalAlloc`: `realloc` (which resizes in
/// place when it can) for the same alignment, otherwise a new block and a copy.
///
/// # Safety
/// `ptr` came from `heap` with `old`, and `new` is what `Allocator::grow` or `shrink`
/// allows (at least / at most `old.size()`).
#[inline]
pub(crate) unsafe fn resize<G: GlobalAlloc>(
    heap: &G,
    ptr: NonNull<u8>,
    old: Layout,
    new: Layout,
) -> Result<NonNull<[u8]>, AllocError> {
    if old.size() != 0 && new.size() != 0 && old.align() == new.align() {
        // SAFETY: a live non-zero-sized block of `heap` for `old`; `new.size()` is not
        // zero and, rounded up to the same alignment, fits `isize` because `new` is a
        // valid layout.
        let moved = unsafe { heap.realloc(ptr.as_ptr(), old, new.size()) };
        return NonNull::new(moved)
            .map(|ptr| block(ptr, new.size()))
            .ok_or(AllocError);
    }
    let fresh = allocate(heap, new)?;
    let keep = old.size().min(new.size());
    // SAFETY: both blocks are live, at least `keep` bytes long, and distinct (the new
    // one was just handed out while the old one is still live, or is zero-sized).
    unsafe { ptr::copy_nonoverlapping(ptr.as_ptr(), fresh.cast::<u8>().as_ptr(), keep) };
    // SAFETY: the caller's contract for the old block.
    unsafe { deallocate(heap, ptr, old) };
    Ok(fresh)
}

/// Implements `allocator_api2::alloc::Allocator` for `&$name<SIZE>`.
macro_rules! allocator_api2_impl {
    ($name:ident) => {
        // SAFETY: every method forwards to the engine's `GlobalAlloc`, whose blocks
        // stay valid until deallocated through any reference to the same heap (the
        // heap is shared state behind a lock, so copies of `&$name` are the same
        // allocator); zero-sized blocks never reach the engine.
        // The `cfg` sits on the macro call, where rustdoc does not see it.
        #[cfg_attr(docsrs, doc(cfg(feature = "allocator-api2")))]
        unsafe impl<const SIZE: usize, L: $crate::cache::locks::Lock>
            allocator_api2::alloc::Allocator for &$name<SIZE, L>
        {
            #[inline]
            fn allocate(
                &self,
                layout: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<[u8]>, allocator_api2::alloc::AllocError> {
                $crate::heap::allocator_api::allocate(*self, layout)
            }

            #[inline]
            unsafe fn deallocate(&self, ptr: core::ptr::NonNull<u8>, layout: core::alloc::Layout) {
                // SAFETY: `Allocator::deallocate`'s contract, passed on.
                unsafe { $crate::heap::allocator_api::deallocate(*self, ptr, layout) }
            }

            #[inline]
            unsafe fn grow(
                &self,
                ptr: core::ptr::NonNull<u8>,
                old: core::alloc::Layout,
                new: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<[u8]>, allocator_api2::alloc::AllocError> {
                // SAFETY: `Allocator::grow`'s contract, passed on.
                unsafe { $crate::heap::allocator_api::resize(*self, ptr, old, new) }
            }

            #[inline]
            unsafe fn shrink(
                &self,
                ptr: core::ptr::NonNull<u8>,
                old: core::alloc::Layout,
                new: core::alloc::Layout,
            ) -> Result<core::ptr::NonNull<[u8]>, allocator_api2::alloc::AllocError> {
                // SAFETY: `Allocator::shrink`'s contract, passed on.
                unsafe { $crate::heap::allocator_api::resize(*self, ptr, old, new) }
            }
        }
    };
}

pub(crate) use allocator_api2_impl;
