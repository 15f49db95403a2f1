// An inline heap arena too small for the engine's bookkeeping.
use tinyalloc::prelude::*;

static HEAP: FreeListAllocator<64> = FreeListAllocator::new();

fn main() {
    let _ = HEAP.stats();
}
