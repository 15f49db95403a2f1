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
use crate::const_msg::Message;

/// The initializer of a `#[tinyalloc::pool]` static: [`Pool::new`], with the
/// configuration check made here, so that const evaluation reports a configuration
/// only it can refuse (`size = BYTES`, `align = ALIGN`) at the caller, the attribute.
/// The type comes from the static, which names the alignment once: a computed
/// `align` that is not a power of two is reported once, where it is written.
#[cfg(feature = "tinyslab")]
#[track_caller]
pub const fn checked_pool<const SIZE: usize, const SLOTS: usize, A: crate::align::Alignment>()
-> Pool<SIZE, SLOTS, A> {
    if let Err(error) = crate::slab::check_config(SIZE, SLOTS, A::ALIGN) {
        panic!("{}", error.message().as_str());
    }
    Pool::unchecked()
}

/// `budget = expr` on `#[tinyalloc::pool]`: fails const evaluation, with both
/// numbers, when the static (`_pool`, of type `P`) takes more than `budget` bytes.
/// The type is taken from a reference to the static rather than named again, so an
/// error in it (a computed `align` that is not a power of two) is reported once.
#[cfg(feature = "tinyslab")]
pub const fn check_budget<P>(_pool: &P, budget: usize) {
    over_budget(core::mem::size_of::<P>(), budget);
}

/// `budget = N` with `N` a literal, taken as a `u64` so that no target truncates it:
/// a budget beyond the address space holds any pool.
#[cfg(feature = "tinyslab")]
pub const fn check_budget_bytes<P>(_pool: &P, budget: u64) {
    if budget <= usize::MAX as u64 {
        over_budget(core::mem::size_of::<P>(), budget as usize);
    }
}

#[cfg(feature = "tinyslab")]
const fn over_budget(size: usize, budget: usize) {
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

/// The probe that turns away a safe `fn`, and a function pointer, as a hook.
/// `define_allocation_hooks!` writes `(&HookProbe(f)).alloc_hook_kind()`: method lookup
/// tries `HookProbe<F>` before `&HookProbe<F>`, so a safe `fn` of the hook's signature
/// (which implements `Fn`) gets [`SafeFn`], a value of the hook's pointer type gets
/// [`FnPointer`] (a safe `fn` coerces to an `unsafe fn` pointer with no `unsafe`
/// written, so such a pointer vouches for nothing), and anything else (an `unsafe fn`
/// item, or a wrong signature, which the fn-pointer coercion reports) gets
/// [`UnsafeFn`].
#[derive(Debug)]
pub struct HookProbe<F>(pub F);

/// The kind of a hook declared as a safe `fn`: refused.
#[derive(Debug)]
pub struct SafeFn;

/// The kind of a hook given as a function pointer (a `const` or `static` of the
/// hook's type): refused.
#[derive(Debug)]
pub struct FnPointer;

/// The kind of a hook declared as an `unsafe fn`: accepted.
#[derive(Debug)]
pub struct UnsafeFn;

/// Picks [`SafeFn`] for a safe slab allocator.
pub trait AllocHookIsSafe {
    fn alloc_hook_kind(&self) -> SafeFn {
        SafeFn
    }
}
impl<F: Fn(Layout) -> Option<NonNull<u8>>> AllocHookIsSafe for HookProbe<F> {}

/// Picks [`FnPointer`] for a slab allocator given as a function pointer.
pub trait AllocHookIsPointer {
    fn alloc_hook_kind(&self) -> FnPointer {
        FnPointer
    }
}
impl AllocHookIsPointer for HookProbe<SlabAllocHook> {}

/// Picks [`UnsafeFn`] for any other slab allocator.
pub trait AllocHookIsAny {
    fn alloc_hook_kind(&self) -> UnsafeFn {
        UnsafeFn
    }
}
impl<F> AllocHookIsAny for &HookProbe<F> {}

/// Picks [`SafeFn`] for a safe slab deallocator.
pub trait FreeHookIsSafe {
    fn free_hook_kind(&self) -> SafeFn {
        SafeFn
    }
}
impl<F: Fn(NonNull<u8>, Layout) -> Result<(), SlabError>> FreeHookIsSafe for HookProbe<F> {}

/// Picks [`FnPointer`] for a slab deallocator given as a function pointer.
pub trait FreeHookIsPointer {
    fn free_hook_kind(&self) -> FnPointer {
        FnPointer
    }
}
impl FreeHookIsPointer for HookProbe<SlabFreeHook> {}

/// Picks [`UnsafeFn`] for any other slab deallocator.
pub trait FreeHookIsAny {
    fn free_hook_kind(&self) -> UnsafeFn {
        UnsafeFn
    }
}
impl<F> FreeHookIsAny for &HookProbe<F> {}

/// Implemented only by [`UnsafeFn`].
#[diagnostic::on_unimplemented(
    message = "tinyalloc: an allocation hook must be an `unsafe fn`",
    label = "this function is a safe `fn`; declare it `unsafe fn`",
    note = "declaring the hook `unsafe` is where you take on the contract of `SlabProvider` \
            (memory of `layout.size()` bytes aligned to `layout.align()`, the cache's until \
            it hands it back); a safe `fn` would let code with no `unsafe` in it break that"
)]
pub trait DeclaredUnsafe {}
impl DeclaredUnsafe for UnsafeFn {}
// Refused by `NamesAnItem` instead, with a message of its own.
impl DeclaredUnsafe for FnPointer {}

