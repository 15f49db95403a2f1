// The habit of heaps that have no arena of their own: `init` on one declared with
// the default inline arena, which would leave the region unused (and both in RAM).
use core::mem::MaybeUninit;
use tinyalloc::heap::FreeListAllocator;

static HEAP: FreeListAllocator = FreeListAllocator::new();

fn main() {
    static mut MEMORY: [MaybeUninit<u8>; 65536] = [MaybeUninit::uninit(); 65536];
    // SAFETY: the only reference ever made to MEMORY.
    let region = unsafe { &mut *core::ptr::addr_of_mut!(MEMORY) };
    HEAP.init(region).unwrap();
}
