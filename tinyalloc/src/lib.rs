#![doc = include_str!("../README.md")]
//!
//! ## Every feature, as `Cargo.toml` documents it
//!
#![doc = document_features::document_features!()]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]
#![warn(clippy::missing_errors_doc)]

// Only `to_vec` on buffers needs a heap.
#[cfg(all(feature = "alloc", feature = "bytebuffer"))]
extern crate alloc;

pub mod align;
mod allocator;
#[cfg(feature = "bytebuffer")]
mod buffer;
pub mod cache;
mod const_msg;
#[cfg(feature = "bytebuffer-deque")]
mod deque;
#[cfg(feature = "global-alloc")]
pub mod global;
mod guard;
mod handle;
pub mod heap;
mod hint;
#[cfg(feature = "tinyslab")]
mod pool;
pub mod prelude;
#[cfg(feature = "tinyslab")]
pub mod slab;

#[doc(hidden)]
pub mod __private;

pub use align::{
    Align1, Align2, Align4, Align8, Align16, Align32, Align64, Align128, Align256, Align512,
    Align1024, Align2048, Align4096, Alignment,
};
pub use allocator::{AllocError, Allocator, Stats};
#[cfg(feature = "bytebuffer")]
pub use buffer::{ByteBuffer, ByteBufferError, Chunks};
#[cfg(feature = "bytebuffer-deque")]
pub use deque::ByteBufferDeque;
#[cfg(feature = "global-alloc")]
pub use global::{GlobalDeque, PoolDeque};
pub use handle::Handle;
pub use heap::{BumpFreeListAllocator, FreeListAllocator, HeapStats, SegregatedBumpAllocator};
#[cfg(feature = "tinyslab")]
pub use pool::{Pool, SharedAllocator};
#[cfg(feature = "tinyslab")]
pub use slab::TinySlabAllocator;

pub use cache::{CacheStats, Rejected, Result, SlabBox, SlabCache, SlabError};
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
/// The functions must be `unsafe fn`s of exactly these types (declaring them `unsafe` is
/// where you promise their contract, which the compiler cannot check; a safe `fn` is a
/// compile error, "an allocation hook must be an `unsafe fn`", and so is a `const` or
/// `static` function pointer, which a safe `fn` becomes with no `unsafe` written):
///
/// - `alloc(layout: Layout) -> Option<NonNull<u8>>` returns `layout.size()` bytes
///   aligned to `layout.align()` (the cache asks for `SLAB_SIZE` aligned to
///   `SLAB_SIZE`), owned by the cache until it hands them back, or `None`.
/// - `free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()>` takes back a
///   block `alloc` returned, with the same layout.
/// - Both may run at the same time, on every thread that allocates from a shared
///   cache or drops a box, and in interrupt handlers that do: the cache calls them
///   with no lock held.
///
/// That is the contract of [`SlabProvider`](cache::SlabProvider); the macro cannot
/// check it, only the types. Defining the hooks' unmangled symbols is unsafe code, and
/// the `unsafe_code` lint reports it once, at the allocator's name: a crate that forbids
/// unsafe code cannot use the macro (under `#![deny(unsafe_code)]`, call it in a module
/// marked `#[allow(unsafe_code)]`). One function passes the type check without being
/// declared `unsafe`: a `#[target_feature]` fn, which to the type system is no safe
/// `fn` either (it coerces only to `unsafe fn` pointers), so the macro cannot tell it
/// from an `unsafe fn`. Giving one as a hook makes the same promise, and only that
/// lint says so: do not. Memory that comes back misaligned is handed straight back,
/// and the allocation fails with [`SlabError::AlignmentMismatch`].
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

/// Makes a `static` into a checked, interrupt-safe [`Pool`].
///
/// ```
/// #[tinyalloc::pool(size = 1024, slots = 32)]
/// static POOL: Pool;
///
/// #[tinyalloc::pool(size = 4096, slots = 64, align = 32)]
/// pub(crate) static DMA: Pool;
///
/// let handle = POOL.alloc(b"hello").unwrap();
/// assert_eq!(POOL.read(handle, |bytes| bytes.to_vec()), Some(b"hello".to_vec()));
/// assert_eq!(DMA.block_size(), 64);
/// ```
///
/// The static is written `static NAME: Pool;` (no initialiser, no `mut`); visibility,
/// doc comments and other attributes are kept. The type becomes
/// `Pool<SIZE, SLOTS, AlignN>` and the initialiser `Pool::new()`, so the pool sits in
/// `.bss` and is ready before `main` runs.
///
/// # Arguments
///
/// | key | | meaning |
/// | --- | --- | --- |
/// | `size` | required | bytes of all blocks together: `slots` × block size |
/// | `slots` | required | how many blocks, at most 65,535 |
/// | `align` | default 8 | alignment of every block, a power of two up to 4096 |
/// | `budget` | optional | the most bytes of RAM the whole static may take, metadata and lock included |
/// | `crate` | optional | the path of tinyalloc, for crates that re-export it (`crate = my_hal::tinyalloc`) or rename it in `Cargo.toml` (`crate = ::my_tinyalloc`) |
///
/// Values may be integer literals or const expressions (`size = 4 * KIB`).
///
/// # Checked at compile time
///
/// Literal values are checked where you wrote them, each error pointing at the
/// argument to change and naming a value that works: a zero `size` or `slots`;
/// `size` not a multiple of `slots` (with the two nearest sizes that are); blocks under
/// 2 or over 65,534 bytes; more than 65,535 slots; `align` not a power of two (with its
/// neighbours); a block size that is not a multiple of `align`; a `budget` smaller than
/// the blocks and their metadata. Unknown or missing keys get a suggestion. Const
/// expressions are checked by the pool's own const assertions when the crate is built,
/// and the exact `budget` (which includes the lock) by `size_of` at compile time.
///
/// ```compile_fail
/// // error: `size = 1000` is not a multiple of `slots = 32`, so the blocks cannot all be
/// //        the same size; blocks must also be a multiple of the default alignment of 8
/// //        bytes, so use `size = 768` (24-byte blocks) or `size = 1024` (32-byte blocks)
/// #[tinyalloc::pool(size = 1000, slots = 32)]
/// static POOL: Pool;
/// ```
#[cfg(feature = "tinyslab")]
pub use tinyalloc_macros::pool;
