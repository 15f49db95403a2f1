//! The heap workloads as a standalone program, for a look at one engine without the
//! benchmark crate: instruction counts per operation (run under callgrind) and
//! packing. The README's packing figures are the ones `packing` prints; its
//! instruction counts come from the benchmark (`benches/`, the `heaps` group), which
//! also runs the peers. `mixed` here reaches the engine through `&dyn GlobalAlloc`
//! from a driver of its own, and counts more than the benchmark: 122.2, 106.5 and
//! 1,186 per operation (free list, segregated, bump free list) against 105.0, 91.5
//! and 1,182 with the same host mutex.
//!
//! ```text
//! cargo build --release --example heap_costs
//! valgrind --tool=callgrind --toggle-collect='heap_costs::op_*' \
//!     target/release/examples/heap_costs mixed free-list
//! target/release/examples/heap_costs packing
//! ```
//!
//! `mixed ENGINE [OPS]` runs the mixed workload on a 1 MiB region: 1,024 slots, each
//! step picks one at random and frees its block if it holds one, or else allocates
//! 8 to 512 bytes (align 8) into it, so about half the slots are live. Callgrind's
//! total divided by OPS (default 200,000) is the cost of one operation, including the
//! call and the heap's critical section; `lock-only` measures that call and an empty
//! critical section alone. ENGINE is `free-list`, `segregated`, `bump-free-list` or
//! `lock-only`.
//!
//! `packing` prints, for each engine on a 1 MiB region, the share of the arena that
//! holds live requested bytes at the first failed allocation, in two workloads:
//! adversarial (8,192 blocks of 32 bytes, a quarter of the arena; free every other
//! one, then ask for 33, 65, 129, … 1025 bytes in turn) and random growth (allocate 8 to 512
//! bytes with probability 0.7, else free a random live block; three seeds).

use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;

use tinyalloc::heap::{BumpFreeListAllocator, FreeListAllocator, SegregatedBumpAllocator};

const ARENA: usize = 1 << 20;
const SLOTS: usize = 1024;

/// A xorshift generator: the same stream on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Only a critical section, to measure what the lock and the call cost alone.
struct LockOnly;

// SAFETY: never hands out memory; `alloc` returns null.
unsafe impl GlobalAlloc for LockOnly {
    unsafe fn alloc(&self, _: Layout) -> *mut u8 {
        critical_section::with(|_| black_box(std::ptr::null_mut()))
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _: Layout) {
        critical_section::with(|_| black_box(ptr));
    }
}

/// A 1 MiB region for a `SIZE = 0` engine, as a firmware's linker script would give.
fn region() -> &'static mut [std::mem::MaybeUninit<u8>] {
    Box::leak(vec![std::mem::MaybeUninit::new(0u8); ARENA].into_boxed_slice())
}

fn engine(name: &str) -> &'static dyn GlobalAlloc {
    match name {
        "free-list" => {
            let heap = Box::leak(Box::new(FreeListAllocator::<0>::new()));
            heap.init(region()).unwrap();
            heap
        }
        "segregated" => {
            let heap = Box::leak(Box::new(SegregatedBumpAllocator::<0>::new()));
            heap.init(region()).unwrap();
            heap
        }
        "bump-free-list" => {
            let heap = Box::leak(Box::new(BumpFreeListAllocator::<0>::new()));
            heap.init(region()).unwrap();
            heap
        }
        "lock-only" => &LockOnly,
        other => panic!("unknown engine {other}: free-list, segregated, bump-free-list, lock-only"),
    }
}

#[inline(never)]
fn op_alloc(heap: &dyn GlobalAlloc, layout: Layout) -> *mut u8 {
    // SAFETY: the workloads only ask for non-zero sizes.
    unsafe { heap.alloc(layout) }
}

#[inline(never)]
fn op_dealloc(heap: &dyn GlobalAlloc, ptr: *mut u8, layout: Layout) {
    // SAFETY: `ptr` is live and was allocated with `layout`.
    unsafe { heap.dealloc(ptr, layout) }
}

fn layout(size: usize) -> Layout {
    Layout::from_size_align(size, 8).unwrap()
}

fn mixed(heap: &dyn GlobalAlloc, ops: usize) -> usize {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut slots = vec![(std::ptr::null_mut::<u8>(), 0usize); SLOTS];
    let mut failed = 0;
    for _ in 0..ops {
        let roll = rng.next();
        let slot = &mut slots[(roll % SLOTS as u64) as usize];
        if slot.0.is_null() {
            let size = 8 + ((roll >> 32) % 505) as usize;
            let ptr = op_alloc(heap, layout(size));
            if ptr.is_null() {
                failed += 1;
            } else {
                *slot = (ptr, size);
            }
        } else {
            op_dealloc(heap, slot.0, layout(slot.1));
            slot.0 = std::ptr::null_mut();
        }
    }
    failed
}

fn adversarial(heap: &dyn GlobalAlloc) -> f64 {
    let mut blocks = Vec::new();
    while blocks.len() < ARENA / 4 / 32 {
        let ptr = op_alloc(heap, layout(32));
        if ptr.is_null() {
            break;
        }
        blocks.push(ptr);
    }
    let mut live = 0;
    for (i, ptr) in blocks.into_iter().enumerate() {
        if i % 2 == 0 {
            op_dealloc(heap, ptr, layout(32));
        } else {
            live += 32;
        }
    }
    for size in [33, 65, 129, 257, 513, 1025].into_iter().cycle() {
        if op_alloc(heap, layout(size)).is_null() {
            break;
        }
        live += size;
    }
    live as f64 / ARENA as f64
}

fn random_growth(heap: &dyn GlobalAlloc, seed: u64) -> f64 {
    let mut rng = Rng(seed);
    let mut live: Vec<(*mut u8, usize)> = Vec::new();
    let mut bytes = 0;
    loop {
        if rng.below(10) < 7 || live.is_empty() {
            let size = 8 + rng.below(505);
            let ptr = op_alloc(heap, layout(size));
            if ptr.is_null() {
                break;
            }
            live.push((ptr, size));
            bytes += size;
        } else {
            let (ptr, size) = live.swap_remove(rng.below(live.len()));
            op_dealloc(heap, ptr, layout(size));
            bytes -= size;
        }
    }
    bytes as f64 / ARENA as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("mixed") => {
            let name = args.get(1).map_or("free-list", String::as_str);
            let ops = args.get(2).map_or(200_000, |n| n.parse().unwrap());
            let failed = mixed(engine(name), ops);
            println!("{name}: {ops} operations, {failed} failed allocations");
        }
        Some("packing") => {
            println!("| engine | adversarial | random growth (seeds 1, 2, 3) |");
            println!("| --- | --- | --- |");
            for name in ["bump-free-list", "segregated", "free-list"] {
                let growth: Vec<String> = (1..=3)
                    .map(|seed| format!("{:.1} %", 100.0 * random_growth(engine(name), seed)))
                    .collect();
                let worst = 100.0 * adversarial(engine(name));
                println!("| {name} | {worst:.1} % | {} |", growth.join(", "));
            }
        }
        _ => {
            eprintln!(
                "usage: heap_costs mixed [ENGINE] [OPS] | heap_costs packing\n\
                 ENGINE: free-list (the default), segregated, bump-free-list, lock-only"
            );
            std::process::exit(2);
        }
    }
}
