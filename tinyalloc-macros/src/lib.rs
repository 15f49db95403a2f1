//! Procedural macros for [`tinyalloc`](https://docs.rs/tinyalloc).
//!
//! Use them through their re-exports in `tinyalloc`; this crate's paths are not
//! part of the public interface. Generated code names runtime items only through
//! `::tinyalloc::__private` (or the path given with `crate = …`).
