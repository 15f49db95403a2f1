//! The interface of a heap engine: one algorithm over an arena it is handed on every
//! call, which the [`Shell`](super::shell::Shell) puts behind a lock.

use core::alloc::Layout;
use core::ptr;

use super::{Counters, HeapStats, VerifyError};

/// One heap algorithm, working on an arena it is handed on every call.
///
/// The state keeps offsets, never pointers, so an engine over an inline arena stays
/// valid when the value holding it moves before its first use.
pub(crate) trait Engine: Sized {
    /// The state of an engine with no memory: all zeroes.
    const NEW: Self;
    /// The fewest arena bytes the engine accepts.
    const MIN_ARENA: usize;
    /// The compile error for an inline arena below `MIN_ARENA`: what to change.
    const TOO_SMALL: &'static str;
    /// Whether [`claim_below`](Self::claim_below) can return a block: `false` keeps
    /// the slide, and the overlapping copy it links (`memmove`, 1.3 to 1.6 KiB on a
    /// Cortex-M), out of an engine that never slides.
    const SLIDES: bool = false;

    /// `true` once [`set_up`](Self::set_up) ran.
    fn is_set_up(&self) -> bool;

    /// Takes `[base, base + len)` as the arena and lays out the engine's bookkeeping.
    ///
    /// # Safety
    /// The region is valid for reads and writes for as long as the engine is used, no
    /// one else uses it, `base` is 16-aligned, `len` a multiple of 16 between
    /// [`MIN_ARENA`](Self::MIN_ARENA) and [`MAX_ARENA_SIZE`](super::MAX_ARENA_SIZE).
    unsafe fn set_up(&mut self, base: *mut u8, len: usize);

    /// A block for `layout`, or null after counting the failure in the engine's
    /// counters.
    ///
    /// An engine that is not set up yet sets itself up over `[base, base + fresh)`
    /// first, on its slow path, when `fresh` is not 0 (an inline arena's first use);
    /// with `fresh == 0` (a region heap before `init`) the request fails.
    ///
    /// # Safety
    /// `base` is the arena the engine was set up over; if it was not set up, either
    /// `fresh` is 0 or `[base, base + fresh)` meets [`set_up`](Self::set_up)'s
    /// contract.
    unsafe fn alloc(&mut self, base: *mut u8, layout: Layout, fresh: usize) -> *mut u8;

    /// Returns a block.
    ///
    /// # Safety
    /// `base` is the engine's arena; `ptr` is a live block this engine handed out
    /// for `layout` (or resized to `layout.size()`).
    unsafe fn dealloc(&mut self, base: *mut u8, ptr: *mut u8, layout: Layout);

    /// Resizes a live block to `new_size` without moving it; `false` when that is not
    /// possible, with nothing changed that the program can see (an engine may have
    /// merged free memory meanwhile, such as a block waiting in a quick slot).
    ///
    /// # Safety
    /// As for [`dealloc`](Self::dealloc); `new_size`, rounded up to `layout.align()`,
    /// does not overflow `isize`.
    unsafe fn resize_in_place(
        &mut self,
        base: *mut u8,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> bool;

    /// Starts a shrink that [`resize_in_place`](Self::resize_in_place) could not do
    /// in place by sliding the block down into free memory just below it: takes that
    /// memory, so the block and it are one range the engine counts as used, and
    /// returns the block's new address (below `ptr`), or null when there is none,
    /// with nothing changed that the program can see (as for `resize_in_place`). The
    /// caller then copies the block's first `new_size` bytes there, outside the lock,
    /// and hands the rest back with [`finish_slide`](Self::finish_slide). For an
    /// engine whose in-place shrink can fail, which sets [`SLIDES`](Self::SLIDES)
    /// too (the shell calls this only then); the others keep this default, which
    /// returns null.
    ///
    /// # Safety
    /// As for [`resize_in_place`](Self::resize_in_place), and `new_size` is below
    /// `layout.size()`.
    unsafe fn claim_below(
        &mut self,
        base: *mut u8,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        let _ = (base, ptr, layout, new_size);
        ptr::null_mut()
    }

    /// Ends the slide [`claim_below`](Self::claim_below) started: the block now lives
    /// at `moved`, its first `new_size` bytes copied there, and the engine takes back
    /// what lies between its new end and the old block's end.
    ///
    /// # Safety
    /// `moved` came from `claim_below(base, ptr, layout, new_size)` with these
    /// arguments, and nothing was freed or slid in that range since.
    unsafe fn finish_slide(
        &mut self,
        base: *mut u8,
        ptr: *mut u8,
        moved: *mut u8,
        layout: Layout,
        new_size: usize,
    ) {
        let _ = (base, ptr, moved, layout, new_size);
    }

    /// What the heap holds now.
    ///
    /// # Safety
    /// `base` is the engine's arena (anything if it was not set up).
    unsafe fn stats(&self, base: *mut u8) -> HeapStats;

    /// Walks the bookkeeping and reports the first inconsistency. It may change
    /// bookkeeping bytes of the arena while it runs, but leaves them as it found them.
    ///
    /// # Safety
    /// `base` is the engine's arena (anything if it was not set up), and no other
    /// context uses the engine or its arena while this runs.
    unsafe fn verify(&self, base: *mut u8) -> Result<(), VerifyError>;

    /// The engine's counters.
    fn counters(&mut self) -> &mut Counters;
}
