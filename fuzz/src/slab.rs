//! `TinySlabAllocator` and a `Pool` made by `#[tinyalloc::pool]`, each run through
//! the same operations against a model of its live blocks: alloc, alloc_uninit, get,
//! get_mut, contains and free with live, stale, double-freed, forged and out-of-range
//! handles, and clear. After every step each live block holds its bytes at its length,
//! no two blocks overlap, and `Stats` match the model exactly.

use arbitrary::Arbitrary;
use tinyalloc::{AllocError, Handle, Stats, TinySlabAllocator};

use crate::{MAX_OPS, pattern};

const BLOCK: usize = 16;
const SLOTS: usize = 12;

#[tinyalloc::pool(size = 192, slots = 12)]
static POOL: Pool;

/// One step. Picks index the model's lists modulo their length.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    /// `alloc` of `len % (BLOCK + 5)` pattern bytes: some are too large.
    Alloc { len: u8, seed: u8 },
    /// `alloc_uninit` of `len % (BLOCK + 5)` bytes, then filled.
    AllocUninit { len: u8, fill: u8 },
    /// `get` of a live handle.
    Get(u8),
    /// `get_mut` of a live handle, filling its bytes.
    GetMut { pick: u8, fill: u8 },
    /// `free` of a live handle, then `get` of it (stale now).
    Free(u8),
    /// `free`, `get` and `get_mut` of a handle freed before (double free), then of
    /// the handle one generation on.
    Stale(u8),
    /// A handle from raw bits: accepted exactly when it names a live block.
    Forged { bits: u32, free: bool },
    /// A handle whose index is past the last slot.
    OutOfRange { index: u16, generation: u16 },
    /// `contains` of forged bits: true exactly for a live block, and not counted.
    Contains(u32),
    /// Every block back at once; every handle stale.
    Clear,
}

/// The input: the operations, applied to both engines.
#[derive(Arbitrary, Debug)]
pub struct Input {
    pub ops: Vec<Op>,
}

/// What both engines offer the model: the slab directly, the pool through its
/// critical-section methods.
trait Engine {
    fn alloc(&mut self, data: &[u8]) -> Result<Handle, AllocError>;
    /// `alloc_uninit` of `len` bytes, each then set to `fill`.
    fn alloc_filled(&mut self, len: usize, fill: u8) -> Result<Handle, AllocError>;
    /// The bytes and their address.
    fn get(&mut self, handle: Handle) -> Option<(Vec<u8>, usize)>;
    /// Fills the bytes; `None` for a rejected handle.
    fn fill(&mut self, handle: Handle, fill: u8) -> Option<usize>;
    fn free(&mut self, handle: Handle) -> bool;
    fn contains(&mut self, handle: Handle) -> bool;
    fn clear(&mut self);
    fn stats(&mut self) -> Stats;
    fn len(&mut self) -> usize;
}

type Slab = TinySlabAllocator<{ BLOCK * SLOTS }, SLOTS>;

impl Engine for Slab {
    fn alloc(&mut self, data: &[u8]) -> Result<Handle, AllocError> {
        Slab::alloc(self, data)
    }
    fn alloc_filled(&mut self, len: usize, fill: u8) -> Result<Handle, AllocError> {
        let (handle, bytes) = self.alloc_uninit(len)?;
        assert_eq!(bytes.len(), len, "alloc_uninit gave the wrong length");
        bytes.fill(fill);
        Ok(handle)
    }
    fn get(&mut self, handle: Handle) -> Option<(Vec<u8>, usize)> {
        Slab::get(self, handle).map(|b| (b.to_vec(), b.as_ptr() as usize))
    }
    fn fill(&mut self, handle: Handle, fill: u8) -> Option<usize> {
        self.get_mut(handle).map(|b| {
            b.fill(fill);
            b.len()
        })
    }
    fn free(&mut self, handle: Handle) -> bool {
        Slab::free(self, handle)
    }
    fn contains(&mut self, handle: Handle) -> bool {
        Slab::contains(self, handle)
    }
    fn clear(&mut self) {
        Slab::clear(self)
    }
    fn stats(&mut self) -> Stats {
        Slab::stats(self)
    }
    fn len(&mut self) -> usize {
        Slab::len(self)
    }
}

/// The static pool, reached only through its own methods.
struct StaticPool;

