//! One `GlobalAlloc` heap engine against a list of its live blocks: alloc, dealloc and
//! realloc with sizes up to 4096 and alignments up to 4096, zero-size requests (the
//! engine's smallest block, as documented), and requests no heap can meet (past any
//! arena, past `isize::MAX`, aligned to 2^40), `largest_free` probed at any moment
//! (it is met, one byte more is not), on an inline arena (large, or small
//! enough to run dry) or on a region of any length at any offset. After every step:
//! every block aligned and apart from every other, the bytes of every block touched as
//! they were written, `verify()` clean, and `HeapStats` exactly as the model counts
//! them (each engine's rounding is modelled on its own). After freeing everything:
//! every byte back, in one free block (the segregated engine: the whole bump region,
//! whose largest class is its largest free size), and a request of exactly
//! `largest_free` bytes is met.

use std::alloc::{GlobalAlloc, Layout};

use arbitrary::Arbitrary;
use tinyalloc::heap::{
    BumpFreeListAllocator, FreeListAllocator, HeapStats, InitError, SegregatedBumpAllocator,
    VerifyError,
};

use crate::MAX_OPS;

/// One step. Picks index the live list modulo its length.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    /// `1 + size % 4096` bytes aligned to `1 << (align_shift % 13)`.
    Alloc {
        size: u16,
        align_shift: u8,
    },
    Dealloc(u8),
    /// To `1 + size % 4096` bytes.
    Realloc {
        pick: u8,
        size: u16,
    },
    /// 64 bytes aligned to 2^20: null and counted unless the arena happens to hold
    /// such an address with room after it, and then a block like any other.
    AllocHugeAlign,
    /// 0 bytes aligned to `1 << (align_shift % 13)`: the engine's smallest block.
    AllocZero {
        align_shift: u8,
    },
    /// To 0 bytes: the block shrinks to the engine's smallest.
    ReallocZero(u8),
    /// A request no heap can meet: null, counted, nothing else changes.
    Impossible(Impossible),
    /// `largest_free` taken at its word: one byte more (aligned to 8) is null and
    /// counted, and exactly `largest_free` bytes are met, the block staying live. The
    /// final check asks the same only of the emptied heap, where blocks waiting to be
    /// merged or a bump region's rounding no longer show.
    Largest,
}

/// Requests beyond any arena.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Impossible {
    /// The largest size a `Layout` allows.
    LargestLayout,
    /// More than any arena can hold (2 GiB and one byte).
    PastMaxArena,
    /// 8 bytes aligned to 2^40: no arena spans that.
    HugeAlign,
    /// A realloc of a live block to the largest size `GlobalAlloc::realloc` allows.
    ReallocHuge(u8),
    /// A realloc of a live block to `usize::MAX - n`, past what `GlobalAlloc` allows
    /// and documented to fail like any other.
    ReallocPastIsize { pick: u8, n: u8 },
}

/// Where the heap's memory comes from.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Arena {
    /// An inline arena of 64 KiB.
    Large,
    /// An inline arena of 2 KiB: it runs dry.
    Small,
    /// A region handed to `init_from_raw_parts`: `len` bytes from `skew % 16` bytes
    /// past a 16-aligned start.
    Region { len: u16, skew: u8 },
}

/// The input: the arena and the operations.
#[derive(Arbitrary, Debug)]
pub struct Input {
    pub arena: Arena,
    pub ops: Vec<Op>,
}

/// What the model needs from an engine, besides `GlobalAlloc`.
pub trait Engine: GlobalAlloc {
    /// Bytes the engine holds for a request of `size` bytes, modelled apart from the
    /// engine's own arithmetic.
    fn rounded(size: usize) -> usize;
    /// `largest_free` of an empty heap with `free` bytes, all in one piece: the
    /// largest request the engine can serve from it.
    fn largest_in(free: usize) -> usize {
        free
    }
    /// Whether a shrink by one 8-byte step may slide the block down into the free
    /// block before it instead of moving it (`FreeListAllocator`): a new address, but
    /// no moment with both blocks held.
    const SLIDES: bool = false;
    fn stats(&self) -> HeapStats;
    fn verify(&self) -> Result<(), VerifyError>;
    /// # Safety
    /// As the engine's `init_from_raw_parts`.
    unsafe fn init_region(&self, ptr: *mut u8, len: usize) -> Result<(), InitError>;
}

fn round8(size: usize) -> usize {
    size.div_ceil(8) * 8
}