/// Implemented by every kind but [`FnPointer`].
#[diagnostic::on_unimplemented(
    message = "tinyalloc: an allocation hook must be an `unsafe fn`, not a function pointer",
    label = "this is a function pointer; name the `unsafe fn` itself",
    note = "a safe `fn` becomes an `unsafe fn` pointer with no `unsafe` written, so a pointer \
            does not show that anyone took on the contract of `SlabProvider` (memory of \
            `layout.size()` bytes aligned to `layout.align()`, the cache's until it hands it \
            back); declare the hook `unsafe fn` and give its name"
)]
pub trait NamesAnItem {}
impl NamesAnItem for SafeFn {}
impl NamesAnItem for UnsafeFn {}

/// Compiles only for a hook declared `unsafe fn`, named by its path.
pub fn require_unsafe_hook<K>(_: K)
where
    K: DeclaredUnsafe + NamesAnItem,
{
}

// `slab_region!`

/// One slab of a `slab_region!`: `BYTES` bytes aligned to `BYTES`, through the
/// zero-length array of a marker, which takes no bytes. A size that is no alignment
/// is one error, at the bound.
#[allow(dead_code, missing_debug_implementations)]
#[repr(C)]
pub struct Slab<const BYTES: usize>
where
    SlabSize<BYTES>: SlabAlign,
{
    align: [<SlabSize<BYTES> as SlabAlign>::Marker; 0],
    bytes: [u8; BYTES],
}

/// A `slab_region!`'s slab size, as a type, for [`SlabAlign`] to find the marker that
/// aligns a slab to it.
#[derive(Debug)]
pub struct SlabSize<const BYTES: usize>;

/// Implemented for the powers of two from 4 to 2^29 (the largest `repr(align)`): any
/// other slab size is this one error. (A slab must also hold a pointer, which the
/// region checks: 4 is refused on a 64-bit target there.)
#[diagnostic::on_unimplemented(
    message = "tinyalloc: slab_region!'s slab_size must be a power of two from 4 to 536870912, such as 1024 (a slab is aligned to its size, so a box finds its slab by masking its address)",
    label = "the slab size, `{Self}`, is not a power of two in that range"
)]
pub trait SlabAlign {
    /// A zero-sized type aligned to the slab size.
    type Marker;
}

macro_rules! slab_alignments {
    ($($name:ident = $bytes:literal),* $(,)?) => {$(
        /// Aligned to a slab size; zero-sized.
        #[derive(Debug)]
        #[repr(align($bytes))]
        pub struct $name;

        #[diagnostic::do_not_recommend]
        impl SlabAlign for SlabSize<$bytes> {
            type Marker = $name;
        }
    )*};
}

slab_alignments! {
    SlabAlign4 = 4, SlabAlign8 = 8, SlabAlign16 = 16, SlabAlign32 = 32, SlabAlign64 = 64,
    SlabAlign128 = 128, SlabAlign256 = 256, SlabAlign512 = 512, SlabAlign1024 = 1024,
    SlabAlign2048 = 2048, SlabAlign4096 = 4096, SlabAlign8192 = 8192,
    SlabAlign16384 = 16384, SlabAlign32768 = 32768, SlabAlign65536 = 65536,
    SlabAlign131072 = 131072, SlabAlign262144 = 262144, SlabAlign524288 = 524288,
    SlabAlign1048576 = 1048576, SlabAlign2097152 = 2097152, SlabAlign4194304 = 4194304,
    SlabAlign8388608 = 8388608, SlabAlign16777216 = 16777216,
    SlabAlign33554432 = 33554432, SlabAlign67108864 = 67108864,
    SlabAlign134217728 = 134217728, SlabAlign268435456 = 268435456,
    SlabAlign536870912 = 536870912,
}