impl Engine for StaticPool {
    fn alloc(&mut self, data: &[u8]) -> Result<Handle, AllocError> {
        POOL.alloc(data)
    }
    fn alloc_filled(&mut self, len: usize, fill: u8) -> Result<Handle, AllocError> {
        POOL.alloc_with(len, |bytes| {
            assert_eq!(bytes.len(), len, "alloc_with gave the wrong length");
            bytes.fill(fill);
        })
    }
    fn get(&mut self, handle: Handle) -> Option<(Vec<u8>, usize)> {
        POOL.read(handle, |b| (b.to_vec(), b.as_ptr() as usize))
    }
    fn fill(&mut self, handle: Handle, fill: u8) -> Option<usize> {
        POOL.write(handle, |b| {
            b.fill(fill);
            b.len()
        })
    }
    fn free(&mut self, handle: Handle) -> bool {
        POOL.free(handle)
    }
    fn contains(&mut self, handle: Handle) -> bool {
        POOL.with(|slab| slab.contains(handle))
    }
    fn clear(&mut self) {
        POOL.with(|slab| slab.clear())
    }
    fn stats(&mut self) -> Stats {
        POOL.stats()
    }
    fn len(&mut self) -> usize {
        POOL.len()
    }
}

/// What the engine must hold. Counters start from the engine's own at the start of
/// the run: the static pool keeps its counters from one input to the next.
struct Model {
    live: Vec<(Handle, Vec<u8>)>,
    dead: Vec<Handle>,
    base: Stats,
    high_water: usize,
    failed: usize,
    rejected: usize,
}

impl Model {
    fn find(&self, handle: Handle) -> Option<usize> {
        self.live.iter().position(|(h, _)| *h == handle)
    }

