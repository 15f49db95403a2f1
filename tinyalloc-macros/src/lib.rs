//! Procedural macros for [`tinyalloc`](https://docs.rs/tinyalloc).
//!
//! Use them through their re-exports in `tinyalloc` (`#[tinyalloc::pool]`), where
//! they are documented; this crate's paths are not part of the public interface.
//! Generated code names runtime items only through `::tinyalloc::__private` (or the
//! path given with `crate = …`).

mod diagnostics;
mod pool;

use proc_macro::TokenStream;

/// Turns `static NAME: Pool;` into a checked, interrupt-safe static pool.
/// Documented on its re-export, `tinyalloc::pool`.
#[proc_macro_attribute]
pub fn pool(args: TokenStream, item: TokenStream) -> TokenStream {
    pool::expand(args.into(), item.into()).into()
}
