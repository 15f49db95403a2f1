// An inline `BumpFreeListAllocator` arena below the 16 bytes of its smallest heap (the
// engine keeps no bookkeeping in the arena, so its limit and its message differ from
// the other engines').
use tinyalloc::heap::BumpFreeListAllocator;

static HEAP: BumpFreeListAllocator<8> = BumpFreeListAllocator::new();

fn main() {
    let _ = HEAP.stats();
}
