//! The [`Shell`] that puts an [`Engine`] and its arena behind the lock: what the three
//! engines share (the public types around it come from `engine_type`).

use core::alloc::Layout;
use core::mem::MaybeUninit;
use core::ptr;

#[cfg(feature = "debug-log")]
use super::debug_log::{DebugLog, EventLog, HeapEvent};
use super::engine::Engine;
use super::lock::Locked;
use super::region::{Arena, align_region};
use super::{HeapStats, InitError, VerifyError};
use crate::cache::locks::Lock;

/// The event of `block`, allocated for `layout`, reallocated to `new_size` bytes at
/// `at` (which is `block` when it stayed in place).
#[cfg(feature = "debug-log")]
fn realloc_event(block: *mut u8, layout: Layout, at: *mut u8, new_size: usize) -> HeapEvent {
    HeapEvent::Realloc {
        old_addr: block as usize,
        old_size: layout.size(),
        addr: at as usize,
        size: new_size,
        align: layout.align(),
    }
}

/// Copies `len` bytes from `src` down to `dst`, where the two ranges may overlap, with
/// non-overlapping copies alone: in steps of the distance between them, each step
/// writes only below the bytes it reads. A firmware image then needs `memcpy`, which
/// the moving `realloc` links anyway, and not `memmove` (1.3 to 1.6 KiB on a Cortex-M) for
/// this one rare path; a slide is at least 16 bytes, so a block takes at most one
/// step per 16 bytes.
///
/// # Safety
/// `dst < src`, and both ranges are valid for `len` bytes.
unsafe fn copy_down(src: *const u8, dst: *mut u8, len: usize) {
    let step = src as usize - dst as usize;
    let mut done = 0;
    while done < len {
        let n = step.min(len - done);
        // SAFETY: in both ranges (`done + n <= len`); the bytes written,
        // `dst + done .. dst + done + n`, end at or below `src + done`, where the
        // bytes read begin.
        unsafe { ptr::copy_nonoverlapping(src.wrapping_add(done), dst.wrapping_add(done), n) };
        done += n;
    }
}

/// What the lock guards: the engine, the region it was handed (null for an inline
/// arena) and the event log.
pub(crate) struct State<E> {
    engine: E,
    region: *mut u8,
    region_len: usize,
    #[cfg(feature = "debug-log")]
    log: EventLog,
}

// SAFETY: `region` points at memory the heap owns for good (a `'static` region handed
// to `init`); no thread or interrupt context is tied to it, so the state may be used
// from any of them, one at a time, which the lock ensures.
unsafe impl<E: Send> Send for State<E> {}

/// An engine, its inline arena (`SIZE` bytes, or none) and the lock `L` around them.
///
/// `repr(C)` keeps the state before the arena, so on Thumb the state's fields are at
/// small offsets from the static's address, which short load and store instructions
/// reach (behind a 4 KiB arena they would each need an extra instruction).
#[repr(C)]
pub(crate) struct Shell<E, const SIZE: usize, L> {
    state: Locked<State<E>, L>,
    arena: Arena<SIZE>,
}

// SAFETY: the state is only reached through the lock, which keeps other contexts out
// whenever the `Locked` is `Sync` (the bound). The arena's bytes are reached only by
// the engine, under that lock, or by the owner of a block the engine handed out,
// which no one else touches until it is freed.
unsafe impl<E, const SIZE: usize, L> Sync for Shell<E, SIZE, L> where Locked<State<E>, L>: Sync {}

impl<E: Engine + Send, const SIZE: usize, L: Lock> Shell<E, SIZE, L> {
    /// A shell with an empty state; an inline arena too small for the engine fails
    /// to compile.
    ///
    /// [`ARENA_FITS`](Self::ARENA_FITS) is tested twice, and both are needed. In a
    /// `static` (the usual heap), the first test, an ordinary `panic!` run by the
    /// static's evaluation, is reported at the user's `static` line; a `const` block
    /// alone is reported only inside this file. Called at run time, `new` is not
    /// evaluated by the compiler, so the `const` block in `checked` keeps a bad
    /// `SIZE` a compile error there too (and the first test folds away).
    pub(crate) const fn new() -> Self {
        if !Self::ARENA_FITS {
            panic!("{}", E::TOO_SMALL);
        }
        Self::checked()
    }

    /// `false` when the inline arena is too small for the engine's bookkeeping.
    const ARENA_FITS: bool = SIZE == 0 || Arena::<SIZE>::USABLE >= E::MIN_ARENA;

    /// [`new`](Self::new) past its first check.
    const fn checked() -> Self {
        const {
            if !Self::ARENA_FITS {
                panic!("{}", E::TOO_SMALL);
            }
        }
        Shell {
            state: Locked::new(State {
                engine: E::NEW,
                region: ptr::null_mut(),
                region_len: 0,
                #[cfg(feature = "debug-log")]
                log: EventLog::NEW,
            }),
            arena: Arena::new(),
        }
    }

