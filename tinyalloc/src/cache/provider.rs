//! Where slabs come from: the [`SlabProvider`] trait, and [`GlobalHooks`], the provider
//! that calls the functions given to
//! [`define_allocation_hooks!`](crate::define_allocation_hooks).
//!
//! The hooks are link-time symbols: this crate declares them and calls them through
//! `#[inline(always)]` wrappers, the macro defines them in the program. Their names
//! carry the crate's major version (`_tinyalloc_0_1_…`) so two incompatible versions in
//! one program never bind to each other's hooks. Only [`GlobalHooks`] refers to them,
//! so a program whose caches all use another provider links without them.

use core::alloc::Layout;
use core::ptr::NonNull;

use super::error::Result;

/// A source of slab memory for a [`SlabCache`](super::SlabCache).
///
/// Providers are types, not values: a slab may go back to its provider long after the
/// cache is gone (when the last box on it drops, on any thread), so the cache keeps
/// the provider's `free` as a function and needs no provider value to call it. Give
/// each memory region its own type; keep the region's state in a `static`.
///
/// A cache asks for `SLAB_SIZE` bytes aligned to `SLAB_SIZE`. Memory that comes back
/// misaligned is returned to `free` at once and the allocation fails with
/// [`SlabError::AlignmentMismatch`](super::SlabError::AlignmentMismatch).
///
/// For slabs from a static region of their own (the firmware case: a RAM bank of its
/// own, a fixed budget), [`slab_region!`](crate::slab_region) declares the provider
/// with no `unsafe` in your code. Write one by hand for other memory. This one lends
/// four 1 KiB slabs of a static region, as `slab_region!` would (but in O(slabs)), for
/// a cache that must not touch the rest of memory:
///
/// ```
/// use core::alloc::Layout;
/// use core::cell::Cell;
/// use core::ptr::NonNull;
/// use critical_section::Mutex;
/// use tinyalloc::cache::SlabProvider;
/// use tinyalloc::prelude::*;
///
/// #[repr(C, align(1024))]
/// struct Region([u8; 4096]);
/// static mut REGION: Region = Region([0; 4096]);
/// /// One bit per slab of the region: set while it is handed out.
/// static TAKEN: Mutex<Cell<u8>> = Mutex::new(Cell::new(0));
///
/// struct RadioRam;
///
/// // SAFETY: each slab is handed out once until it comes back, and stays valid: it is
/// // part of a static that nothing else touches.
/// unsafe impl SlabProvider for RadioRam {
///     unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
///         if layout.size() > 1024 || layout.align() > 1024 {
///             return None;
///         }
///         critical_section::with(|cs| {
///             let taken = TAKEN.borrow(cs);
///             let slab = (0..4).find(|i| taken.get() & (1 << i) == 0)?;
///             taken.set(taken.get() | 1 << slab);
///             let base = core::ptr::addr_of_mut!(REGION).cast::<u8>();
///             // SAFETY: slab `slab` of four lies inside REGION.
///             NonNull::new(unsafe { base.add(slab * 1024) })
///         })
///     }
///
///     unsafe fn free(ptr: NonNull<u8>, _layout: Layout) -> tinyalloc::Result<()> {
///         let base = core::ptr::addr_of_mut!(REGION).cast::<u8>() as usize;
///         let slab = (ptr.as_ptr() as usize - base) / 1024;
///         critical_section::with(|cs| {
///             let taken = TAKEN.borrow(cs);
///             taken.set(taken.get() & !(1 << slab));
///         });
///         Ok(())
///     }
/// }
///
/// let cache = SlabCache::<[u32; 8], SpinLock, 1024, RadioRam>::new()?;
/// let packets: Vec<_> = (0..40).map(|i| cache.alloc([i; 8])).collect::<Result<_, _>>()?;
/// assert!(cache.stats().slabs >= 2);
/// drop(packets);
/// # Ok::<(), SlabError>(())
/// ```
///
/// # Safety
///
/// `alloc` returns `None` or memory of at least `layout.size()` bytes that is valid
/// for reads and writes, owned by the caller alone until it is given to `free`, and
/// not moved or reused meanwhile. `free` accepts every block `alloc` returned, with
/// the same layout.
///
/// Both functions must be safe to call at the same time as each other and as
/// themselves: the cache calls them with no lock held (so that they may use the cache
/// themselves), from every thread that allocates from a shared cache or drops one of
/// its boxes, and from interrupt handlers that do. Two threads making a cache's first
/// allocation at once both call `alloc`. State such as a bump offset belongs in a
/// critical section, as in the example above, or in an atomic, never in a plain
/// `static mut`. (The example's critical section builds for every target, `thumbv6m`
/// included, whose atomics have no compare-and-swap or `fetch_*` methods; the program
/// names `critical-section` as a dependency of its own to write `critical_section::with`.)
pub unsafe trait SlabProvider {
    /// Returns a block for `layout`, or `None` when there is no memory.
    ///
    /// # Safety
    ///
    /// `layout` has a non-zero size.
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>>;

