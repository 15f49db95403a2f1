//! The heap cases: each engine over a region of its own, built into the shape that
//! makes one call longest.

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;

use tinyalloc::heap::{
    BumpFreeListAllocator, FreeListAllocator, HeapStats, SegregatedBumpAllocator,
};

use tinyalloc_bench::worst::{IMPOSSIBLE_ALIGN, Shape};

use super::armed_once;

/// Where a region starts past a multiple of [`IMPOSSIBLE_ALIGN`].
const REGION_OFFSET: usize = 4096;
/// The smallest and largest sizes `FreeListAllocator` keeps in its quick slots, two
/// blocks each (its module docs: 126 blocks).
const QUICK_SIZES: core::ops::RangeInclusive<usize> = 16..=512;
/// How much of the heap goes to waiting blocks, in eighths, for each free-list
/// case built on [`fragmented_free_list`]: the share that made each longest of 0,
/// 1/8, … 7/8 (free blocks cost a failing `alloc` two walks; waiting blocks cost
/// `stats` a sort and a merge estimate).
fn waiting_eighths(op: &str) -> usize {
    match op {
        "alloc-fail" => 0,
        "verify" => 4,
        _ => 7,
    }
}

/// A heap engine the cases drive: `GlobalAlloc` and the engines' inherent methods.
trait Engine: GlobalAlloc + Sync + 'static {
    fn make() -> &'static Self;
    fn init(&self, region: &'static mut [MaybeUninit<u8>]);
    fn stats(&self) -> HeapStats;
}

macro_rules! engine {
    ($($ty:ident),*) => {$(
        impl Engine for $ty<0> {
            fn make() -> &'static Self {
                Box::leak(Box::new($ty::<0>::new()))
            }
            fn init(&self, region: &'static mut [MaybeUninit<u8>]) {
                $ty::init(self, region).expect("a fresh heap");
            }
            fn stats(&self) -> HeapStats {
                $ty::stats(self)
            }
        }
    )*};
}

engine!(
    FreeListAllocator,
    SegregatedBumpAllocator,
    BumpFreeListAllocator
);

/// A fresh region of `len` bytes, [`REGION_OFFSET`] past a multiple of
/// [`IMPOSSIBLE_ALIGN`], for the rest of the run.
fn region(len: usize) -> &'static mut [MaybeUninit<u8>] {
    assert!(
        len + REGION_OFFSET <= IMPOSSIBLE_ALIGN,
        "a region below the alignment"
    );
    let layout = Layout::from_size_align(IMPOSSIBLE_ALIGN, IMPOSSIBLE_ALIGN).expect("valid");
    // SAFETY: the layout's size is not zero.
    let base = unsafe { std::alloc::alloc(layout) }.cast::<MaybeUninit<u8>>();
    assert!(!base.is_null(), "the host has 128 KiB");
    // SAFETY: `REGION_OFFSET` is inside the allocation.
    let start = unsafe { base.add(REGION_OFFSET) };
    // SAFETY: `len` bytes from `start` lie in the allocation (asserted above), never
    // freed, and this is the only reference to them.
    unsafe { core::slice::from_raw_parts_mut(start, len) }
}

fn layout(size: usize) -> Layout {
    Layout::from_size_align(size, 8).expect("a valid layout")
}

/// A heap being built, and what the builder recorded of its shape.
struct Built<H: 'static> {
    heap: &'static H,
    shape: Shape,
}

impl<H: Engine> Built<H> {
    fn new(len: usize) -> Self {
        let heap = H::make();
        heap.init(region(len));
        Built {
            heap,
            shape: Shape {
                region: len,
                ..Shape::default()
            },
        }
    }

    fn alloc(&self, size: usize) -> *mut u8 {
        // SAFETY: never zero bytes.
        unsafe { self.heap.alloc(layout(size)) }
    }

    fn free(&self, ptr: *mut u8, size: usize) {
        // SAFETY: the builders free only live blocks, with their size.
        unsafe { self.heap.dealloc(ptr, layout(size)) }
    }

    /// Blocks of `size` bytes until the heap has none left, in address order.
    fn fill(&self, size: usize) -> Vec<*mut u8> {
        let mut blocks = Vec::new();
        loop {
            let ptr = self.alloc(size);
            if ptr.is_null() {
                return blocks;
            }
            blocks.push(ptr);
        }
    }