    fn allocated(&mut self, result: Result<Handle, AllocError>, data: Vec<u8>) {
        match result {
            Ok(handle) => {
                assert!(data.len() <= BLOCK, "a block larger than the block size");
                assert!(self.live.len() < SLOTS, "more blocks than slots");
                assert!(
                    self.find(handle).is_none(),
                    "a live handle handed out twice"
                );
                assert!(
                    !self.dead.contains(&handle),
                    "a stale handle handed out again"
                );
                self.live.push((handle, data));
                self.high_water = self.high_water.max(self.live.len());
            }
            Err(AllocError::TooLarge {
                requested,
                block_size,
            }) => {
                assert_eq!((requested, block_size), (data.len(), BLOCK));
                assert!(data.len() > BLOCK, "TooLarge for a request that fits");
                self.failed += 1;
            }
            Err(AllocError::OutOfMemory) => {
                assert!(data.len() <= BLOCK, "OutOfMemory before TooLarge");
                assert_eq!(self.live.len(), SLOTS, "OutOfMemory with a free block");
                self.failed += 1;
            }
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    /// A handle the engine must refuse: stale, double-freed, forged or out of range.
    fn refused(&mut self, engine: &mut impl Engine, handle: Handle, free: bool) {
        assert!(self.find(handle).is_none());
        assert_eq!(engine.get(handle), None, "a dead handle was read");
        assert_eq!(engine.fill(handle, 0xEE), None, "a dead handle was written");
        self.rejected += 2;
        if free {
            assert!(!engine.free(handle), "a dead handle was freed");
            self.rejected += 1;
        }
    }

    /// After every step: contents, lengths, no overlap, and the counters.
    fn check(&self, engine: &mut impl Engine) {
        let mut starts = Vec::with_capacity(self.live.len());
        for (handle, data) in &self.live {
            let (bytes, addr) = engine.get(*handle).expect("a live handle was refused");
            assert_eq!(bytes, *data, "a block lost its bytes");
            assert_eq!(addr % 8, 0, "a block is not aligned to 8");
            starts.push(addr);
        }
        starts.sort_unstable();
        for pair in starts.windows(2) {
            assert!(pair[1] - pair[0] >= BLOCK, "two live blocks overlap");
        }
        let stats = engine.stats();
        let saturated = |base: usize, added: usize| (base + added).min(u32::MAX as usize);
        assert_eq!(stats.blocks, SLOTS);
        assert_eq!(stats.in_use, self.live.len());
        assert_eq!(engine.len(), self.live.len());
        assert_eq!(stats.high_water, self.base.high_water.max(self.high_water));
        assert_eq!(
            stats.failed_allocs,
            saturated(self.base.failed_allocs, self.failed)
        );
        assert_eq!(
            stats.rejected_handles,
            saturated(self.base.rejected_handles, self.rejected)
        );
    }
}

fn run_on(engine: &mut impl Engine, ops: &[Op]) {
    engine.clear();
    let base = engine.stats();
    assert_eq!(base.in_use, 0);
    let mut model = Model {
        live: Vec::new(),
        dead: Vec::new(),
        base,
        high_water: 0,
        failed: 0,
        rejected: 0,
    };
    for op in ops.iter().take(MAX_OPS) {
        match *op {
            Op::Alloc { len, seed } => {
                let data = pattern(seed, usize::from(len) % (BLOCK + 5));
                let result = engine.alloc(&data);
                model.allocated(result, data);
            }
            Op::AllocUninit { len, fill } => {
                let len = usize::from(len) % (BLOCK + 5);
                let result = engine.alloc_filled(len, fill);
                model.allocated(result, vec![fill; len]);
            }
            Op::Get(pick) if !model.live.is_empty() => {
                let (handle, data) = &model.live[usize::from(pick) % model.live.len()];
                assert_eq!(engine.get(*handle).map(|(b, _)| b), Some(data.clone()));
            }
            Op::GetMut { pick, fill } if !model.live.is_empty() => {
                let index = usize::from(pick) % model.live.len();
                let (handle, data) = &mut model.live[index];
                assert_eq!(engine.fill(*handle, fill), Some(data.len()));
                data.fill(fill);
            }
            Op::Free(pick) if !model.live.is_empty() => {
                let index = usize::from(pick) % model.live.len();
                let (handle, _) = model.live.swap_remove(index);
                assert!(engine.free(handle), "a live handle was not freed");
                model.dead.push(handle);
                model.refused(engine, handle, false);
            }
            Op::Stale(pick) if !model.dead.is_empty() => {
                let handle = model.dead[usize::from(pick) % model.dead.len()];
                model.refused(engine, handle, true);
                // One generation on: the handle its slot hands out next while the slot
                // is free (which meets the free tag exactly), or a later block's.
                let next = Handle::new(handle.index(), handle.generation().wrapping_add(1))
                    .expect("the index of a handle");
                match model.find(next) {
                    Some(index) => {
                        let expected = model.live[index].1.clone();
                        assert_eq!(engine.get(next).map(|(b, _)| b), Some(expected));
                    }
                    None => model.refused(engine, next, true),
                }
            }
            Op::Forged { bits, free } => {
                let Some(handle) = Handle::from_bits(bits) else {
                    continue;
                };
                match model.find(handle) {
                    // It names a live block exactly: that is the block.
                    Some(index) => {
                        let expected = model.live[index].1.clone();
                        assert_eq!(engine.get(handle).map(|(b, _)| b), Some(expected));
                        if free {
                            assert!(engine.free(handle));
                            let _freed = model.live.swap_remove(index);
                            model.dead.push(handle);
                        }
                    }
                    None => model.refused(engine, handle, free),
                }
            }
            Op::OutOfRange { index, generation } => {
                let index = SLOTS + usize::from(index) % (Handle::MAX_SLOTS - SLOTS);
                let handle = Handle::new(index, generation).expect("an index below MAX_SLOTS");
                model.refused(engine, handle, true);
            }
            Op::Contains(bits) => {
                if let Some(handle) = Handle::from_bits(bits) {
                    assert_eq!(engine.contains(handle), model.find(handle).is_some());
                }
            }
            Op::Clear => {
                engine.clear();
                model.dead.extend(model.live.drain(..).map(|(h, _)| h));
            }
            // A pick with nothing to pick from.
            Op::Get(_) | Op::GetMut { .. } | Op::Free(_) | Op::Stale(_) => {}
        }
        model.check(engine);
    }
    for (handle, _) in model.live.drain(..) {
        assert!(engine.free(handle));
    }
    assert_eq!(engine.stats().in_use, 0, "blocks left in use");
}

/// Runs the operations on a fresh `TinySlabAllocator`, then on the static `Pool`.
pub fn run(input: &Input) {
    let mut slab = Box::new(Slab::new());
    run_on(&mut *slab, &input.ops);
    run_on(&mut StaticPool, &input.ops);
}
