//! `GlobalAlloc` heaps: [`BumpFreeListAllocator`], [`SegregatedBumpAllocator`] and
//! [`FreeListAllocator`].
//!
//! Each engine is a `static` that can be the program's `#[global_allocator]`:
//!
//! ```
//! use tinyalloc::heap::FreeListAllocator;
//!
//! // The default inline arena (16 KiB); `FreeListAllocator<{ 32 * 1024 }>` for another.
//! static HEAP: FreeListAllocator = FreeListAllocator::new();
//!
//! use core::alloc::{GlobalAlloc, Layout};
//! let layout = Layout::from_size_align(100, 8).unwrap();
//! let block = unsafe { HEAP.alloc(layout) };
//! assert!(!block.is_null());
//! assert_eq!(HEAP.stats().allocations, 1);
//! unsafe { HEAP.dealloc(block, layout) };
//! assert_eq!(HEAP.verify(), Ok(()));
//! ```
//!
//! The arena is either inline, its size a const generic (the value `new()` makes is all
//! zeroes, so the `static` lands in `.bss`), or a region handed in once with `init` on
//! an engine declared with `SIZE = 0` (for a heap the linker script places). An inline
//! arena too small for the engine's bookkeeping is a compile error:
//!
//! ```compile_fail
//! // error: tinyalloc: the inline arena SIZE of this FreeListAllocator is below 256
//! //        bytes, too small for its bookkeeping; make SIZE at least 256 ...
//! static HEAP: tinyalloc::FreeListAllocator<64> = tinyalloc::FreeListAllocator::new();
//! ```
//!
//! A region:
//!
//! ```
//! use core::mem::MaybeUninit;
//! use tinyalloc::heap::{BumpFreeListAllocator, InitError};
//!
//! static HEAP: BumpFreeListAllocator<0> = BumpFreeListAllocator::new();
//! static mut HEAP_MEMORY: [MaybeUninit<u8>; 4096] = [MaybeUninit::uninit(); 4096];
//!
//! // At start-up, once:
//! // SAFETY: the only reference ever made to HEAP_MEMORY.
//! let region = unsafe { &mut *core::ptr::addr_of_mut!(HEAP_MEMORY) };
//! HEAP.init(region).unwrap();
//! assert!(HEAP.stats().arena >= 4096 - 16); // the start is aligned to 16
//!
//! static mut MORE: [MaybeUninit<u8>; 64] = [MaybeUninit::uninit(); 64];
//! // SAFETY: as above.
//! let again = unsafe { &mut *core::ptr::addr_of_mut!(MORE) };
//! assert_eq!(HEAP.init(again), Err(InitError::AlreadyInitialized));
//! ```
//!
//! None of the engines keeps a header in an allocated block: `dealloc` receives the
//! `Layout`, and the engine works the block's size out from it. Bookkeeping lives in
//! free memory and in a few bytes beside it.
//!
//! | engine | `alloc` | `dealloc` | `realloc` in place | per allocation | reuse |
//! | --- | --- | --- | --- | --- | --- |
//! | [`BumpFreeListAllocator`] | O(free blocks): first fit, then bump | O(free blocks): address-ordered insert, coalesces | next block free, or at the top | size rounded up to 8 B (min 8) | first fit, coalescing |
//! | [`SegregatedBumpAllocator`] | O(1): pop a size class or bump | O(1): push a size class | same size class, at the top, or any shrink (the tail is binned) | size rounded up to its class: 16/32/64/128 B, then 4 classes per power of two | exact class, or a larger class's block split once the bump region is used up; no coalescing (the whole arena comes back when the last block is freed) |
//! | [`FreeListAllocator`] | O(1): a quick slot of the exact size, else good fit (searches all free blocks only before it would fail) | O(1): into a quick slot, or a side bitmap and footers find both neighbours (the last live block also merges the up to 126 waiting blocks) | next block free (or waiting in a slot), or shrink (an 8-byte shrink beside a live block may slide it down) | size rounded up to 8 B (min 16) | exact size from the quick slots; good fit over size classes, splitting, coalescing with both neighbours |
//!
//! Measured on a 1 MiB arena, from `benches/run.sh` and
//! `firmware/scripts/size-report.sh` (2026-12-07; the README's *Performance* and *On a
//! microcontroller* sections have the peers and the method):
//!
//! | engine | instructions per operation, mixed 8–512 B, no-op critical section / [`SpinLock`] | live bytes at the first failure, random growth | `.text`, `thumbv7em-none-eabihf` |
//! | --- | --- | --- | --- |
//! | [`BumpFreeListAllocator`] | 1,135 / 1,127 | 95.8 % | 624 B |
//! | [`SegregatedBumpAllocator`] | 44.5 / 39.5 | 91.0 % | 1,062 B |
//! | [`FreeListAllocator`] | 58.0 / 55.5 | 96.9 % | 1,902 B |
//! | talc, for comparison (behind its spin lock, spinning_top's; 56.0 with none, against the free list's 50.5 with [`NoLock`]) | 67.0 | 90.7 % (94.4 % on a 32-bit target; the free list's is the same on both) | 708 B |
//!
//! Worst cases, the longest one call keeps the lock (with the default lock, interrupts
//! masked): x86_64 instructions of one call on a 64 KiB heap built to make it longest,
//! no-op critical section, from the benchmark's `worst` group (2026-12-07; the README's
//! *How long a call keeps interrupts masked* has every operation, the 16 KiB figures
//! and the commands):
//!
//! | engine | `alloc` | `dealloc` | `realloc` in place | `stats()` / `verify()` |
//! | --- | --- | --- | --- | --- |
//! | [`BumpFreeListAllocator`] | 57,414, failing after a walk of 4,096 free blocks | 28,755, below 4,096 free blocks | 20,571 | 90,164 / 122,950 |
//! | [`SegregatedBumpAllocator`] | 883, failing after trying 25 classes | 65, the last block (lists reset) | 22,597, a walk of 2,045 free blocks | 568 / 35,581 |
//! | [`FreeListAllocator`] | 33,557, failing after a walk of 2,019 free blocks (and a look at the blocks that merging the waiting ones made) | 11,661, the last block with 126 waiting (all merged) | 12,307, through 126 waiting blocks (the first merged alone, the rest in one scan of the slots); a shrink by 8 bytes that slides a block of almost the whole heap down: 1,418 in two sections (the longest 1,316), the copy between them with interrupts enabled (90,358 the whole call) | 37,926 / 246,394 |
//!
//! Every engine keeps its state behind a lock, its second parameter, a [`Lock`] as the
//! slab cache takes. The default, [`CriticalSectionLock`], lets interrupt handlers and
//! threads share the heap. [`SpinLock`] suits a heap that threads or cores share and
//! no interrupt handler uses (a host, `wasm32` with threads): an interrupt that spins
//! on the lock held by the code it preempted never gets it. With [`NoLock`] the heap is
//! not `Sync`, so it cannot be a `static` or the global allocator, only a local heap on
//! one thread (through `allocator-api2`). On `wasm32-unknown-unknown` and
//! `wasm32v1-none` without the `atomics` feature, where there are no threads, every
//! lock compiles to nothing (and every heap is `Sync`, `NoLock` ones included). On
//! the other wasm targets the lock is real: `wasm32-wasip1-threads` has threads, and a
//! stable compiler cannot tell it apart from `wasm32-wasip1`.
//!
//! ```
//! use tinyalloc::heap::{FreeListAllocator, SpinLock};
//!
//! // For a host or wasm program whose threads share the heap:
//! // #[global_allocator]
//! static HEAP: FreeListAllocator<{ 64 * 1024 }, SpinLock> = FreeListAllocator::new();
//! # use core::alloc::{GlobalAlloc, Layout};
//! # let layout = Layout::new::<u64>();
//! # let block = unsafe { HEAP.alloc(layout) };
//! # assert!(!block.is_null());
//! # unsafe { HEAP.dealloc(block, layout) };
//! ```
//!
//! A heap with [`NoLock`] is not `Sync`, so it does not compile as a `static`:
//!
//! ```compile_fail,E0277
//! use tinyalloc::heap::{FreeListAllocator, NoLock};
//! static HEAP: FreeListAllocator<4096, NoLock> = FreeListAllocator::new();
//! ```
//!
//! No engine panics: a request it cannot meet returns null and is counted in
//! [`HeapStats::failed_allocs`]. Not only do the tests never see one: the engines'
//! compiled code holds no panic path at all, which CI checks on linked Cortex-M0 and
//! Cortex-M4F images of every operation (`firmware/scripts/no-panic.sh`). Every
//! alignment is honoured, in fresh and in reused blocks.
//!
//! Two requests `GlobalAlloc` forbids its callers get a defined answer all the same.
//! A `realloc` to a size that overflows `isize` once rounded up to the alignment (up
//! to `usize::MAX`) returns null, is counted, and leaves the block as it was. A
//! zero-size request gets one of the engine's smallest blocks (8 bytes for the bump
//! engine, 16 for the others), and a `realloc` to 0 bytes shrinks the block to that
//! size as any shrink does; either is given back with its zero-size `Layout`.
//!
//! A pointer given back twice, or one the heap never handed out, breaks
//! `GlobalAlloc`'s contract, and no block has a header to check it against. Unlike a
//! stale slab handle it is not counted as refused: its bytes are taken off `used`
//! and it leaves the count of live blocks as any block does, so both fall short of
//! the program's (`used` may wrap around, which `verify()` reports as
//! [`VerifyError::Accounting`]). What each engine does with the block itself:
//! [`BumpFreeListAllocator`] refuses one that overlaps its free memory (a block freed
//! twice), leaving its list whole; [`SegregatedBumpAllocator`] files it again, so its
//! list loops and the block can be handed out twice (`verify()` finds the loop,
//! [`VerifyError::Cycle`], or the block above the bump pointer), and when the extra
//! free brings its count of live blocks to zero it resets the arena under the blocks
//! still in use, as after a real last free; [`FreeListAllocator`] can hand the block
//! out twice too. `verify()` names that ([`VerifyError::FreedTwice`]) while the block
//! waits in a quick slot (a block of up to 512 bytes: the last two freed of each size
//! wait); a larger one is merged into the free memory at once, and what `verify()`
//! finds then is the damage ([`VerifyError::BitmapMismatch`] or
//! [`VerifyError::BadSize`]), which looks like a write out of bounds.
//!
//! A heap called again while one of its own calls is running on the same context,
//! which only a non-maskable interrupt or a fault handler can do (a critical section
//! keeps every other handler out), neither waits for itself nor touches the state
//! the interrupted call is changing: `alloc` and `realloc` return null, not counted
//! in `failed_allocs`; `dealloc` leaves the block allocated (it is lost to the heap);
//! `stats()` returns all zeroes; `verify()` returns [`VerifyError::Reentered`] and
//! `init` [`InitError::Reentered`]. A fault handler that reports the heap reads
//! `verify()` first to know whether `stats()` is real.
//!
//! With the `debug-log` feature each engine also keeps its last 32 events (alloc, free,
//! realloc, failure); see the `debug_log` module that the feature adds.

