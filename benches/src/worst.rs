//! Worst cases: how long one call keeps the critical section (on a single-core MCU,
//! interrupts masked). Each case builds, outside the measured region and the same
//! way every run, the input that makes its operation longest, then makes that one
//! call through [`measured::once`](crate::measured::once), so callgrind's total
//! under `count` and `count-bare` is the whole call (with its entry and return, a
//! few instructions, as in every other figure). The call is also armed: under
//! `count-masked` (`valgrind --tool=callgrind --collect-atstart=no`) the total is
//! only what runs inside the call's critical sections, the stretches with
//! interrupts masked, and the driver reports how many sections there were; the two
//! differ for calls that work between their sections (a `realloc` that copies
//! outside the lock, `SlabCache`'s several short sections).
//!
//! ```text
//! count run worst ENTRY OPERATION CAPACITY
//! count-masked run worst ENTRY OPERATION CAPACITY
//! ```
//!
//! `CAPACITY` is the heap's region in bytes (16 KiB and 64 KiB), the bytes a slice
//! carries for the queues, and `-` for the pool and the cache, whose sizes are the
//! benchmark's. [`CASES`] lists them. This module holds the cases' descriptions;
//! the code that builds and runs them is `src/worst_run/`, which the drivers and the
//! tests include, so that the allocator code it instantiates stays out of the
//! library beside the comparison workloads (see there). Its `build` returns, with the
//! figure's input, the [`Shape`] the tests check, so a figure cannot silently come to
//! measure something easier; `benches/tests/masked.rs` checks the sections each call
//! enters.

use tinyalloc::heap::HeapStats;

/// The heap sizes every heap case runs at: a small and a large firmware heap.
pub const HEAP_SIZES: [usize; 2] = [16 * 1024, 64 * 1024];
/// The slice lengths the queue cases run with.
pub const SLICES: [usize; 2] = [1024, 4096];
/// An alignment no address of a region can have: regions lie `REGION_OFFSET` bytes
/// past a multiple of it and are shorter than it, so a request aligned to it fails
/// in every heap whatever its free blocks, after the longest search the heap makes.
pub const IMPOSSIBLE_ALIGN: usize = 128 * 1024;

/// One worst case: an operation of an entry and the input that makes it longest.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The entry, as on the command line.
    pub entry: &'static str,
    /// The operation, as on the command line.
    pub op: &'static str,
    /// What the input is, for the tables.
    pub input: &'static str,
}

const fn case(entry: &'static str, op: &'static str, input: &'static str) -> Case {
    Case { entry, op, input }
}

/// `FreeListAllocator` cut into the most free blocks it can hold: free 16 B blocks
/// between live 16 B blocks (the first two freed wait in the quick slots).
const FREE_LIST_FRAGMENTED: &str = "the heap cut into free 16 B blocks between live 16 B blocks, the most free blocks it can hold (two of them waiting in the quick slots); a 16 B request aligned to 128 KiB, which no block can serve";
/// The same with blocks of 24 B and up waiting in the quick slots too.
const FREE_LIST_WAITING: &str = "blocks of 24 B and up waiting in the quick slots, two of each size, each beside a live 16 B block, as many sizes as fit in 7/8 of the heap (at 64 KiB all 126 slots are taken); the rest cut into free 16 B blocks between live ones";

