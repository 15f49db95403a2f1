// A heap with `NoLock` is not `Sync`, so it cannot be the global allocator (or any
// `static`): threads would share it with no lock.
use tinyalloc::heap::{FreeListAllocator, NoLock};

#[global_allocator]
static HEAP: FreeListAllocator<4096, NoLock> = FreeListAllocator::new();

fn main() {
    let _ = Box::new(1);
}
