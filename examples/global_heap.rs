//! Each heap engine as the global allocator of a small program that uses `Vec`,
//! `String` and `BTreeMap`.
//!
//! `cargo run --example global_heap`
//!
//! A binary has exactly one `#[global_allocator]`, so this one is a small router over
//! three engine statics, each with its own inline arena:
//!
//! - new allocations go to the engine `ACTIVE` names (the free list at start-up, so
//!   the standard library's own allocations before `main` have a home);
//! - a free or a reallocation goes to the engine whose arena holds the pointer (an
//!   inline arena lies inside its engine's `static`, so the static's address range
//!   says who owns a block), whichever engine is active then.
//!
//! `main` makes each engine active in turn, runs the same program, and keeps what it
//! computed (one `String`, still in that engine's arena) with the engine's statistics
//! taken then; the program's other allocations are freed before the next engine
//! runs. In your own firmware you would write just one line:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: FreeListAllocator = FreeListAllocator::new();
//! ```

use std::alloc::{GlobalAlloc, Layout};
use std::collections::BTreeMap;
use std::mem::size_of_val;
use std::sync::atomic::{AtomicU8, Ordering};

use tinyalloc::heap::{BumpFreeListAllocator, FreeListAllocator, SegregatedBumpAllocator};

const ARENA: usize = 256 * 1024;

static BUMP_FREE_LIST: BumpFreeListAllocator<ARENA> = BumpFreeListAllocator::new();
static SEGREGATED: SegregatedBumpAllocator<ARENA> = SegregatedBumpAllocator::new();
static FREE_LIST: FreeListAllocator<ARENA> = FreeListAllocator::new();

const USE_FREE_LIST: u8 = 0;
const USE_SEGREGATED: u8 = 1;
const USE_BUMP_FREE_LIST: u8 = 2;

/// Which engine serves new allocations.
static ACTIVE: AtomicU8 = AtomicU8::new(USE_FREE_LIST);

/// Sends each call to one of the three engines.
struct Router;

/// `true` when `ptr` lies inside the static `engine` (and so in its inline arena).
fn inside<T>(engine: &T, ptr: *mut u8) -> bool {
    let start = engine as *const T as usize;
    (start..start + size_of_val(engine)).contains(&(ptr as usize))
}

/// The engine that handed out `ptr`.
fn owner(ptr: *mut u8) -> &'static dyn GlobalAlloc {
    if inside(&SEGREGATED, ptr) {
        &SEGREGATED
    } else if inside(&BUMP_FREE_LIST, ptr) {
        &BUMP_FREE_LIST
    } else {
        &FREE_LIST
    }
}

// SAFETY: every block comes from one of the engines, each a sound `GlobalAlloc`, and
// goes back to the engine whose arena holds it, with the layout the caller passes.
unsafe impl GlobalAlloc for Router {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let engine: &dyn GlobalAlloc = match ACTIVE.load(Ordering::Relaxed) {
            USE_SEGREGATED => &SEGREGATED,
            USE_BUMP_FREE_LIST => &BUMP_FREE_LIST,
            _ => &FREE_LIST,
        };
        // SAFETY: `GlobalAlloc::alloc`'s contract, passed on.
        unsafe { engine.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `owner(ptr)` with this layout.
        unsafe { owner(ptr).dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as in `dealloc`; the block stays with the engine that owns it.
        unsafe { owner(ptr).realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Router = Router;

/// The same small program for every engine: a growing `Vec`, a `String` built piece
/// by piece, a `BTreeMap` counting words.
fn program() -> String {
    let squares: Vec<u64> = (1..=1000).map(|n| n * n).collect();
    let mut sentence = String::new();
    for word in [
        "the", "heap", "serves", "the", "vec", "the", "string", "and", "the", "map",
    ] {
        sentence.push_str(word);
        sentence.push(' ');
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for word in sentence.split_whitespace() {
        *counts.entry(word).or_default() += 1;
    }
    format!(
        "sum of 1000 squares = {}, {} words, most frequent: {:?}",
        squares.iter().sum::<u64>(),
        counts.values().sum::<usize>(),
        counts.iter().max_by_key(|&(_, &n)| n).unwrap(),
    )
}

fn main() {
    let runs = [
        (USE_BUMP_FREE_LIST, "BumpFreeListAllocator"),
        (USE_SEGREGATED, "SegregatedBumpAllocator"),
        (USE_FREE_LIST, "FreeListAllocator"),
    ];
    let mut reports = Vec::with_capacity(runs.len()); // allocated before the switch
    for (engine, name) in runs {
        ACTIVE.store(engine, Ordering::Relaxed);
        let result = program();
        let peak = match engine {
            USE_BUMP_FREE_LIST => BUMP_FREE_LIST.stats(),
            USE_SEGREGATED => SEGREGATED.stats(),
            _ => FREE_LIST.stats(),
        };
        reports.push((name, result, peak));
        ACTIVE.store(USE_FREE_LIST, Ordering::Relaxed);
    }
    for (name, result, stats) in &reports {
        println!("{name}:\n  {result}\n  {stats}");
    }
    let verified = [
        BUMP_FREE_LIST.verify(),
        SEGREGATED.verify(),
        FREE_LIST.verify(),
    ];
    println!("verify: {verified:?}");
}
