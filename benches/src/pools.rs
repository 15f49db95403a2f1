//! Fixed-size pools of 64-byte blocks: tinyalloc's slab, `Pool` and `SlabCache`
//! against `slab`, `slotmap`, heapless `box_pool!`, `atomic-pool`,
//! `attachable-slab-allocator` and a plain index free list.

use core::hint::black_box;

use tinyalloc::prelude::{NoLock, SlabBox, SlabCache, SpinLock};
use tinyalloc::{Handle, Pool, TinySlabAllocator};

use crate::rng::Rng;
use crate::{Entry, Outcome, measured};

/// The block size every pool here serves.
pub const BLOCK: usize = 64;
/// The capacities every pool is measured at.
pub const CAPACITIES: [usize; 3] = [32, 256, 4096];
/// What the copying entries move into each block.
pub static PAYLOAD: [u8; BLOCK] = [0xA5; BLOCK];
/// The object the two slab caches hold: 64 bytes, aligned to 8 (attachable-slab-allocator
/// refuses a type aligned to less than 2).
pub type Object = [u64; BLOCK / 8];
/// What the caches move into each object.
pub static OBJECT: Object = [0xA5A5_A5A5_A5A5_A5A5; BLOCK / 8];

/// A pool of 64-byte blocks as its users drive it.
pub trait FixedPool {
    /// What `alloc` hands out: an index, a key, a handle or an owning box.
    type Handle;
    /// Whether a handle has to be looked up to reach its block; boxes are pointers.
    const LOOKUP: bool;

    /// Takes a block; `None` when the pool is full.
    fn alloc(&mut self) -> Option<Self::Handle>;
    /// Gives a block back (dropping a box).
    fn free(&mut self, handle: Self::Handle);
    /// The first byte of the block `handle` names; `None` without a lookup.
    fn lookup(&self, handle: &Self::Handle) -> Option<u8>;
}

/// Every pool entry, in table order.
pub const ENTRIES: &[Entry] = &[
    Entry {
        name: "index-free-list",
        does: "floor: a `Vec` of blocks and a `u32` next-index list; `alloc` pops an index (nothing written), `free` pushes it; no generation check",
    },
    Entry {
        name: "tinyalloc-slab",
        does: "`TinySlabAllocator::alloc_uninit(64)` (a block handed out, not written) + `free(handle)`; `Stats` kept",
    },
    Entry {
        name: "tinyalloc-slab-copy",
        does: "`TinySlabAllocator::alloc(&[u8; 64])` (copies 64 bytes in) + `free(handle)`",
    },
    Entry {
        name: "tinyalloc-pool",
        does: "`#[tinyalloc::pool]` static: `POOL.alloc(&[u8; 64])` (copies in) + `POOL.free(handle)`, one critical section each",
    },
    Entry {
        name: "tinyalloc-cache-nolock",
        does: "`SlabCache<[u64; 8], NoLock, 4096>::alloc([u64; 8])` (moves 64 bytes in) + drop of the `SlabBox`",
    },
    Entry {
        name: "tinyalloc-cache-spin",
        does: "`SlabCache<[u64; 8], SpinLock, 4096>::alloc([u64; 8])` (moves 64 bytes in) + drop of the `SlabBox`",
    },
    Entry {
        name: "slab",
        does: "`Slab<[u8; 64]>::insert` (moves in) + `remove(key)`; made `with_capacity`. Its key reaches the harness as an `Option<usize>`, whose tag costs about one instruction a pair that tinyalloc's `Option<Handle>` (a niche) does not",
    },
    Entry {
        name: "slotmap",
        does: "`SlotMap<DefaultKey, [u8; 64]>::insert` (moves in) + `remove(key)`; made `with_capacity`",
    },
    Entry {
        name: "heapless-box-pool",
        does: "heapless 0.9 `box_pool!`: `alloc([u8; 64])` (moves in) + drop of the `Box`; on x86-64 its 128-bit atomics come from feature `portable-atomic`, inline (`cmpxchg16b` for the compare-and-swap, AVX's `vmovdqa` for loads and stores) because `benches/run.sh` enables both CPU features (without them, each call goes through a function pointer picked at run time, which Cortex-M's LDREX/STREX never pays)",
    },
    Entry {
        name: "atomic-pool",
        does: "atomic-pool 2 `pool!`: `Box::new([u8; 64])` (moves in) + drop",
    },
    Entry {
        name: "attachable-nolock",
        does: "attachable-slab-allocator 0.1 `SlabCache<[u64; 8], NoLock, 4096>::alloc()` + a 64-byte write into it + drop",
    },
    Entry {
        name: "attachable-spin",
        does: "attachable-slab-allocator 0.1 `SlabCache<[u64; 8], SpinLock, 4096>::alloc()` + a 64-byte write into it + drop",
    },
];