macro_rules! engine {
    (
        $name:ident,
        |$size:ident| $rounded:expr
        $(, largest: $largest:path)?
        $(, slides: $slides:expr)?
    ) => {
        impl<const SIZE: usize> Engine for $name<SIZE> {
            fn rounded($size: usize) -> usize {
                $rounded
            }
            $(fn largest_in(free: usize) -> usize {
                $largest(free)
            })?
            $(const SLIDES: bool = $slides;)?
            fn stats(&self) -> HeapStats {
                $name::stats(self)
            }
            fn verify(&self) -> Result<(), VerifyError> {
                $name::verify(self)
            }
            unsafe fn init_region(&self, ptr: *mut u8, len: usize) -> Result<(), InitError> {
                // SAFETY: the caller's contract, passed on.
                unsafe { self.init_from_raw_parts(ptr, len) }
            }
        }
    };
}

engine!(BumpFreeListAllocator, |size| round8(size).max(8));
engine!(FreeListAllocator, |size| round8(size).max(16), slides: true);
engine!(SegregatedBumpAllocator, |size| segregated_class(size), largest: segregated_floor);

/// The segregated engine's classes, listed rather than computed: 16, 32, 64, 128, then
/// four per power of two (5/4, 6/4, 7/4 and 8/4 of it).
fn segregated_class(size: usize) -> usize {
    for class in [16, 32, 64, 128] {
        if size <= class {
            return class;
        }
    }
    let mut power = 128;
    loop {
        for quarter in 5..=8 {
            let class = power / 4 * quarter;
            if size <= class {
                return class;
            }
        }
        power *= 2;
    }
}

/// The largest of the segregated engine's classes that is at most `free` (0 if none).
fn segregated_floor(free: usize) -> usize {
    let mut size = 16;
    let mut largest = 0;
    while segregated_class(size) <= free {
        largest = segregated_class(size);
        size = largest + 1;
    }
    largest
}

struct Block {
    ptr: *mut u8,
    layout: Layout,
    fill: u8,
}

impl Block {
    fn bytes(&self) -> &[u8] {
        // SAFETY: a live block of `layout.size()` bytes, all written by `write`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.layout.size()) }
    }

    fn write(&self) {
        // SAFETY: a live block of `layout.size()` bytes that only the model touches.
        unsafe { self.ptr.write_bytes(self.fill, self.layout.size()) };
    }

    fn intact(&self) -> bool {
        self.bytes().iter().all(|&b| b == self.fill)
    }

    /// Whether the two blocks share a byte of what the engine holds for them (each
    /// request rounded up as the engine rounds it, so zero-size blocks count too).
    fn overlaps<H: Engine>(&self, other: &Block) -> bool {
        let (a, b) = (self.ptr as usize, other.ptr as usize);
        a < b + H::rounded(other.layout.size()) && b < a + H::rounded(self.layout.size())
    }
}

struct Model<H> {
    live: Vec<Block>,
    used: usize,
    high_water: usize,
    failed: usize,
    /// `used + free` of the empty heap: constant for its life.
    total: usize,
    _heap: core::marker::PhantomData<H>,
}

impl<H: Engine> Model<H> {
    fn place(&mut self, block: Block) {
        assert_eq!(
            block.ptr as usize % block.layout.align(),
            0,
            "misaligned: {:?}",
            block.layout
        );
        if let Some(other) = self.live.iter().find(|other| other.overlaps::<H>(&block)) {
            panic!(
                "{:?} at {:p} overlaps {:?} at {:p}",
                block.layout, block.ptr, other.layout, other.ptr
            );
        }
        block.write();
        self.live.push(block);
    }

    fn check(&self, heap: &H, step: usize) {
        assert_eq!(heap.verify(), Ok(()), "step {step}");
        let stats = heap.stats();
        assert_eq!(stats.allocations, self.live.len(), "step {step}");
        assert_eq!(stats.used, self.used, "step {step}: used bytes");
        assert_eq!(stats.high_water, self.high_water, "step {step}");
        assert_eq!(stats.failed_allocs, self.failed, "step {step}");
        assert_eq!(
            stats.used + stats.free,
            self.total,
            "step {step}: bytes lost"
        );
        assert_eq!(stats.used + stats.free + stats.overhead(), stats.arena);
        assert!(stats.largest_free <= stats.free, "step {step}: {stats}");
    }

