//! Stack report: the most stack each call took, measured on the target. Before each
//! call the stack below the caller is painted with a pattern; afterwards the deepest
//! word that no longer holds it says how far the call went. Built like the size probes
//! (opt-level "z", LTO, one codegen unit) and run under QEMU by
//! `scripts/stack-report.sh`, which turns the lines this prints into a table.
//!
//! Each figure is the deepest of the calls listed with it, on the inputs set up here
//! (a first call that sets a heap up, the fast paths, a failing request, a moving
//! `realloc`, ...): measured, not a bound proven over every input.
#![no_std]
#![no_main]

use core::hint::black_box;

use tinyalloc::global::{AllocatorConfig, GlobalDeque, PoolDeque};
use tinyalloc::heap::{BumpFreeListAllocator, FreeListAllocator, SegregatedBumpAllocator};
use tinyalloc::prelude::*;
use tinyalloc_firmware::stack::Deepest;

static BUMP: BumpFreeListAllocator<4096> = BumpFreeListAllocator::new();
static SEGREGATED: SegregatedBumpAllocator<4096> = SegregatedBumpAllocator::new();
static FREE_LIST: FreeListAllocator<4096> = FreeListAllocator::new();

#[tinyalloc::pool(size = 1024, slots = 16)]
static POOL: Pool;

static QUEUE: GlobalDeque = GlobalDeque::new();

#[tinyalloc::pool(size = 256, slots = 8)]
static RX_POOL: Pool;
static RX: PoolDeque<Pool<256, 8>> = PoolDeque::new(&RX_POOL);

/// What goes into the pool: a `static`, so that no copy of it is on the stack.
static MESSAGE: [u8; 64] = [7; 64];

tinyalloc::slab_region!(Slabs, slabs = 4, slab_size = 1024);

/// Measures a queue's calls: a byte and a slice of 150 in, a byte and the rest out.
macro_rules! queue_stack {
    ($queue:expr, $name:literal) => {{
        let mut out = [0u8; 200];
        Deepest(0)
            .of(|| $queue.push(black_box(1)).unwrap())
            .of(|| $queue.push_slice(black_box(&[2u8; 150])).unwrap())
            .of(|| {
                black_box($queue.pop());
            })
            .of(|| {
                black_box($queue.pop_into(&mut out));
            })
            .report($name);
    }};
}

#[cortex_m_rt::entry]
fn main() -> ! {
    tinyalloc_firmware::heap_stack!("`BumpFreeListAllocator`", BUMP, introspect);
    tinyalloc_firmware::heap_stack!("`SegregatedBumpAllocator`", SEGREGATED, introspect);
    tinyalloc_firmware::heap_stack!("`FreeListAllocator`", FREE_LIST, introspect);

    let mut handle = None;
    Deepest(0)
        .of(|| handle = POOL.alloc(black_box(&MESSAGE)).ok())
        .of(|| {
            black_box(POOL.read(handle.unwrap(), |bytes| bytes[63]));
        })
        .of(|| assert!(POOL.free(handle.unwrap())))
        .report("`Pool`: `alloc` (64 bytes), `read`, `free`");

    // 8 blocks of 32 bytes: 28 bytes of data each.
    AllocatorConfig::Slab256b8.init().unwrap();
    queue_stack!(
        QUEUE,
        "`GlobalDeque`: `push`, `push_slice`, `pop`, `pop_into`"
    );
    // The same calls on a queue that names its pool's type, of the same shape.
    queue_stack!(
        RX,
        "`PoolDeque<Pool<256, 8>>`: `push`, `push_slice`, `pop`, `pop_into`"
    );

    // Objects of 8 bytes, which `alloc` takes by value: a larger one adds its size.
    let cache = SlabCache::<u64, CriticalSectionLock, 1024, Slabs>::new().unwrap();
    let mut boxes = [const { None }; 160];
    // Enough objects for a second slab, which the last drops give back.
    Deepest(0)
        .of(|| {
            for slot in boxes.iter_mut() {
                *slot = Some(cache.alloc(black_box(1)).unwrap());
            }
        })
        .of(|| boxes.iter_mut().for_each(|slot| drop(slot.take())))
        .report("`SlabCache`: `alloc` (8-byte objects), drop of a `SlabBox`");

    tinyalloc_firmware::stack::finish()
}

tinyalloc_firmware::stack_report_panic_handler!();
