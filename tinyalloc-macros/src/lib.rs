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

// rustdoc appends these comments to the docs of the re-exports in `tinyalloc`, so
// they must read true on those pages too: no second copy of the docs, no "see there".
/// Implemented in `tinyalloc-macros`; use it as `#[tinyalloc::pool]` (documented in
/// `tinyalloc`).
#[proc_macro_attribute]
pub fn pool(args: TokenStream, item: TokenStream) -> TokenStream {
    pool::expand(args.into(), item.into()).into()
}

/// Implemented in `tinyalloc-macros`; use it as `tinyalloc::define_allocation_hooks!`
/// (documented in `tinyalloc`).
#[proc_macro]
pub fn define_allocation_hooks(input: TokenStream) -> TokenStream {
    allocation_hooks::expand(input.into()).into()
}
