//! What the README's examples import: `use tinyalloc::prelude::*;`.

pub use crate::align::{
    Align1, Align2, Align4, Align8, Align16, Align32, Align64, Align128, Align256, Align512,
    Align1024, Align2048, Align4096, Alignment,
};
pub use crate::allocator::{AllocError, Allocator, Stats};
pub use crate::handle::Handle;
pub use crate::heap::{
    BumpFreeListAllocator, FreeListAllocator, HeapStats, SegregatedBumpAllocator,
};
pub use crate::slab::TinySlabAllocator;
