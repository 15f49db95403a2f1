//! The pool, queue and cache cases: `static`s, as firmware declares them, so each
//! runs at most once per process (the pool and queues are emptied before each case).

use tinyalloc::global::PoolDeque;
use tinyalloc::prelude::{CriticalSectionLock, SlabBox, SlabCache};

use tinyalloc_bench::worst::Shape;
use tinyalloc_bench::{buffers, measured};

use super::{armed, armed_once};

/// The pool of the pool cases: the benchmark's 256 slots of 64 B.
#[tinyalloc::pool(size = 16384, slots = 256)]
static POOL: Pool;
/// The pool of the queue cases: the benchmark's `PoolDeque` pool, 128 × 64 B.
#[tinyalloc::pool(size = 8192, slots = 128)]
static QUEUE_POOL: Pool;
static QUEUE: PoolDeque = PoolDeque::new(&QUEUE_POOL);

/// The bytes the pool cases copy in.
static PAYLOAD: [u8; 64] = [0xA5; 64];

pub(super) fn pool(op: &str) -> Option<Shape> {
    POOL.with(|slab| slab.clear());
    let mut handles = Vec::new();
    while let Ok(handle) = POOL.alloc(&PAYLOAD) {
        handles.push(handle);
    }
    let in_use = || POOL.stats().in_use;
    let mut shape = Shape::default();
    match op {
        "alloc" | "alloc-full" => {
            if op == "alloc" {
                POOL.free(handles.pop().expect("a full pool"));
            }
            shape.blocks.0 = in_use();
            shape.succeeded = armed_once(|| POOL.alloc(&PAYLOAD)).is_ok();
        }
        "free" => {
            let last = handles.pop().expect("a full pool");
            for handle in handles.drain(..) {
                POOL.free(handle);
            }
            shape.blocks.0 = in_use();
            shape.succeeded = armed_once(|| POOL.free(last));
        }
        "read" => {
            let handle = handles[handles.len() - 1];
            shape.blocks.0 = in_use();
            let sum = armed_once(|| {
                POOL.read(handle, |bytes| {
                    bytes.iter().map(|&b| u32::from(b)).sum::<u32>()
                })
            });
            shape.succeeded = sum == Some(0xA5 * 64);
        }
        _ => return None,
    }
    shape.blocks.1 = in_use();
    Some(shape)
}

pub(super) fn pool_deque(op: &str, len: usize) -> Option<Shape> {
    QUEUE.clear();
    let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
    let in_use = || QUEUE_POOL.stats().in_use;
    let mut shape = Shape::default();
    match op {
        "push-slice" => {
            shape.blocks.0 = in_use();
            shape.succeeded = armed_once(|| QUEUE.push_slice(&data)).is_ok();
        }
        "pop-into" => {
            QUEUE.push_slice(&data).ok()?;
            let mut out = vec![0; len];
            shape.blocks.0 = in_use();
            let n = armed_once(|| QUEUE.pop_into(&mut out));
            shape.succeeded = n == len && out == data;
        }
        _ => return None,
    }
    shape.blocks.1 = in_use();
    QUEUE.clear();
    Some(shape)
}

/// The benchmark's `GlobalDeque` (through [`buffers::with_queue`]), one slice of `len`
/// bytes in or out.
pub(super) struct GlobalSlices<'a>(pub(super) &'a str, pub(super) usize);

impl buffers::Visitor for GlobalSlices<'_> {
    type Out = Option<Shape>;
    fn visit<Q: buffers::ByteQueue>(self, mut queue: Q) -> Option<Shape> {
        let data: Vec<u8> = (0..self.1).map(|i| i as u8).collect();
        let mut shape = Shape::default();
        match self.0 {
            "push-slice" => {
                shape.succeeded = armed(|| measured::push_slice(&mut queue, &data));
            }
            "pop-into" => {
                queue.push_slice(&data).then_some(())?;
                let mut out = vec![0; self.1];
                let n = armed(|| measured::pop_slice(&mut queue, &mut out));
                shape.succeeded = n == self.1 && out == data;
            }
            _ => return None,
        }
        Some(shape)
    }
}

/// What the cache cases store: 64 bytes, as the benchmark's caches.
type Object = [u64; 8];
/// The cache cases' slab size.
const SLAB: usize = 4096;

tinyalloc::slab_region! {
    /// The slabs of the `alloc-grow` case.
    GrowRam, slabs = 8, slab_size = 4096
}
tinyalloc::slab_region! {
    /// The slabs of the `drop-last` case.
    DropRam, slabs = 8, slab_size = 4096
}
tinyalloc::slab_region! {
    /// The slabs of the `trim` case.
    TrimRam, slabs = 8, slab_size = 4096
}
static GROW: SlabCache<Object, CriticalSectionLock, SLAB, GrowRam> = SlabCache::lazy();
static DROP: SlabCache<Object, CriticalSectionLock, SLAB, DropRam> =
    SlabCache::lazy_with_reserve(0);
static TRIM: SlabCache<Object, CriticalSectionLock, SLAB, TrimRam> =
    SlabCache::lazy_with_reserve(7);

/// Boxes of `cache` until its slabs hold `slabs` (or the region runs out).
fn fill_cache<P: tinyalloc::cache::SlabProvider>(
    cache: &'static SlabCache<Object, CriticalSectionLock, SLAB, P>,
    slabs: usize,
) -> Vec<SlabBox<Object, CriticalSectionLock, SLAB>> {
    let mut boxes = Vec::new();
    loop {
        let stats = cache.stats();
        if stats.slabs >= slabs && stats.in_use == stats.capacity {
            return boxes;
        }
        match cache.alloc([7; 8]) {
            Ok(item) => boxes.push(item),
            Err(_) => return boxes,
        }
    }
}

/// Each cache case runs once per process: its cache and region are its own statics.
pub(super) fn cache(op: &str) -> Option<Shape> {
    let mut shape = Shape::default();
    match op {
        "alloc-grow" => {
            let boxes = fill_cache(&GROW, 4);
            shape.blocks.0 = GROW.stats().slabs;
            shape.succeeded = armed_once(|| GROW.alloc([7; 8])).is_ok();
            shape.blocks.1 = GROW.stats().slabs;
            drop(boxes);
        }
        "drop-last" => {
            let mut boxes = fill_cache(&DROP, 1);
            let last = DROP.alloc([7; 8]).ok()?;
            boxes.push(last);
            shape.blocks.0 = DROP.stats().slabs;
            let last = boxes.pop()?;
            armed_once(|| drop(last));
            shape.blocks.1 = DROP.stats().slabs;
            shape.succeeded = shape.blocks.1 + 1 == shape.blocks.0;
        }
        "trim" => {
            drop(fill_cache(&TRIM, 8));
            shape.blocks.0 = TRIM.stats().slabs;
            shape.succeeded = armed_once(|| TRIM.trim()).is_ok();
            shape.blocks.1 = TRIM.stats().slabs;
        }
        _ => return None,
    }
    Some(shape)
}
