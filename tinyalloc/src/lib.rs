#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod align;
mod allocator;
mod handle;
pub mod heap;
pub mod prelude;
pub mod slab;

pub use align::{Align1, Align2, Align4, Align8, Align16, Align32, Align64, Alignment};
pub use allocator::{AllocError, Allocator, Stats};
pub use handle::Handle;
pub use heap::{BumpFreeListAllocator, FreeListAllocator, SegregatedBumpAllocator};
pub use slab::TinySlabAllocator;
