#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod align;
mod allocator;
pub mod cache;
mod handle;
pub mod prelude;
pub mod slab;

pub use align::{Align1, Align2, Align4, Align8, Align16, Align32, Align64, Alignment};
pub use allocator::{AllocError, Allocator, Stats};
pub use handle::Handle;
pub use slab::TinySlabAllocator;

pub use cache::{Result, SlabBox, SlabCache, SlabError};
/// Gives the slab cache its memory: binds the default provider,
/// [`GlobalHooks`](cache::GlobalHooks), to two functions of the program.
///
/// ```rust,standalone_crate
/// use core::alloc::Layout;
/// use core::ptr::NonNull;
/// use tinyalloc::prelude::*;
///
/// unsafe fn system_alloc(layout: Layout) -> Option<NonNull<u8>> {
///     // SAFETY: the cache never asks for zero bytes.
///     NonNull::new(unsafe { std::alloc::alloc(layout) })
/// }
///
/// unsafe fn system_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> {
///     // SAFETY: the cache hands back what `system_alloc` gave, with its layout.
///     unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
///     Ok(())
/// }
///
/// tinyalloc::define_allocation_hooks!(system_alloc, system_free);
///
/// let cache = SlabCache::<[u8; 48], NoLock, 1024>::new()?;
/// let frame = cache.alloc([0xAA; 48])?;
/// assert_eq!(frame[47], 0xAA);
/// # Ok::<(), SlabError>(())
/// ```
///
/// The functions may be `fn` or `unsafe fn` and have exactly these types:
///
/// - `alloc(layout: Layout) -> Option<NonNull<u8>>` returns `layout.size()` bytes
///   aligned to `layout.align()` (the cache asks for `SLAB_SIZE` aligned to
///   `SLAB_SIZE`), owned by the cache until it hands them back, or `None`.
/// - `free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()>` takes back a
///   block `alloc` returned, with the same layout. It may run on any thread that drops
///   a box, and in an interrupt handler if boxes drop there.
///
/// That is the contract of [`SlabProvider`](cache::SlabProvider); the macro cannot
/// check it, only the types. Memory that comes back misaligned is handed straight
/// back, and the allocation fails with [`SlabError::AlignmentMismatch`].
///
/// Use the macro once in the whole program, at item level; it needs no imports.
/// Forgetting it is the link error "undefined reference to
/// `_tinyalloc_0_1_slab_alloc`", using it twice is "duplicate symbol" (see the
/// README). `crate = path` names tinyalloc when it is renamed:
/// `define_allocation_hooks!(alloc, free, crate = ::my_tinyalloc)`.
///
/// A function with another signature is a type error at its name:
///
/// ```compile_fail,E0308
/// fn wrong_alloc(size: usize) -> *mut u8 { core::ptr::null_mut() }
/// # unsafe fn free(_: core::ptr::NonNull<u8>, _: core::alloc::Layout) -> tinyalloc::Result<()> { Ok(()) }
/// tinyalloc::define_allocation_hooks!(wrong_alloc, free);
/// ```
pub use tinyalloc_macros::define_allocation_hooks;

#[doc(hidden)]
pub mod __private;
