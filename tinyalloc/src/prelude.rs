//! What the README's examples import: `use tinyalloc::prelude::*;`.

pub use crate::align::{
    Align1, Align2, Align4, Align8, Align16, Align32, Align64, Align128, Align256, Align512,
    Align1024, Align2048, Align4096, Alignment,
};
pub use crate::allocator::{AllocError, Allocator, Stats};
#[cfg(feature = "bytebuffer")]
pub use crate::buffer::{ByteBuffer, ByteBufferError};
pub use crate::cache::locks::{CriticalSectionLock, Lock, NoLock, SpinLock};
pub use crate::cache::{CacheStats, Rejected, SlabBox, SlabCache, SlabError};
#[cfg(feature = "bytebuffer-deque")]
pub use crate::deque::ByteBufferDeque;
#[cfg(feature = "global-alloc")]
pub use crate::global::{GlobalDeque, PoolDeque};
pub use crate::handle::Handle;
pub use crate::heap::{
    BumpFreeListAllocator, FreeListAllocator, HeapStats, SegregatedBumpAllocator,
};
#[cfg(feature = "tinyslab")]
pub use crate::pool::{Pool, SharedAllocator};
#[cfg(feature = "tinyslab")]
pub use crate::slab::TinySlabAllocator;
