//! [`SlabCache`]: an O(1) cache of typed objects in slabs that grow through a memory
//! provider, with [`SlabBox`]es that free their object wherever they drop.
//!
//! | operation | time | notes |
//! | --- | --- | --- |
//! | [`SlabCache::alloc`], [`alloc_with`](SlabCache::alloc_with) | O(1) | one lock; a new slab from the provider when all are full |
//! | drop of a [`SlabBox`], [`SlabBox::into_inner`] | O(1) | masks its address to find its slab, one lock; a surplus empty slab goes back |
//! | [`SlabCache::stats`] | O(1) | one lock |
//! | [`SlabCache::trim`] | O(reserve slabs) | hands the reserve back, one lock a slab |
//!
//! The longest a call holds the lock (with [`CriticalSectionLock`](locks::CriticalSectionLock),
//! interrupts masked) is short whatever the cache holds: the provider runs with no
//! lock held. Whole calls, x86_64 instructions with a no-op critical section, 64-byte
//! objects in 4 KiB slabs from a [`slab_region!`](crate::slab_region) (the
//! benchmark's `worst` group, 2026-12-07): an `alloc` that takes a new slab 183 (four
//! short sections, the region's among them), the drop of a box that hands its slab
//! back 149, a `trim` of 7 reserve slabs 479.
//!
//! Measured: an `alloc` of a 64-byte object and the drop of its box take 44 x86_64
//! instructions with [`NoLock`](locks::NoLock) and 54 with [`SpinLock`](locks::SpinLock)
//! (attachable-slab-allocator: 162 and 211), from `benches/run.sh` (2026-12-07; the
//! README's *Performance* section has the whole run). A cache used once costs 1,660
//! bytes of `.text` on `thumbv7em-none-eabihf` (`firmware/scripts/size-report.sh`).
//!
//! Memory: each slab is `SLAB_SIZE` bytes aligned to `SLAB_SIZE`; its header takes
//! 56 bytes on a 32-bit target (88 on a 64-bit one), and the master's a further 52
//! (104) plus the lock. A slot is `T` rounded up to hold a pointer and aligned to
//! both; the first slot is aligned after the header. So a cache of `u32` in 1 KiB
//! slabs on a Cortex-M holds 242 objects per slave slab and 228 in the master (with
//! `SpinLock`).
//!
//! The memory comes from a [`SlabProvider`]: the functions given to
//! [`define_allocation_hooks!`](crate::define_allocation_hooks) unless the cache
//! names another, such as one that [`slab_region!`](crate::slab_region) declares over
//! a static region of its own. A cache can be a `static` ([`SlabCache::lazy`] is `const`); the
//! lock ([`locks`]) decides which threads and interrupt handlers may use it.

mod bookkeeping;
mod error;
mod layout;
pub mod locks;
mod provider;
mod region;
mod slab;
mod slab_box;
mod slab_cache;
mod stats;

pub use error::{Rejected, Result, SlabError};
pub use layout::MAX_LOCK_SIZE;
pub use provider::{GlobalHooks, SlabProvider};
pub use region::SlabRegion;
pub use slab_box::SlabBox;
pub use slab_cache::SlabCache;
pub use stats::CacheStats;

#[cfg(test)]
mod tests;