/// The workloads on a pool of `capacity` blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// `PAIRS` times: take a block and give it back, the pool otherwise empty.
    Pair,
    /// The same with `capacity - 1` blocks live around it (the pool nearly full).
    PairFull,
    /// Fill the pool, then free every block, last taken first; repeated to 16,384
    /// blocks. Per block: one `alloc` and one `free`.
    FillLifo,
    /// Fill the pool, then free the blocks in a seeded random order.
    FillRandom,
    /// Fill the pool, then `LOOKUPS` times read the first byte of a block chosen at
    /// random, through its handle.
    Lookup,
}

impl Workload {
    /// Every workload, in table order.
    pub const ALL: [Workload; 5] = [
        Workload::Pair,
        Workload::PairFull,
        Workload::FillLifo,
        Workload::FillRandom,
        Workload::Lookup,
    ];

    /// The name on the command line and in tables.
    pub const fn name(self) -> &'static str {
        match self {
            Workload::Pair => "pair",
            Workload::PairFull => "pair-full",
            Workload::FillLifo => "fill-lifo",
            Workload::FillRandom => "fill-random",
            Workload::Lookup => "lookup",
        }
    }

    /// The workload called `name`.
    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// Pairs in [`Workload::Pair`] and [`Workload::PairFull`].
pub const PAIRS: u64 = 20_000;
/// Blocks taken and freed in the fill workloads, at least one round.
pub const FILL_BLOCKS: usize = 16_384;
/// Lookups in [`Workload::Lookup`].
pub const LOOKUPS: u64 = 20_000;
/// The seed of every random stream here.
pub const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

fn fill<P: FixedPool>(pool: &mut P, blocks: usize, handles: &mut Vec<P::Handle>) {
    for _ in 0..blocks {
        handles.push(pool.alloc().expect("the pool holds `capacity` blocks"));
    }
}

fn drain<P: FixedPool>(pool: &mut P, handles: &mut Vec<P::Handle>) {
    while let Some(handle) = handles.pop() {
        pool.free(handle);
    }
}

/// Rounds of the fill workloads at `capacity`.
pub const fn fill_rounds(capacity: usize) -> usize {
    if capacity >= FILL_BLOCKS {
        1
    } else {
        FILL_BLOCKS / capacity
    }
}

/// The positions `swap_remove` takes the blocks from in a random drain of `capacity`
/// blocks: a uniformly random order, the same on every run.
pub fn random_drain_order(capacity: usize) -> Vec<usize> {
    let mut rng = Rng::new(SEED);
    (0..capacity).map(|i| rng.below(capacity - i)).collect()
}

/// One fill and drain round, every allocator call through [`measured`]. Returns the
/// blocks taken.
pub fn fill_drain_round<P: FixedPool>(
    pool: &mut P,
    capacity: usize,
    order: Option<&[usize]>,
    handles: &mut Vec<P::Handle>,
) -> u64 {
    for _ in 0..capacity {
        handles.push(measured::alloc(pool).expect("the pool holds `capacity` blocks"));
    }
    match order {
        None => {
            while let Some(handle) = handles.pop() {
                measured::free(pool, handle);
            }
        }
        Some(order) => {
            for &at in order {
                let handle = handles.swap_remove(at);
                measured::free(pool, handle);
            }
        }
    }
    capacity as u64
}