    /// The arena the engine works on: the inline one, or the region from `init`.
    #[inline(always)]
    fn base(&self, state: &State<E>) -> *mut u8 {
        if SIZE > 0 {
            self.arena.base()
        } else {
            state.region
        }
    }

    /// Sets the engine up over the inline arena the first time it is needed.
    #[inline]
    fn ensure_set_up(&self, state: &mut State<E>) {
        if SIZE > 0 && !state.engine.is_set_up() {
            // SAFETY: the inline arena is 16-aligned, belongs to this shell alone and
            // lives as long as it; `new` checked `USABLE >= MIN_ARENA`, and `USABLE` is
            // a multiple of 16 no larger than `MAX_ARENA_SIZE`.
            unsafe {
                state
                    .engine
                    .set_up(self.arena.base(), Arena::<SIZE>::USABLE)
            };
        }
    }

    pub(crate) fn init(&self, region: &'static mut [MaybeUninit<u8>]) -> Result<(), InitError> {
        let len = region.len();
        // SAFETY: a `'static` exclusive borrow: valid for reads and writes forever and
        // used by no one else once handed over.
        unsafe { self.init_from_raw_parts(region.as_mut_ptr().cast(), len) }
    }

    /// # Safety
    /// `[ptr, ptr + len)` is valid for reads and writes for the rest of the program and
    /// nothing else uses it.
    pub(crate) unsafe fn init_from_raw_parts(
        &self,
        ptr: *mut u8,
        len: usize,
    ) -> Result<(), InitError> {
        if SIZE > 0 {
            // The public `init` methods fail to compile here; the inline arena is
            // memory the heap has already, and a region must not be set up beside it.
            return Err(InitError::AlreadyInitialized);
        }
        let (start, usable) = align_region(ptr, len);
        self.state
            .with(|state| {
                if state.engine.is_set_up() || !state.region.is_null() {
                    return Err(InitError::AlreadyInitialized);
                }
                if usable < E::MIN_ARENA {
                    return Err(InitError::RegionTooSmall {
                        len: usable,
                        min: E::MIN_ARENA,
                    });
                }
                state.region = start;
                state.region_len = usable;
                // SAFETY: the caller hands over the region; `align_region` made the
                // start 16-aligned and the length a multiple of 16 within
                // `MAX_ARENA_SIZE`, and it is at least `MIN_ARENA`.
                unsafe { state.engine.set_up(start, usable) };
                Ok(())
            })
            .unwrap_or(Err(InitError::Reentered))
    }

    /// The length an engine that is not set up yet takes for its arena on its first
    /// allocation: the inline arena's, or 0 for a region heap (which `init` sets up).
    const FRESH: usize = if SIZE > 0 { Arena::<SIZE>::USABLE } else { 0 };

    /// Allocates inside the lock, without logging: the engine's fast path, which
    /// calls its own slow path (set-up on first use, searches, failures).
    #[inline(always)]
    fn alloc_in(&self, state: &mut State<E>, layout: Layout) -> *mut u8 {
        let base = self.base(state);
        // SAFETY: `base` is the engine's arena, or the engine is not set up and
        // `FRESH` is 0 or the inline arena's usable length (16-aligned, a multiple of
        // 16, at least `MIN_ARENA`: checked in `new`, and owned by this shell).
        unsafe { state.engine.alloc(base, layout, Self::FRESH) }
    }

    /// Counts (and logs) a request of `size` bytes aligned to `align` that the heap
    /// turned away before the engine saw it; returns the null it answers with.
    #[cold]
    #[inline(never)]
    fn failed(state: &mut State<E>, size: usize, align: usize) -> *mut u8 {
        state.engine.counters().failed();
        #[cfg(feature = "debug-log")]
        state.log.record(HeapEvent::Failed { size, align });
        #[cfg(not(feature = "debug-log"))]
        let _ = (size, align);
        ptr::null_mut()
    }

    /// Frees without logging, inside the lock.
    ///
    /// # Safety
    /// `block` was handed out by this shell for `layout`.
    #[inline(always)]
    unsafe fn dealloc_in(&self, state: &mut State<E>, block: *mut u8, layout: Layout) {
        let base = self.base(state);
        // SAFETY: the caller's contract; `base` is the arena the block came from.
        unsafe { state.engine.dealloc(base, block, layout) };
    }

    #[cfg(not(feature = "debug-log"))]
    #[inline]
    pub(crate) fn alloc(&self, layout: Layout) -> *mut u8 {
        self.state
            .with(|state| self.alloc_in(state, layout))
            .unwrap_or(ptr::null_mut())
    }

