//! The only functions that touch an allocator during a measurement. None of them is
//! inlined, so `valgrind --tool=callgrind --toggle-collect='tinyalloc_bench::measured::*'`
//! counts exactly what runs inside them (the allocator's code and the call's own
//! entry and return, which [`empty`] measures alone) and nothing of the harness.

use core::alloc::Layout;
use core::hint::black_box;

use crate::buffers::ByteQueue;
use crate::heaps::Heap;
use crate::pools::FixedPool;

/// Does nothing: the cost of a call into this module on its own.
#[inline(never)]
pub fn empty(value: &mut u64) {
    black_box(value);
}

/// Takes a block.
#[inline(never)]
pub fn alloc<P: FixedPool>(pool: &mut P) -> Option<P::Handle> {
    pool.alloc()
}

/// Gives a block back.
#[inline(never)]
pub fn free<P: FixedPool>(pool: &mut P, handle: P::Handle) {
    pool.free(handle);
}

/// Takes a block and gives it back, as one unit of work. `black_box` keeps the
/// handle real, as code that used the block would.
#[inline(never)]
pub fn pair<P: FixedPool>(pool: &mut P) {
    let handle = pool.alloc();
    black_box(&handle);
    if let Some(handle) = handle {
        pool.free(handle);
    }
}

/// The first byte of a live block, found from its handle.
#[inline(never)]
pub fn lookup<P: FixedPool>(pool: &P, handle: &P::Handle) -> Option<u8> {
    pool.lookup(handle)
}

/// A heap allocation; null when it fails (the workload then asks [`Heap::accept`]
/// whether the block counts, outside this function).
#[inline(never)]
pub fn heap_alloc<H: Heap>(heap: &mut H, layout: Layout) -> *mut u8 {
    heap.alloc(layout)
}

/// A heap deallocation.
///
/// # Safety
/// `ptr` is live in `heap` and was allocated with `layout`.
#[inline(never)]
pub unsafe fn heap_dealloc<H: Heap>(heap: &mut H, ptr: *mut u8, layout: Layout) {
    // SAFETY: the caller's contract.
    unsafe { heap.dealloc(ptr, layout) }
}

/// Appends one byte; `false` when the queue is full.
#[inline(never)]
pub fn push<Q: ByteQueue>(queue: &mut Q, byte: u8) -> bool {
    queue.push(byte)
}

/// Removes the oldest byte.
#[inline(never)]
pub fn pop<Q: ByteQueue>(queue: &mut Q) -> Option<u8> {
    queue.pop()
}

/// Appends a slice; `false` when it does not fit.
#[inline(never)]
pub fn push_slice<Q: ByteQueue>(queue: &mut Q, data: &[u8]) -> bool {
    queue.push_slice(data)
}

/// Moves the oldest bytes into `out`; how many.
#[inline(never)]
pub fn pop_slice<Q: ByteQueue>(queue: &mut Q, out: &mut [u8]) -> usize {
    queue.pop_slice(out)
}

/// One call of `op`: the worst-case group's operations (a heap's `realloc`, `stats`
/// and `verify`, a pool's `read`, a queue's slices) share no trait, so each case
/// passes its call as a closure, inlined here.
#[inline(never)]
pub fn once<R>(op: impl FnOnce() -> R) -> R {
    black_box(op())
}