/// Runs `workload` once on `pool`, every allocator call through [`measured`], and
/// leaves the pool empty. `units` counts pairs (or lookups).
pub fn run<P: FixedPool>(pool: &mut P, workload: Workload, capacity: usize) -> Outcome {
    let mut handles = Vec::with_capacity(capacity);
    let units = match workload {
        Workload::Pair => {
            for _ in 0..PAIRS {
                measured::pair(pool);
            }
            PAIRS
        }
        Workload::PairFull => {
            fill(pool, capacity - 1, &mut handles);
            for _ in 0..PAIRS {
                measured::pair(pool);
            }
            drain(pool, &mut handles);
            PAIRS
        }
        Workload::FillLifo | Workload::FillRandom => {
            let order = (workload == Workload::FillRandom).then(|| random_drain_order(capacity));
            (0..fill_rounds(capacity))
                .map(|_| fill_drain_round(pool, capacity, order.as_deref(), &mut handles))
                .sum()
        }
        Workload::Lookup => {
            fill(pool, capacity, &mut handles);
            let mut rng = Rng::new(SEED);
            let mut sum = 0u32;
            for _ in 0..LOOKUPS {
                let handle = &handles[rng.below(capacity)];
                sum += u32::from(measured::lookup(pool, handle).expect("a live handle"));
            }
            black_box(sum);
            drain(pool, &mut handles);
            LOOKUPS
        }
    };
    Outcome {
        units,
        ..Outcome::default()
    }
}

/// Something to do with a pool entry whose type the dispatch picks.
pub trait Visitor {
    /// What it returns.
    type Out;
    /// Runs on a fresh, empty pool of the entry's type.
    fn visit<P: FixedPool>(self, pool: P, capacity: usize) -> Self::Out;
}

/// Makes the pool `entry` names with `capacity` blocks and hands it to `visitor`;
/// `None` for an unknown entry or capacity, or a lookup on an entry that has none
/// (when `lookup` is set).
pub fn with_pool<V: Visitor>(
    entry: &str,
    capacity: usize,
    lookup: bool,
    visitor: V,
) -> Option<V::Out> {
    macro_rules! at_capacity {
        ($n:literal, $pool:ident, $heapless:ident, $atomic:ident) => {
            match entry {
                "index-free-list" => go(IndexFreeList::new($n), $n, lookup, visitor),
                "tinyalloc-slab" => go(
                    Slab::<_, false>(std::boxed::Box::new(
                        TinySlabAllocator::<{ BLOCK * $n }, $n>::new(),
                    )),
                    $n,
                    lookup,
                    visitor,
                ),
                "tinyalloc-slab-copy" => go(
                    Slab::<_, true>(std::boxed::Box::new(
                        TinySlabAllocator::<{ BLOCK * $n }, $n>::new(),
                    )),
                    $n,
                    lookup,
                    visitor,
                ),
                "tinyalloc-pool" => go(StaticPool(&$pool), $n, lookup, visitor),
                "tinyalloc-cache-nolock" => go(Cache::<NoLock>::new(), $n, lookup, visitor),
                "tinyalloc-cache-spin" => go(Cache::<SpinLock>::new(), $n, lookup, visitor),
                "slab" => go(
                    SlabCrate(slab::Slab::with_capacity($n)),
                    $n,
                    lookup,
                    visitor,
                ),
                "slotmap" => go(
                    SlotMapCrate(slotmap::SlotMap::with_capacity($n)),
                    $n,
                    lookup,
                    visitor,
                ),
                "heapless-box-pool" => go(heapless_pools::$heapless::entry(), $n, lookup, visitor),
                "atomic-pool" => go(
                    AtomicPool::<atomic_pools::$atomic>(core::marker::PhantomData),
                    $n,
                    lookup,
                    visitor,
                ),
                "attachable-nolock" => go(
                    Attachable::<attachable_slab_allocator::locks::NoLock>::new(),
                    $n,
                    lookup,
                    visitor,
                ),
                "attachable-spin" => go(
                    Attachable::<attachable_slab_allocator::locks::SpinLock>::new(),
                    $n,
                    lookup,
                    visitor,
                ),
                _ => None,
            }
        };
    }
    fn go<P: FixedPool, V: Visitor>(
        pool: P,
        capacity: usize,
        lookup: bool,
        visitor: V,
    ) -> Option<V::Out> {
        (!lookup || P::LOOKUP).then(|| visitor.visit(pool, capacity))
    }
    match capacity {
        32 => at_capacity!(32, POOL_32, Pool32, Pool32),
        256 => at_capacity!(256, POOL_256, Pool256, Pool256),
        4096 => at_capacity!(4096, POOL_4096, Pool4096, Pool4096),
        _ => None,
    }
}

#[tinyalloc::pool(size = 2048, slots = 32)]
static POOL_32: Pool;
#[tinyalloc::pool(size = 16384, slots = 256)]
static POOL_256: Pool;
#[tinyalloc::pool(size = 262144, slots = 4096)]
static POOL_4096: Pool;

mod ours;
mod peers;
pub use ours::*;
pub use peers::*;