    #[cfg(feature = "debug-log")]
    #[inline]
    pub(crate) fn alloc(&self, layout: Layout) -> *mut u8 {
        self.state
            .with(|state| {
                let block = self.alloc_in(state, layout);
                state.log.record(if block.is_null() {
                    HeapEvent::Failed {
                        size: layout.size(),
                        align: layout.align(),
                    }
                } else {
                    HeapEvent::Alloc {
                        addr: block as usize,
                        size: layout.size(),
                        align: layout.align(),
                    }
                });
                block
            })
            .unwrap_or(ptr::null_mut())
    }

    /// The new block of a reallocation that moves. Without the event log it is
    /// `alloc` itself (one copy of the allocation path in the program); with it, the
    /// move logs a failure but not an allocation (the realloc event follows).
    #[cfg(not(feature = "debug-log"))]
    #[inline]
    fn alloc_for_move(&self, layout: Layout) -> *mut u8 {
        self.alloc(layout)
    }

    #[cfg(feature = "debug-log")]
    #[inline(never)]
    fn alloc_for_move(&self, layout: Layout) -> *mut u8 {
        self.state
            .with(|state| {
                let block = self.alloc_in(state, layout);
                if block.is_null() {
                    state.log.record(HeapEvent::Failed {
                        size: layout.size(),
                        align: layout.align(),
                    });
                }
                block
            })
            .unwrap_or(ptr::null_mut())
    }

    /// The old block of a reallocation that moved to `moved` (`new_size` bytes):
    /// `dealloc` without the event log. With it, the realloc event is recorded in the
    /// same critical section that frees the old block, so no other context can reuse
    /// the block and log that before the log says it was given up.
    ///
    /// # Safety
    /// `block` was handed out by this shell for `layout`.
    #[cfg(not(feature = "debug-log"))]
    #[inline]
    unsafe fn dealloc_after_move(
        &self,
        block: *mut u8,
        layout: Layout,
        moved: *mut u8,
        new_size: usize,
    ) {
        let _ = (moved, new_size);
        // SAFETY: the caller's contract.
        unsafe { self.dealloc(block, layout) }
    }

    /// # Safety
    /// `block` was handed out by this shell for `layout`.
    #[cfg(feature = "debug-log")]
    #[inline(never)]
    unsafe fn dealloc_after_move(
        &self,
        block: *mut u8,
        layout: Layout,
        moved: *mut u8,
        new_size: usize,
    ) {
        self.state.with(|state| {
            // SAFETY: the caller's contract.
            unsafe { self.dealloc_in(state, block, layout) };
            state
                .log
                .record(realloc_event(block, layout, moved, new_size));
        });
    }

