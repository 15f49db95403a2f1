//! Each heap engine driven directly through `GlobalAlloc` by random sequences of
//! alloc, dealloc and realloc with sizes and alignments up to 4096, against a plain
//! list of live blocks. After every step: every block aligned, no two live blocks
//! overlapping, every block still holding what was written into it (across
//! reallocation too), `verify()` clean, the stats agreeing with the list, and a request
//! of `largest_free` bytes met. After freeing everything: all memory back, as in the
//! fresh heap.

use std::alloc::{GlobalAlloc, Layout};

use proptest::prelude::*;
use tinyalloc::heap::{
    BumpFreeListAllocator, FreeListAllocator, HeapStats, SegregatedBumpAllocator, VerifyError,
};
use tinyalloc_tests::proptest_config;

const ARENA: usize = 64 * 1024;

#[derive(Debug, Clone)]
enum Op {
    Alloc { size: usize, align_shift: u32 },
    Dealloc(usize),
    Realloc { pick: usize, size: usize },
}

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 1..=128usize, 3 => 129..=1024usize, 1 => 1025..=4096usize]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (size(), prop_oneof![3 => 0..=3u32, 1 => 4..=12u32])
            .prop_map(|(size, align_shift)| Op::Alloc { size, align_shift }),
        3 => any::<usize>().prop_map(Op::Dealloc),
        2 => (any::<usize>(), size()).prop_map(|(pick, size)| Op::Realloc { pick, size }),
    ]
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..if cfg!(miri) { 24 } else { 160 })
}

/// What the model needs from an engine besides `GlobalAlloc`.
trait Heap: GlobalAlloc {
    fn stats(&self) -> HeapStats;
    fn verify(&self) -> Result<(), VerifyError>;
}

macro_rules! heap {
    ($($name:ident),*) => {$(
        impl Heap for $name<ARENA> {
            fn stats(&self) -> HeapStats {
                $name::stats(self)
            }
            fn verify(&self) -> Result<(), VerifyError> {
                $name::verify(self)
            }
        }
    )*};
}
heap!(
    BumpFreeListAllocator,
    SegregatedBumpAllocator,
    FreeListAllocator
);

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

    fn overlaps(&self, other: &Block) -> bool {
        let (a, b) = (self.ptr as usize, other.ptr as usize);
        a < b + other.layout.size() && b < a + self.layout.size()
    }
}

fn check_new(live: &[Block], block: &Block) {
    assert_eq!(block.ptr as usize % block.layout.align(), 0, "misaligned");
    assert!(
        !live.iter().any(|other| other.overlaps(block)),
        "overlaps a live block"
    );
}

/// `largest_free` is a size one allocation can take: a request of exactly that many
/// bytes is met (and given back).
fn largest_free_can_be_allocated(heap: &impl Heap, step: usize) {
    let stats = heap.stats();
    if stats.largest_free == 0 {
        return;
    }
    let layout = Layout::from_size_align(stats.largest_free, 8).unwrap();
    // SAFETY: a non-zero size.
    let ptr = unsafe { heap.alloc(layout) };
    assert!(!ptr.is_null(), "step {step}: {layout:?} failed: {stats}");
    // SAFETY: just allocated with this layout.
    unsafe { heap.dealloc(ptr, layout) };
}

fn run(heap: &impl Heap, ops: Vec<Op>) {
    let empty = heap.stats();
    assert!(empty.largest_free > 0 && empty.largest_free <= empty.free);
    largest_free_can_be_allocated(heap, 0);
    let mut live: Vec<Block> = Vec::new();
    let mut failed = 0;
    for (step, op) in ops.into_iter().enumerate() {
        let fill = step as u8 ^ 0x5a;
        match op {
            Op::Alloc { size, align_shift } => {
                let layout = Layout::from_size_align(size, 1 << align_shift).unwrap();
                // SAFETY: `size` is at least 1.
                let ptr = unsafe { heap.alloc(layout) };
                if ptr.is_null() {
                    failed += 1;
                    continue;
                }
                let block = Block { ptr, layout, fill };
                check_new(&live, &block);
                block.write();
                live.push(block);
            }
            Op::Dealloc(pick) if !live.is_empty() => {
                let block = live.swap_remove(pick % live.len());
                assert!(
                    block.bytes().iter().all(|&b| b == block.fill),
                    "bytes changed"
                );
                // SAFETY: live, allocated with this layout.
                unsafe { heap.dealloc(block.ptr, block.layout) };
            }
            Op::Realloc { pick, size } if !live.is_empty() => {
                let index = pick % live.len();
                let old = &live[index];
                // SAFETY: live with this layout; `size` is at least 1 and small.
                let ptr = unsafe { heap.realloc(old.ptr, old.layout, size) };
                if ptr.is_null() {
                    failed += 1;
                    assert!(
                        old.bytes().iter().all(|&b| b == old.fill),
                        "failed realloc lost bytes"
                    );
                    continue;
                }
                let kept = old.layout.size().min(size);
                // SAFETY: the new block has at least `kept` bytes, copied from the old.
                let moved = unsafe { std::slice::from_raw_parts(ptr, kept) };
                assert!(moved.iter().all(|&b| b == old.fill), "realloc lost bytes");
                let layout = Layout::from_size_align(size, old.layout.align()).unwrap();
                live.swap_remove(index);
                let block = Block { ptr, layout, fill };
                check_new(&live, &block);
                block.write();
                live.push(block);
            }
            _ => {}
        }
        assert_eq!(heap.verify(), Ok(()), "step {step}");
        let stats = heap.stats();
        assert_eq!(stats.allocations, live.len());
        assert_eq!(stats.failed_allocs, failed);
        let requested: usize = live.iter().map(|b| b.layout.size()).sum();
        assert!(stats.used >= requested && stats.high_water >= stats.used);
        assert_eq!(stats.used + stats.free + stats.overhead(), stats.arena);
        largest_free_can_be_allocated(heap, step);
    }
    for block in live.drain(..) {
        assert!(block.bytes().iter().all(|&b| b == block.fill));
        // SAFETY: live, allocated with this layout.
        unsafe { heap.dealloc(block.ptr, block.layout) };
    }
    assert_eq!(heap.verify(), Ok(()));
    let after = heap.stats();
    assert_eq!((after.used, after.allocations), (0, 0));
    assert_eq!(after.free, empty.free, "all memory back");
    assert_eq!(
        after.largest_free, empty.largest_free,
        "as in the fresh heap: one free block, or the whole bump region"
    );
}

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn free_list_allocator(ops in ops()) {
        run(&*Box::new(FreeListAllocator::<ARENA>::new()), ops);
    }

    #[test]
    fn segregated_bump_allocator(ops in ops()) {
        run(&*Box::new(SegregatedBumpAllocator::<ARENA>::new()), ops);
    }

    #[test]
    fn bump_free_list_allocator(ops in ops()) {
        run(&*Box::new(BumpFreeListAllocator::<ARENA>::new()), ops);
    }
}