    fn impossible(&mut self, heap: &H, request: Impossible) {
        let layout = match request {
            Impossible::LargestLayout => {
                Layout::from_size_align(isize::MAX as usize, 1).expect("the largest layout")
            }
            Impossible::PastMaxArena => Layout::from_size_align((1 << 31) + 1, 8).unwrap(),
            Impossible::HugeAlign => Layout::from_size_align(8, 1 << 40).unwrap(),
            Impossible::ReallocHuge(pick) | Impossible::ReallocPastIsize { pick, .. } => {
                if self.live.is_empty() {
                    return;
                }
                let block = &self.live[usize::from(pick) % self.live.len()];
                let huge = match request {
                    // `GlobalAlloc::realloc` allows any size that, rounded up to the
                    // alignment, stays within `isize`.
                    Impossible::ReallocHuge(_) => isize::MAX as usize - (block.layout.align() - 1),
                    Impossible::ReallocPastIsize { n, .. } => usize::MAX - usize::from(n),
                    _ => unreachable!(),
                };
                // SAFETY: live with this layout; a size past `isize::MAX` is
                // documented to be refused.
                let moved = unsafe { heap.realloc(block.ptr, block.layout, huge) };
                assert!(moved.is_null(), "a realloc to {huge} bytes succeeded");
                assert!(block.intact(), "a failed realloc changed the block");
                self.failed += 1;
                return;
            }
        };
        // SAFETY: a non-zero size.
        let ptr = unsafe { heap.alloc(layout) };
        assert!(ptr.is_null(), "{layout:?} succeeded");
        self.failed += 1;
    }
}

fn run_on<H: Engine>(heap: &H, ops: &[Op]) {
    let empty = heap.stats();
    assert_eq!(heap.verify(), Ok(()));
    assert_eq!(
        empty.largest_free,
        H::largest_in(empty.free),
        "a fresh heap is one free block"
    );
    let mut model = Model::<H> {
        live: Vec::new(),
        used: 0,
        high_water: 0,
        failed: empty.failed_allocs,
        total: empty.free,
        _heap: core::marker::PhantomData,
    };
    for (step, op) in ops.iter().take(MAX_OPS).enumerate() {
        let fill = (step as u8) ^ 0xA5;
        match *op {
            Op::Alloc { .. } | Op::AllocHugeAlign | Op::AllocZero { .. } => {
                let layout = match *op {
                    Op::Alloc { size, align_shift } => Layout::from_size_align(
                        1 + usize::from(size) % 4096,
                        1 << (align_shift % 13),
                    ),
                    Op::AllocZero { align_shift } => {
                        Layout::from_size_align(0, 1 << (align_shift % 13))
                    }
                    _ => Layout::from_size_align(64, 1 << 20),
                }
                .unwrap();
                let size = layout.size();
                // SAFETY: a non-zero size, or a zero size, which these engines
                // document (the smallest block).
                let ptr = unsafe { heap.alloc(layout) };
                if ptr.is_null() {
                    model.failed += 1;
                } else {
                    model.used += H::rounded(size);
                    model.high_water = model.high_water.max(model.used);
                    model.place(Block { ptr, layout, fill });
                }
            }
            Op::Dealloc(pick) if !model.live.is_empty() => {
                let block = model.live.swap_remove(usize::from(pick) % model.live.len());
                assert!(block.intact(), "step {step}: a block's bytes changed");
                // SAFETY: live, allocated with this layout.
                unsafe { heap.dealloc(block.ptr, block.layout) };
                model.used -= H::rounded(block.layout.size());
            }
            Op::Realloc { .. } | Op::ReallocZero(_) if !model.live.is_empty() => {
                let (pick, size) = match *op {
                    Op::Realloc { pick, size } => (pick, 1 + usize::from(size) % 4096),
                    Op::ReallocZero(pick) => (pick, 0),
                    _ => unreachable!(),
                };
                let index = usize::from(pick) % model.live.len();
                let old = model.live.swap_remove(index);
                assert!(old.intact(), "step {step}: a block's bytes changed");
                // SAFETY: live with this layout; a size far below `isize::MAX` (0 is
                // documented: the smallest block).
                let ptr = unsafe { heap.realloc(old.ptr, old.layout, size) };
                if ptr.is_null() {
                    assert!(old.intact(), "step {step}: a failed realloc lost bytes");
                    model.failed += 1;
                    model.live.push(old);
                } else {
                    let kept = old.layout.size().min(size);
                    // SAFETY: the block has at least `kept` bytes, copied or kept.
                    let bytes = unsafe { std::slice::from_raw_parts(ptr, kept) };
                    assert!(
                        bytes.iter().all(|&b| b == old.fill),
                        "step {step}: realloc lost bytes"
                    );
                    let (before, after) = (H::rounded(old.layout.size()), H::rounded(size));
                    // A move takes the new block while the old one is still held; a
                    // slide (an 8-byte shrink to a lower address, where the engine
                    // can) never holds both, and only the heap can say which it did.
                    let in_place = model.used - before + after;
                    let moved = model.used + after;
                    let may_slide = H::SLIDES && before == after + 8 && ptr < old.ptr;
                    let peak = if ptr == old.ptr
                        || (may_slide && heap.stats().high_water < model.high_water.max(moved))
                    {
                        in_place
                    } else {
                        moved
                    };
                    model.high_water = model.high_water.max(peak);
                    model.used = model.used - before + after;
                    let layout = Layout::from_size_align(size, old.layout.align()).unwrap();
                    model.place(Block { ptr, layout, fill });
                }
            }
            Op::Impossible(request) => model.impossible(heap, request),
            Op::Largest => {
                let largest = heap.stats().largest_free;
                let past = Layout::from_size_align(largest + 1, 8).unwrap();
                // SAFETY: a non-zero size.
                let ptr = unsafe { heap.alloc(past) };
                assert!(
                    ptr.is_null(),
                    "step {step}: {past:?} succeeded with largest_free {largest}"
                );
                model.failed += 1;
                if largest > 0 {
                    let layout = Layout::from_size_align(largest, 8).unwrap();
                    // SAFETY: a non-zero size.
                    let ptr = unsafe { heap.alloc(layout) };
                    assert!(
                        !ptr.is_null(),
                        "step {step}: largest_free {largest} could not be allocated"
                    );
                    model.used += H::rounded(largest);
                    model.high_water = model.high_water.max(model.used);
                    model.place(Block { ptr, layout, fill });
                }
            }
            Op::Dealloc(_) | Op::Realloc { .. } | Op::ReallocZero(_) => {}
        }
        model.check(heap, step);
    }
    for block in model.live.drain(..) {
        assert!(block.intact(), "a block's bytes changed");
        // SAFETY: live, allocated with this layout.
        unsafe { heap.dealloc(block.ptr, block.layout) };
    }
    assert_eq!(heap.verify(), Ok(()));
    let after = heap.stats();
    assert_eq!((after.used, after.allocations), (0, 0), "{after}");
    assert_eq!(after.free, empty.free, "not every byte came back: {after}");
    assert_eq!(
        after.largest_free, empty.largest_free,
        "not one free block again: {after}"
    );
    // The largest free block really is there: a request of `largest_free` bytes takes
    // it whole.
    assert_eq!(H::rounded(after.largest_free), after.largest_free);
    let layout = Layout::from_size_align(after.largest_free, 8).unwrap();
    // SAFETY: a non-zero size (every arena has at least one class-sized block).
    let ptr = unsafe { heap.alloc(layout) };
    assert!(
        !ptr.is_null(),
        "{layout:?} failed on an empty heap: {after}"
    );
    // SAFETY: just allocated with this layout.
    unsafe { heap.dealloc(ptr, layout) };
    assert_eq!(heap.verify(), Ok(()));
}