use core::fmt;

use crate::allocator::Count;

#[cfg(feature = "debug-log")]
pub mod debug_log;

#[cfg(feature = "allocator-api2")]
mod allocator_api;
mod bump_free_list;
mod engine;
mod engine_type;
mod error;
mod free_list;
mod lock;
mod region;
mod segregated;
mod shell;

pub use crate::cache::locks::{CriticalSectionLock, Lock, NoLock, SpinLock};
pub use bump_free_list::BumpFreeListAllocator;
pub use error::{InitError, VerifyError};
pub use free_list::FreeListAllocator;
pub use segregated::SegregatedBumpAllocator;

/// The inline arena an engine gets when its `SIZE` is not named: 16 KiB.
pub const DEFAULT_ARENA_SIZE: usize = 16 * 1024;

/// The largest arena an engine manages: 2 GiB. Blocks are described by 32-bit offsets;
/// a larger region is used up to this size.
pub const MAX_ARENA_SIZE: usize = 1 << 31;

/// What a heap holds now and has done since it was set up.
///
/// The vocabulary matches the block engines' [`Stats`](crate::Stats): `high_water`
/// is the most ever in use (here in bytes), `failed_allocs` the requests turned away.
///
/// `used + free + overhead() == arena`: the overhead is the engine's bookkeeping
/// inside the arena and bytes it cannot hand out (alignment, rounding to the start of
/// the arena).
///
/// ```
/// use core::alloc::{GlobalAlloc, Layout};
/// use tinyalloc::heap::SegregatedBumpAllocator;
///
/// static HEAP: SegregatedBumpAllocator<4096> = SegregatedBumpAllocator::new();
///
/// let layout = Layout::from_size_align(100, 4).unwrap();
/// // SAFETY: the block goes back with its layout.
/// unsafe { HEAP.dealloc(HEAP.alloc(layout), layout) };
/// let stats = HEAP.stats();
/// assert_eq!((stats.allocations, stats.high_water), (0, 128)); // 100 B in the 128 B class
/// assert_eq!(stats.used + stats.free + stats.overhead(), stats.arena);
/// println!("{stats}");
/// ```
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HeapStats {
    /// Bytes of the arena the engine manages (0 before a region-based heap is
    /// initialised).
    pub arena: usize,
    /// Bytes in live allocations, as the engine holds them (each request rounded up to
    /// the engine's granule or size class).
    pub used: usize,
    /// Bytes available to allocations: free blocks and never-used memory.
    pub free: usize,
    /// The most bytes that were ever in use at once.
    pub high_water: usize,
    /// The largest block one allocation could take now (before alignment).
    pub largest_free: usize,
    /// How many allocations are live.
    pub allocations: usize,
    /// How many allocation requests returned null.
    pub failed_allocs: usize,
}

