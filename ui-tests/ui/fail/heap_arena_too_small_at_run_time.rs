// The same mistake as `heap_arena_too_small.rs`, in a heap made at run time: still a
// compile error, not a panic when `new` runs.
use tinyalloc::heap::SegregatedBumpAllocator;

fn main() {
    let heap = SegregatedBumpAllocator::<128>::new();
    let _ = heap.stats();
}