/// Runs the operations on a fresh heap of engine `H` with the chosen arena.
/// `Large` and `Small` are the inline forms of the same engine.
pub fn run<Large: Engine, Small: Engine, Region: Engine>(
    new_large: fn() -> Large,
    new_small: fn() -> Small,
    new_region: fn() -> Region,
    input: &Input,
) {
    match input.arena {
        Arena::Large => run_on(&*Box::new(new_large()), &input.ops),
        Arena::Small => run_on(&*Box::new(new_small()), &input.ops),
        Arena::Region { len, skew } => {
            let len = usize::from(len);
            let skew = usize::from(skew % 16);
            // 16-aligned storage, `skew` bytes of it skipped.
            let mut storage = vec![0u128; (len + skew).div_ceil(16)];
            let heap = Box::new(new_region());
            let start = storage.as_mut_ptr().cast::<u8>().wrapping_add(skew);
            // SAFETY: `len` bytes from `start` lie in `storage`, which outlives every
            // use of the heap (the heap is dropped first) and is not touched meanwhile.
            match unsafe { heap.init_region(start, len) } {
                Ok(()) => run_on(&*heap, &input.ops),
                Err(InitError::RegionTooSmall { len: usable, min }) => {
                    assert!(usable < min && usable <= len);
                    let layout = Layout::from_size_align(8, 8).unwrap();
                    // SAFETY: a non-zero size.
                    assert!(unsafe { heap.alloc(layout) }.is_null());
                    assert_eq!(heap.stats().failed_allocs, 1);
                }
                Err(other) => panic!("unexpected {other:?}"),
            }
            drop(heap);
            drop(storage);
        }
    }
}