impl HeapStats {
    /// Bytes of the arena that are neither used nor free: bookkeeping and unusable
    /// remainders.
    ///
    /// It never panics, not even on the figures of a heap damaged by a block freed
    /// twice, whose `used` has wrapped around (and whose `free` wraps with it, so
    /// their wrapping sum is still the heap's size).
    #[inline]
    pub const fn overhead(&self) -> usize {
        self.arena.saturating_sub(self.used.wrapping_add(self.free))
    }
}

impl fmt::Display for HeapStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} bytes in use in {} (high-water {}), {} free (largest block {}), {}",
            self.used,
            self.arena,
            Count(self.allocations, "allocation"),
            self.high_water,
            self.free,
            self.largest_free,
            Count(self.failed_allocs, "failed allocation")
        )
    }
}

/// The counters every engine keeps for [`HeapStats`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counters {
    pub(crate) used: usize,
    pub(crate) high_water: usize,
    pub(crate) allocations: usize,
    pub(crate) failed_allocs: usize,
}

impl Counters {
    pub(crate) const NEW: Counters = Counters {
        used: 0,
        high_water: 0,
        allocations: 0,
        failed_allocs: 0,
    };

    #[inline(always)]
    pub(crate) fn allocated(&mut self, bytes: usize) {
        self.used = self.used.wrapping_add(bytes);
        self.allocations = self.allocations.wrapping_add(1);
        if self.used > self.high_water {
            self.high_water = self.used;
        }
    }