    /// Runs `op` once, measured, between two snapshots of the statistics.
    fn measure<R>(
        mut self,
        op: impl FnOnce(&'static H) -> R,
        ok: impl FnOnce(&R) -> bool,
    ) -> Shape {
        let heap = self.heap;
        self.shape.before = Some(heap.stats());
        let result = armed_once(|| op(heap));
        self.shape.succeeded = ok(&result);
        self.shape.after = Some(heap.stats());
        self.shape
    }
}

/// The quick-slot sizes from `from`, each twice, in ascending order, as many as fit
/// in `budget` bytes counting `extra` more bytes for each block.
fn waiting_sizes(from: usize, budget: usize, extra: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut taken = 0;
    for size in QUICK_SIZES.step_by(8).filter(|&size| size >= from) {
        if taken + 2 * (size + extra) > budget {
            break;
        }
        taken += 2 * (size + extra);
        sizes.extend([size, size]);
    }
    sizes
}

/// `FreeListAllocator` with blocks waiting in its quick slots in `eighths` of the
/// heap and the rest cut into the most free blocks it can hold: see
/// [`FREE_LIST_WAITING`](tinyalloc_bench::worst).
fn fragmented_free_list(len: usize, eighths: usize) -> Built<FreeListAllocator<0>> {
    let mut built = Built::<FreeListAllocator<0>>::new(len);
    let usable = built.heap.stats().free;
    // Each waiting block sits before a live 16 B separator, so a waiting block never
    // touches another and the search after merging them still finds only small
    // blocks beside live ones.
    let sizes = waiting_sizes(24, usable * eighths / 8, 16);
    let waiting: Vec<(*mut u8, usize)> = sizes
        .iter()
        .map(|&size| {
            let ptr = built.alloc(size);
            assert!(!built.alloc(16).is_null(), "a separator");
            (ptr, size)
        })
        .collect();
    let fill = built.fill(16);
    for &ptr in fill.iter().step_by(2) {
        built.free(ptr, 16);
    }
    for &(ptr, size) in &waiting {
        built.free(ptr, size);
    }
    // The first two 16 B blocks freed wait in their slots; the others are free.
    let freed = fill.len().div_ceil(2);
    built.shape.waiting = 2 + waiting.len();
    built.shape.free_blocks = freed - 2;
    built
}

/// `FreeListAllocator` with one live 16 B block and then the waiting blocks right
/// after it, largest first, and a live 16 B block after them.
fn free_list_waiting_after(len: usize) -> (Built<FreeListAllocator<0>>, *mut u8, *mut u8, usize) {
    let mut built = Built::<FreeListAllocator<0>>::new(len);
    let usable = built.heap.stats().free;
    let mut sizes = waiting_sizes(16, usable - 64, 0);
    sizes.reverse();
    let first = built.alloc(16);
    let blocks: Vec<(*mut u8, usize)> = sizes
        .iter()
        .map(|&size| (built.alloc(size), size))
        .collect();
    let guard = built.alloc(16);
    assert!(!guard.is_null(), "the guard after them");
    for &(ptr, size) in &blocks {
        assert!(!ptr.is_null(), "the waiting blocks fit");
        built.free(ptr, size);
    }
    built.shape.waiting = blocks.len();
    let bytes = sizes.iter().sum();
    (built, first, guard, bytes)
}

pub(super) fn free_list(op: &str, len: usize) -> Option<Shape> {
    Some(match op {
        "alloc-fail" | "alloc-fail-large" | "stats" | "verify" => {
            let built = fragmented_free_list(len, waiting_eighths(op));
            match op {
                "alloc-fail" => {
                    let request = Layout::from_size_align(16, IMPOSSIBLE_ALIGN).expect("valid");
                    // SAFETY: not zero bytes.
                    built.measure(|heap| unsafe { heap.alloc(request) }, |ptr| !ptr.is_null())
                }
                "alloc-fail-large" => {
                    // The whole heap: no larger, or the engine fails before it merges.
                    let stats = built.heap.stats();
                    let request = layout(stats.used + stats.free);
                    // SAFETY: not zero bytes.
                    built.measure(|heap| unsafe { heap.alloc(request) }, |ptr| !ptr.is_null())
                }
                "stats" => built.measure(|heap| heap.stats(), |_| true),
                _ => built.measure(|heap| heap.verify(), Result::is_ok),
            }
        }
        "dealloc-last" => {
            let (built, first, guard, _) = free_list_waiting_after(len);
            // The guard goes first, so the first block is the last live one.
            built.free(guard, 16);
            built.measure(
                // SAFETY: `first` is live, 16 bytes.
                |heap| unsafe { heap.dealloc(first, layout(16)) },
                |()| true,
            )
        }
        "realloc-grow" => {
            let (built, first, _, bytes) = free_list_waiting_after(len);
            built.measure(
                // SAFETY: `first` is live, 16 bytes.
                |heap| unsafe { heap.realloc(first, layout(16), 16 + bytes) },
                |&ptr| ptr == first,
            )
        }
        "realloc-shrink-slide" => {
            // A 16 B block, then one block as large as the rest of the heap but a
            // 16 B guard: shrunk by 8 bytes beside the live guard, it slides down
            // over the freed 16 B block, its bytes copied between two sections.
            let mut built = Built::<FreeListAllocator<0>>::new(len);
            let big = built.heap.stats().free - 32;
            let below = built.alloc(16);
            let block = built.alloc(big);
            assert!(
                !block.is_null() && !built.alloc(16).is_null(),
                "the heap is full"
            );
            built.free(below, 16);
            built.shape.waiting = 1;
            built.measure(
                // SAFETY: `block` is live, `big` bytes.
                |heap| unsafe { heap.realloc(block, layout(big), big - 8) },
                |&ptr| ptr == below,
            )
        }
        _ => return None,
    })
}

/// The request sizes of one block per size class of `SegregatedBumpAllocator` (16,
/// 32, 64, 128 B, then four classes per power of two), ascending.
fn class_sizes() -> impl Iterator<Item = usize> {
    [16, 32, 64].into_iter().chain((7..20).flat_map(|shift| {
        let power = 1usize << shift;
        (4..8).map(move |quarters| power / 4 * quarters)
    }))
}

pub(super) fn segregated(op: &str, len: usize) -> Option<Shape> {
    type Heap = SegregatedBumpAllocator<0>;
    Some(match op {
        "alloc-fail" => {
            let mut built = Built::<Heap>::new(len);
            let usable = built.heap.stats().free;
            let mut taken = 0;
            let mut classes = Vec::new();
            for size in class_sizes() {
                if taken + size > usable / 2 {
                    break;
                }
                taken += size;
                classes.push((built.alloc(size), size));
            }
            let fill = built.fill(16);
            assert!(!fill.is_empty(), "the heap is used up");
            for &(ptr, size) in &classes {
                built.free(ptr, size);
            }
            built.shape.free_blocks = classes.len();
            let request = Layout::from_size_align(16, IMPOSSIBLE_ALIGN).expect("valid");
            // SAFETY: not zero bytes.
            built.measure(|heap| unsafe { heap.alloc(request) }, |ptr| !ptr.is_null())
        }
        "realloc-grow" | "stats" | "verify" => {
            let mut built = Built::<Heap>::new(len);
            let fill = built.fill(16);
            // Every other block from the second, the second first: pushed first,
            // it ends up last on its class's list.
            let freed: Vec<*mut u8> = fill.iter().copied().skip(1).step_by(2).collect();
            for &ptr in &freed {
                built.free(ptr, 16);
            }
            built.shape.free_blocks = freed.len();
            let first = fill[0];
            match op {
                "realloc-grow" => built.measure(
                    // SAFETY: `first` is live, 16 bytes.
                    |heap| unsafe { heap.realloc(first, layout(16), 32) },
                    |&ptr| ptr == first,
                ),
                "stats" => built.measure(|heap| heap.stats(), |_| true),
                _ => built.measure(|heap| heap.verify(), Result::is_ok),
            }
        }
        "dealloc-last" => {
            let built = Built::<Heap>::new(len);
            let fill = built.fill(16);
            for &ptr in &fill[1..] {
                built.free(ptr, 16);
            }
            let first = fill[0];
            built.measure(
                // SAFETY: `first` is live, 16 bytes.
                |heap| unsafe { heap.dealloc(first, layout(16)) },
                |()| true,
            )
        }
        _ => return None,
    })
}

pub(super) fn bump_free_list(op: &str, len: usize) -> Option<Shape> {
    type Heap = BumpFreeListAllocator<0>;
    let mut built = Built::<Heap>::new(len);
    let fill = built.fill(8);
    // Every other block from the first, but never the highest: freed, it would
    // join the bump region.
    let last = fill.len() - 1;
    let mut live = Vec::new();
    for (i, &ptr) in fill.iter().enumerate() {
        if i % 2 == 0 && i != last {
            built.free(ptr, 8);
            built.shape.free_blocks += 1;
        } else {
            live.push(ptr);
        }
    }
    let highest = live[live.len() - 1];
    let second = live[live.len() - 2];
    Some(match op {
        "alloc-fail" => {
            // SAFETY: not zero bytes.
            built.measure(
                |heap| unsafe { heap.alloc(layout(16)) },
                |ptr| !ptr.is_null(),
            )
        }
        "dealloc" => built.measure(
            // SAFETY: `highest` is live, 8 bytes.
            |heap| unsafe { heap.dealloc(highest, layout(8)) },
            |()| true,
        ),
        "realloc-grow" => built.measure(
            // SAFETY: `second` is live, 8 bytes.
            |heap| unsafe { heap.realloc(second, layout(8), 16) },
            |&ptr| ptr == second,
        ),
        "stats" => built.measure(|heap| heap.stats(), |_| true),
        "verify" => built.measure(|heap| heap.verify(), Result::is_ok),
        _ => return None,
    })
}