    /// # Safety
    /// `block` was handed out by this shell for `layout`.
    #[cfg(not(feature = "debug-log"))]
    #[inline]
    pub(crate) unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        self.state.with(|state| {
            // SAFETY: the caller's contract.
            unsafe { self.dealloc_in(state, block, layout) }
        });
    }

    /// # Safety
    /// `block` was handed out by this shell for `layout`.
    #[cfg(feature = "debug-log")]
    #[inline]
    pub(crate) unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        self.state.with(|state| {
            // SAFETY: the caller's contract.
            unsafe { self.dealloc_in(state, block, layout) };
            state.log.record(HeapEvent::Free {
                addr: block as usize,
                size: layout.size(),
                align: layout.align(),
            });
        });
    }

    /// # Safety
    /// `GlobalAlloc::realloc`'s contract, but for `new_size`, which may be anything:
    /// one that overflows `isize` is refused.
    #[inline]
    pub(crate) unsafe fn realloc(
        &self,
        block: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        // `GlobalAlloc::realloc` forbids a size that overflows `isize` once rounded up
        // to the alignment; such a request is refused and counted, not trusted.
        if new_size > isize::MAX as usize - (layout.align() - 1) {
            return self
                .state
                .with(|state| Self::failed(state, new_size, layout.align()))
                .unwrap_or(ptr::null_mut());
        }
        // SAFETY: the alignment came from a `Layout`, and `new_size` rounded up to it
        // does not overflow `isize` (checked above).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let resized = self.state.with(|state| {
            let base = self.base(state);
            // SAFETY: the caller's contract.
            if unsafe { state.engine.resize_in_place(base, block, layout, new_size) } {
                #[cfg(feature = "debug-log")]
                state
                    .log
                    .record(realloc_event(block, layout, block, new_size));
                return block;
            }
            if E::SLIDES && new_size < layout.size() {
                // SAFETY: as above, and this is a shrink.
                let below = unsafe { state.engine.claim_below(base, block, layout, new_size) };
                if !below.is_null() {
                    return below;
                }
            }
            ptr::null_mut()
        });
        match resized {
            Some(at) if at == block => return at,
            Some(below) if E::SLIDES && !below.is_null() => {
                // SAFETY: the caller's contract, and the engine's `claim_below`
                // returned `below` for these arguments.
                return unsafe { self.slide(block, below, layout, new_size) };
            }
            _ => {}
        }
        // Allocate, copy and free in three steps, so the copy runs outside the
        // critical section and interrupts wait only for the bookkeeping.
        let moved = self.alloc_for_move(new_layout);
        if moved.is_null() {
            return moved;
        }
        // SAFETY: both blocks are live, at least this long, and distinct (the old one
        // is still allocated while the new one is handed out).
        unsafe { ptr::copy_nonoverlapping(block, moved, layout.size().min(new_size)) };
        // SAFETY: the caller's contract: `block` is live, for `layout`.
        unsafe { self.dealloc_after_move(block, layout, moved, new_size) };
        moved
    }

    /// Ends a shrink that slides the block down to `moved` (see
    /// [`Engine::claim_below`]): copies its first `new_size` bytes with interrupts
    /// enabled, then hands the rest back in a second critical section. Copied inside
    /// the first, a block of almost a 64 KiB heap kept interrupts masked for 66,063
    /// x86_64 instructions; now the two sections take 1,418 together, however large
    /// the block (most of it two searches of the quick slots).
    ///
    /// # Safety
    /// `GlobalAlloc::realloc`'s contract for `block`, `layout` and `new_size`, and
    /// `moved` is what the engine's `claim_below` returned for them.
    #[cold]
    #[inline(never)]
    unsafe fn slide(
        &self,
        block: *mut u8,
        moved: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        // SAFETY: from `moved` to the old block's end the engine counts everything as
        // this block's, so no other context reads or writes it; both ranges lie in
        // it, `moved` below `block`.
        unsafe { copy_down(block, moved, new_size) };
        // A second section cannot be refused: the first was granted to this context,
        // which runs none of the caller's code in between. Were it refused, the rest
        // would stay counted as used: lost to the heap, never handed out twice.
        let _ = self.state.with(|state| {
            let base = self.base(state);
            // SAFETY: `moved` came from `claim_below` for these arguments, and the
            // range is this call's alone.
            unsafe {
                state
                    .engine
                    .finish_slide(base, block, moved, layout, new_size)
            };
            #[cfg(feature = "debug-log")]
            state
                .log
                .record(realloc_event(block, layout, moved, new_size));
        });
        moved
    }

    /// The engine and its arena, under the lock: for unit tests that stop a call
    /// between its critical sections, as another context may find it.
    #[cfg(test)]
    pub(crate) fn with_engine<R>(&self, f: impl FnOnce(&mut E, *mut u8) -> R) -> R {
        let entered = self.state.with(|state| {
            let base = self.base(state);
            f(&mut state.engine, base)
        });
        entered.expect("the heap's lock is not held here")
    }

    pub(crate) fn stats(&self) -> HeapStats {
        self.try_stats().unwrap_or_default()
    }

    /// The stats, or `None` from inside one of the heap's own calls.
    pub(crate) fn try_stats(&self) -> Option<HeapStats> {
        self.state.with(|state| {
            self.ensure_set_up(state);
            let base = self.base(state);
            // SAFETY: `base` is the engine's arena (or it is not set up).
            let mut stats = unsafe { state.engine.stats(base) };
            if SIZE == 0 {
                stats.arena = state.region_len;
            } else {
                stats.arena = Arena::<SIZE>::USABLE;
            }
            stats
        })
    }

    /// Runs `f` while this context holds the heap's state, as a call interrupted by
    /// a non-maskable interrupt does.
    #[cfg(test)]
    pub(crate) fn hold<R>(&self, f: impl FnOnce() -> R) -> R {
        self.state
            .with(|_| f())
            .expect("nothing else holds the state")
    }

    pub(crate) fn verify(&self) -> Result<(), VerifyError> {
        self.state
            .with(|state| {
                self.ensure_set_up(state);
                let base = self.base(state);
                // SAFETY: `base` is the engine's arena (or it is not set up), and the
                // lock keeps every other context out of the engine and the arena.
                unsafe { state.engine.verify(base) }
            })
            .unwrap_or(Err(VerifyError::Reentered))
    }

    #[cfg(feature = "debug-log")]
    pub(crate) fn debug_logs(&self) -> DebugLog {
        self.state
            .with(|state| state.log.snapshot())
            .unwrap_or(DebugLog::EMPTY)
    }

    #[cfg(feature = "debug-log")]
    pub(crate) fn clear_debug_logs(&self) {
        self.state.with(|state| state.log.clear());
    }
}

#[cfg(test)]
mod tests;