    /// Takes back a block `alloc` returned. An error is counted in
    /// [`CacheStats::provider_errors`](super::CacheStats::provider_errors); the block
    /// is not used again either way. A panic here unwinds out of the drop,
    /// [`SlabBox::into_inner`](super::SlabBox::into_inner) (dropping the object it
    /// moved out) or [`trim`](super::SlabCache::trim) that called it; the block counts
    /// as handed back, and after a box's drop or `into_inner` as an error too, so the
    /// master still goes back with the last object, and a cache being dropped still
    /// hands back its other slabs.
    ///
    /// # Errors
    ///
    /// Any [`SlabError`](super::SlabError) that says why the block could not be taken
    /// back: a [`SlabRegion`](super::SlabRegion) returns
    /// [`SlabError::InvalidPointer`](super::SlabError::InvalidPointer) for a block it
    /// did not lend. The cache does not try again, and only
    /// [`trim`](super::SlabCache::trim) passes the error on (the first one); every
    /// other call counts it, as above, or ignores it once the cache value is gone.
    ///
    /// # Safety
    ///
    /// `ptr` came from `alloc` of the same provider with this `layout`, and is not
    /// used after this call.
    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()>;

    /// The size of every slab this provider lends, when it lends one size only, as a
    /// [`slab_region!`](crate::slab_region) does; `None` (the default) when it serves
    /// any layout. A cache over it whose `SLAB_SIZE` is another size fails to
    /// compile: smaller slabs would be refused at every allocation, larger ones
    /// would each serve `SLAB_SIZE` bytes and leave the rest unused.
    const SLAB_SIZE: Option<usize> = None;
}

/// The default provider: the two functions given to
/// [`define_allocation_hooks!`](crate::define_allocation_hooks).
///
/// A program that uses it and defines no hooks fails to link with "undefined
/// reference to `_tinyalloc_0_1_slab_alloc`"; the README says what to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct GlobalHooks;

// SAFETY: `define_allocation_hooks!` binds these to the program's functions, which it
// accepts only when they are no safe `fn` to the type system: an `unsafe fn`, whose
// `unsafe` vouches for `SlabProvider`'s contract (the macro's documentation hands it
// on to the user), or a `#[target_feature]` fn, which no type check can tell from
// one. For that one the promise is the unsafe code of defining the unmangled
// symbols, which the `unsafe_code` lint reports at the user's call, and the macro's
// documentation says not to.
unsafe impl SlabProvider for GlobalHooks {
    #[inline(always)]
    unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: the caller's contract is the hook's.
        unsafe { hooks::slab_alloc(layout) }
    }

    #[inline(always)]
    unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        // SAFETY: the caller's contract is the hook's.
        unsafe { hooks::slab_free(ptr, layout) }
    }
}

/// The link-time hooks. The names are the contract with `tinyalloc-macros`, which is
/// pinned to this crate's exact version.
mod hooks {
    use core::alloc::Layout;
    use core::ptr::NonNull;

    use crate::cache::error::Result;

    unsafe extern "Rust" {
        fn _tinyalloc_0_1_slab_alloc(layout: Layout) -> Option<NonNull<u8>>;
        fn _tinyalloc_0_1_slab_free(ptr: NonNull<u8>, layout: Layout) -> Result<()>;
    }

    /// # Safety
    /// As [`SlabProvider::alloc`](super::SlabProvider::alloc).
    #[inline(always)]
    pub(super) unsafe fn slab_alloc(layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: the symbol is defined by `define_allocation_hooks!` with exactly
        // this signature (the macro checks the user's function against it).
        unsafe { _tinyalloc_0_1_slab_alloc(layout) }
    }

    /// # Safety
    /// As [`SlabProvider::free`](super::SlabProvider::free).
    #[inline(always)]
    pub(super) unsafe fn slab_free(ptr: NonNull<u8>, layout: Layout) -> Result<()> {
        // SAFETY: as in `slab_alloc`.
        unsafe { _tinyalloc_0_1_slab_free(ptr, layout) }
    }
}
