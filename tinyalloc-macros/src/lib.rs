//! Procedural macros for [`tinyalloc`](https://docs.rs/tinyalloc).
//!
//! Use them through their re-exports in `tinyalloc` (`#[tinyalloc::pool]`,
//! `tinyalloc::define_allocation_hooks!`), where they are documented; this crate's
//! paths are not part of the public interface. Generated code names runtime items
//! only through `::tinyalloc::__private` (or the path given with `crate = …`).

mod allocation_hooks;
mod diagnostics;
mod pool;

use proc_macro::TokenStream;

/// Turns `static NAME: Pool;` into a checked, interrupt-safe static pool.
/// Documented on its re-export, `tinyalloc::pool`.
#[proc_macro_attribute]
pub fn pool(args: TokenStream, item: TokenStream) -> TokenStream {
    pool::expand(args.into(), item.into()).into()
}

/// Binds tinyalloc's slab cache to the program's memory: the first function hands
/// out slabs, the second takes them back.
///
/// ```text
/// unsafe fn system_alloc(layout: Layout) -> Option<NonNull<u8>> { … }
/// unsafe fn system_free(ptr: NonNull<u8>, layout: Layout) -> tinyalloc::Result<()> { … }
/// tinyalloc::define_allocation_hooks!(system_alloc, system_free);
/// ```
///
/// Use it once in the program (a second use is a "duplicate symbol" link error), at
/// item level, with no imports needed. `crate = path` names tinyalloc when it is
/// renamed. See `tinyalloc::define_allocation_hooks` for the contract and a
/// runnable example.
#[proc_macro]
pub fn define_allocation_hooks(input: TokenStream) -> TokenStream {
    allocation_hooks::expand(input.into()).into()
}
