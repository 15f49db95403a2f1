//! Counting the instructions a call executes on the target. QEMU runs the image one
//! instruction at a time and logs the address of each (`-singlestep -d exec,nochain`);
//! `scripts/count-report.sh` counts, in that log, every instruction from the entry of
//! [`measured`] to its return, the calls it makes included, and ties the counts to the
//! rows [`row`] prints. The workloads are those of the host benchmark
//! (`benches/`), scaled to a microcontroller's RAM.

use core::alloc::Layout;
use core::hint::black_box;

use cortex_m_semihosting::hprintln;

/// Starts a row: prints `workload units entry`. The script ties the n-th call of this
/// function in the log to the n-th line printed, and divides the instructions of the
/// measured calls that follow (up to the next row) by `units`. `entry` is the table's
/// label for the crate and may hold spaces.
#[inline(never)]
pub fn row(entry: &str, workload: &str, units: u32) {
    hprintln!("{} {} {}", workload, units, entry);
}

/// Runs `op` as one measured call: every instruction from this function's entry to
/// its return is counted, those of the functions it calls included. Each closure
/// makes its own copy of this function, so what is counted is the operation plus
/// the call into this function and its return, which [`empty`] measures alone.
#[inline(never)]
pub fn measured<R>(op: impl FnOnce() -> R) -> R {
    op()
}

/// How many pairs each pool row measures: every pair takes the same path, so a few
/// dozen give the exact figure.
const PAIRS: u32 = 64;
/// The most blocks a pool of these images holds.
pub const MAX_BLOCKS: usize = 128;

/// The cost of a measured call that does nothing.
pub fn empty() {
    row("empty", "call", PAIRS);
    for _ in 0..PAIRS {
        measured(|| black_box(()));
    }
}

/// A pool of 64-byte blocks, as each crate hands them out and takes them back.
pub trait FixedPool {
    /// What `alloc` returns: a handle or an owning box.
    type Block;
    /// Takes a block and copies 64 bytes into it.
    fn alloc(&mut self) -> Option<Self::Block>;
    /// Gives the block back.
    fn free(&mut self, block: Self::Block);
}

/// One alloc + free; `black_box` keeps the block real, as code that used it would.
#[inline(always)]
fn pair<P: FixedPool>(pool: &mut P) {
    let block = pool.alloc();
    black_box(&block);
    if let Some(block) = block {
        pool.free(block);
    }
}

/// The pool rows: `pair` on an otherwise empty pool, and `pair-full` with all but
/// one of its `capacity` blocks held (where a bitmap's search is longest).
pub fn pool_rows<P: FixedPool>(entry: &str, pool: &mut P, capacity: usize) {
    row(entry, "pair", PAIRS);
    for _ in 0..PAIRS {
        measured(|| pair(pool));
    }
    let mut held: [Option<P::Block>; MAX_BLOCKS] = [const { None }; MAX_BLOCKS];
    for slot in held.iter_mut().take(capacity - 1) {
        *slot = Some(pool.alloc().expect("the pool holds `capacity` blocks"));
    }
    row(entry, "pair-full", PAIRS);
    for _ in 0..PAIRS {
        measured(|| pair(pool));
    }
    for block in held.iter_mut().filter_map(Option::take) {
        pool.free(block);
    }
}

/// A heap, called as each crate is called.
pub trait Heap {
    /// # Safety
    /// As for `GlobalAlloc::alloc`.
    unsafe fn alloc(&mut self, layout: Layout) -> *mut u8;
    /// # Safety
    /// As for `GlobalAlloc::dealloc`.
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout);
}

/// A `GlobalAlloc` called as the program's allocator is.
pub struct Global<'a, G>(pub &'a G);

impl<G: core::alloc::GlobalAlloc> Heap for Global<'_, G> {
    #[inline(always)]
    unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { self.0.alloc(layout) }
    }
    #[inline(always)]
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { self.0.dealloc(ptr, layout) }
    }
}

/// Blocks live at once, at most, in the mixed workload.
const HEAP_SLOTS: usize = 64;
/// Steps of the mixed workload.
const HEAP_STEPS: u32 = 2000;

/// The mixed workload of the host benchmark on a smaller heap: each step draws 64
/// random bits `r` (xorshift64, the benchmark's seed); slot `r % 64` frees its block
/// if it holds one, or else allocates `8 + (r >> 32) % 505` bytes (8 to 512, align 8)
/// into it. Per op = per step. Panics if an allocation fails (none does in the
/// images' 32 KiB heaps), so every row measures the same calls.
pub fn heap_rows<H: Heap>(entry: &str, heap: &mut H) {
    let mut rng: u64 = 0x2545_f491_4f6c_dd1d;
    let mut live: [Option<(*mut u8, Layout)>; HEAP_SLOTS] = [None; HEAP_SLOTS];
    row(entry, "mixed", HEAP_STEPS);
    for _ in 0..HEAP_STEPS {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let slot = &mut live[(rng % HEAP_SLOTS as u64) as usize];
        if let Some((ptr, layout)) = slot.take() {
            // SAFETY: a live block of this heap, with its layout.
            measured(|| unsafe { heap.dealloc(ptr, layout) });
        } else {
            let size = 8 + ((rng >> 32) as u32 % 505) as usize;
            let layout = Layout::from_size_align(size, 8).expect("a small layout");
            // SAFETY: the layout's size is not zero.
            let ptr = measured(|| unsafe { heap.alloc(layout) });
            assert!(
                !ptr.is_null(),
                "{entry}: the mixed workload ran out of memory"
            );
            *slot = Some((ptr, layout));
        }
    }
    for (ptr, layout) in live.iter_mut().filter_map(Option::take) {
        // SAFETY: as above.
        unsafe { heap.dealloc(ptr, layout) };
    }
}

/// A byte queue, as each crate pushes and pops one byte.
pub trait ByteQueue {
    /// Appends one byte; `false` when the queue is full.
    fn push(&mut self, byte: u8) -> bool;
    /// Removes the oldest byte.
    fn pop(&mut self) -> Option<u8>;
}

/// Bytes pushed, then popped, in each of the queue rows' rounds.
const QUEUE_BYTES: u32 = 1024;
/// Rounds of the queue rows.
const QUEUE_ROUNDS: u32 = 2;

/// The queue row: `QUEUE_ROUNDS` rounds of `QUEUE_BYTES` bytes pushed one at a time,
/// then popped one at a time, as a UART's receive interrupt and `main` would. Per
/// unit = one byte in and out. Panics if a push fails or a byte comes back wrong.
pub fn queue_rows<Q: ByteQueue>(entry: &str, queue: &mut Q) {
    row(entry, "bytes", QUEUE_BYTES * QUEUE_ROUNDS);
    for _ in 0..QUEUE_ROUNDS {
        for i in 0..QUEUE_BYTES {
            let byte = black_box(i as u8);
            assert!(measured(|| queue.push(byte)), "{entry}: the queue is full");
        }
        for i in 0..QUEUE_BYTES {
            assert_eq!(
                measured(|| queue.pop()),
                Some(i as u8),
                "{entry}: a byte changed"
            );
        }
    }
}