    // The counters wrap rather than check: only a free the caller's contract forbids
    // (a block given back twice) takes more than was counted, and the allocator must
    // not panic even then, nor on the allocations after it (a panic would leave the
    // heap's lock closed for good); `verify()` is what reports it. `stats()` and
    // `verify()` do their arithmetic on `used` wrapping or checked for the same reason.
    #[inline(always)]
    pub(crate) fn freed(&mut self, bytes: usize) {
        self.used = self.used.wrapping_sub(bytes);
        self.allocations = self.allocations.wrapping_sub(1);
    }

    #[inline(always)]
    pub(crate) fn grew(&mut self, bytes: usize) {
        self.used = self.used.wrapping_add(bytes);
        if self.used > self.high_water {
            self.high_water = self.used;
        }
    }

    /// Counts `bytes` as used for a moment without raising the high-water mark: the
    /// free memory a block slides into while it shrinks (see `Engine::claim_below`).
    pub(crate) fn lend(&mut self, bytes: usize) {
        self.used = self.used.wrapping_add(bytes);
    }

    #[inline(always)]
    pub(crate) fn shrank(&mut self, bytes: usize) {
        self.used = self.used.wrapping_sub(bytes);
    }

    /// Counts a request the heap turned away.
    #[cold]
    pub(crate) fn failed(&mut self) {
        self.failed_allocs = self.failed_allocs.saturating_add(1);
    }

    /// Counts a request the heap turned away and returns the null it answers with.
    #[cold]
    pub(crate) fn fail(&mut self) -> *mut u8 {
        self.failed();
        core::ptr::null_mut()
    }
}

#[cfg(test)]
mod tester;
#[cfg(test)]
pub(crate) mod tests;