/// Every worst case, in table order.
pub const CASES: &[Case] = &[
    case("free-list", "alloc-fail", FREE_LIST_FRAGMENTED),
    case(
        "free-list",
        "alloc-fail-large",
        "as for `stats`; a request for the whole heap, which neither a free block nor a merge can serve while blocks are live: the engine merges every waiting block and looks at the blocks the merges made before it fails",
    ),
    case(
        "free-list",
        "dealloc-last",
        "the last live block, freed while every quick slot that fits holds a waiting block: the engine merges them all",
    ),
    case(
        "free-list",
        "realloc-grow",
        "a 16 B block grown in place into the waiting blocks right after it, largest size first",
    ),
    case(
        "free-list",
        "realloc-shrink-slide",
        "a block of all the heap but 32 B shrunk by 8 B beside a live block after it: it slides down over the free 16 B block before it, copied between two critical sections",
    ),
    case("free-list", "stats", FREE_LIST_WAITING),
    case(
        "free-list",
        "verify",
        "as for `stats`, with waiting blocks in half the heap",
    ),
    case(
        "segregated",
        "alloc-fail",
        "one free block in every size class that fits, the bump region used up, the rest of the heap live 16 B blocks; a request aligned to 128 KiB",
    ),
    case(
        "segregated",
        "realloc-grow",
        "a 16 B block grown to 32 B into the free 16 B block after it, which is last on a list of every other 16 B block of the heap",
    ),
    case(
        "segregated",
        "dealloc-last",
        "the last live block, which empties the heap and resets every list",
    ),
    case(
        "segregated",
        "stats",
        "every other 16 B block of the heap free",
    ),
    case(
        "segregated",
        "verify",
        "every other 16 B block of the heap free",
    ),
    case(
        "bump-free-list",
        "alloc-fail",
        "every other 8 B block of the heap free (a heap / 16 long free list), the bump region used up; a 16 B request",
    ),
    case(
        "bump-free-list",
        "dealloc",
        "that heap's highest live block",
    ),
    case(
        "bump-free-list",
        "realloc-grow",
        "that heap's second-highest live block grown by 8 B into the free block after it",
    ),
    case(
        "bump-free-list",
        "stats",
        "every other 8 B block of the heap free",
    ),
    case(
        "bump-free-list",
        "verify",
        "every other 8 B block of the heap free",
    ),
    case(
        "pool",
        "alloc",
        "`#[tinyalloc::pool(size = 16384, slots = 256)]`: 64 B copied into the last free block",
    ),
    case(
        "pool",
        "alloc-full",
        "the same pool full: the request fails",
    ),
    case("pool", "free", "the same pool's last live block"),
    case(
        "pool",
        "read",
        "the same pool: a closure that sums the 64 bytes",
    ),
    case(
        "pool-deque",
        "push-slice",
        "`PoolDeque` over `#[tinyalloc::pool(size = 8192, slots = 128)]`, empty: one slice",
    ),
    case(
        "pool-deque",
        "pop-into",
        "the same queue holding the slice: all of it out",
    ),
    case(
        "global-deque",
        "push-slice",
        "the benchmark's `GlobalDeque` over the same kind of pool installed as the global instance, empty: one slice",
    ),
    case(
        "global-deque",
        "pop-into",
        "the same queue holding the slice: all of it out",
    ),
    case(
        "cache",
        "alloc-grow",
        "`SlabCache<[u64; 8], CriticalSectionLock, 4096>` over a `slab_region!` of 8 slabs, every slab it has full: a new slab from the region",
    ),
    case(
        "cache",
        "drop-last",
        "the same kind of cache with no reserve: the drop of the only box in a slave slab, which goes back to the region",
    ),
    case(
        "cache",
        "trim",
        "the same kind of cache keeping 7 empty slabs in reserve: all of them back to the region",
    ),
];

/// What a case was built from and what its call did, for the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// The heap's region in bytes (0 for the pool).
    pub region: usize,
    /// Free blocks the builder left in the heap (quick-slot blocks not counted).
    pub free_blocks: usize,
    /// Blocks left waiting in `FreeListAllocator`'s quick slots.
    pub waiting: usize,
    /// The heap's statistics just before the measured call.
    pub before: Option<HeapStats>,
    /// The heap's statistics just after it.
    pub after: Option<HeapStats>,
    /// Whether the call succeeded (an allocation returned a block, a grow stayed in
    /// place, a queue took or gave every byte).
    pub succeeded: bool,
    /// Blocks of the pool in use (the pool and queue cases) or slabs of the cache
    /// (the cache cases), before and after the call.
    pub blocks: (usize, usize),
}

/// The capacities a case runs at, as the command line spells them.
pub fn capacities(case: &Case) -> Vec<String> {
    match case.entry {
        "pool" | "cache" => vec!["-".to_owned()],
        "pool-deque" | "global-deque" => SLICES.iter().map(usize::to_string).collect(),
        _ => HEAP_SIZES.iter().map(usize::to_string).collect(),
    }
}
