//! Shared helpers for tinyalloc's integration tests.

use proptest::test_runner::Config;

/// A proptest configuration with `cases` cases on the host and a handful under Miri,
/// where every step is interpreted. No failure files: Miri runs isolated.
pub fn proptest_config(cases: u32) -> Config {
    Config {
        cases: if cfg!(miri) { 6 } else { cases },
        failure_persistence: None,
        ..Config::default()
    }
}

pub mod heap;

/// A `SharedAllocator` of the user's kind whose lock gives up, instead of waiting,
/// while `held` is set: what an interrupt handler meets when `main` holds the lock.
/// Set `held` to play the other context.
pub struct TryLocked<
    const SIZE: usize,
    const SLOTS: usize,
    A: tinyalloc::Alignment = tinyalloc::Align8,
> {
    /// Set while some context holds the lock.
    pub held: core::sync::atomic::AtomicBool,
    slab: core::cell::UnsafeCell<tinyalloc::TinySlabAllocator<SIZE, SLOTS, A>>,
}

impl<const SIZE: usize, const SLOTS: usize, A: tinyalloc::Alignment> TryLocked<SIZE, SLOTS, A> {
    /// An empty slab, its lock held from the start if `held`.
    pub const fn new(held: bool) -> Self {
        TryLocked {
            held: core::sync::atomic::AtomicBool::new(held),
            slab: core::cell::UnsafeCell::new(tinyalloc::TinySlabAllocator::new()),
        }
    }
}

impl<const SIZE: usize, const SLOTS: usize, A: tinyalloc::Alignment> core::fmt::Debug
    for TryLocked<SIZE, SLOTS, A>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The slab is not shown: reading it needs the lock.
        f.debug_struct("TryLocked")
            .field("held", &self.held)
            .finish_non_exhaustive()
    }
}

// SAFETY: the slab is reached only by the call that took `held`.
unsafe impl<const SIZE: usize, const SLOTS: usize, A: tinyalloc::Alignment> Sync
    for TryLocked<SIZE, SLOTS, A>
{
}

impl<const SIZE: usize, const SLOTS: usize, A: tinyalloc::Alignment> tinyalloc::SharedAllocator
    for TryLocked<SIZE, SLOTS, A>
{
    fn with_allocator(&self, f: &mut dyn FnMut(&mut dyn tinyalloc::Allocator)) {
        use core::sync::atomic::Ordering;
        if self.held.swap(true, Ordering::Acquire) {
            return; // held elsewhere: give up
        }
        // SAFETY: `held` was false, so no other reference to the slab is live.
        f(unsafe { &mut *self.slab.get() });
        self.held.store(false, Ordering::Release);
    }
}

/// Slab providers over the system allocator that count what they hand out, and can
/// run out or misbehave on request. Each test names its own `ID` so that tests
/// running in parallel keep their counts apart.
pub mod providers {
    use core::alloc::Layout;
    use core::ptr::NonNull;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use tinyalloc::SlabError;
    use tinyalloc::cache::SlabProvider;

    const IDS: usize = 32;
    static OUTSTANDING: [AtomicUsize; IDS] = [const { AtomicUsize::new(0) }; IDS];
    static CALLS: [AtomicUsize; IDS] = [const { AtomicUsize::new(0) }; IDS];
    static BUDGET: [AtomicUsize; IDS] = [const { AtomicUsize::new(usize::MAX) }; IDS];
    static MISALIGNED: [AtomicBool; IDS] = [const { AtomicBool::new(false) }; IDS];

    /// The system allocator behind a counter. `set_budget` caps the blocks it will
    /// have out at once; `set_misaligned` makes it return blocks half an alignment off.
    #[derive(Debug)]
    pub struct Heap<const ID: usize>;

    impl<const ID: usize> Heap<ID> {
        /// Blocks handed out and not yet back.
        pub fn outstanding() -> usize {
            OUTSTANDING[ID].load(Ordering::SeqCst)
        }

        /// Calls to `alloc` and `free` so far.
        pub fn calls() -> usize {
            CALLS[ID].load(Ordering::SeqCst)
        }

        /// The most blocks out at once; `alloc` returns `None` beyond it.
        pub fn set_budget(blocks: usize) {
            BUDGET[ID].store(blocks, Ordering::SeqCst);
        }

        /// From now on, blocks come back `layout.align() / 2` bytes off.
        pub fn set_misaligned(misaligned: bool) {
            MISALIGNED[ID].store(misaligned, Ordering::SeqCst);
        }

        fn padded(layout: Layout) -> Layout {
            Layout::from_size_align(layout.size() * 2, layout.align()).expect("a valid layout")
        }
    }

    // SAFETY: `std::alloc` gives exclusive blocks of the layout (a misaligned block is
    // the second half of a block twice the size, so it is still `size` bytes long),
    // and `free` returns each to `std::alloc` with the layout it was taken with.
    unsafe impl<const ID: usize> SlabProvider for Heap<ID> {
        unsafe fn alloc(layout: Layout) -> Option<NonNull<u8>> {
            CALLS[ID].fetch_add(1, Ordering::SeqCst);
            let outstanding = &OUTSTANDING[ID];
            if outstanding.fetch_add(1, Ordering::SeqCst) >= BUDGET[ID].load(Ordering::SeqCst) {
                outstanding.fetch_sub(1, Ordering::SeqCst);
                return None;
            }
            if MISALIGNED[ID].load(Ordering::SeqCst) {
                // SAFETY: a non-zero size.
                let base = unsafe { std::alloc::alloc(Self::padded(layout)) };
                let Some(base) = NonNull::new(base) else {
                    outstanding.fetch_sub(1, Ordering::SeqCst);
                    return None;
                };
                // SAFETY: half the alignment is inside the doubled block.
                return Some(unsafe { base.add(layout.align() / 2) });
            }
            // SAFETY: a non-zero size.
            let block = NonNull::new(unsafe { std::alloc::alloc(layout) });
            if block.is_none() {
                outstanding.fetch_sub(1, Ordering::SeqCst);
            }
            block
        }

        unsafe fn free(ptr: NonNull<u8>, layout: Layout) -> Result<(), SlabError> {
            CALLS[ID].fetch_add(1, Ordering::SeqCst);
            OUTSTANDING[ID].fetch_sub(1, Ordering::SeqCst);
            if !ptr.addr().get().is_multiple_of(layout.align()) {
                // SAFETY: a misaligned block starts half an alignment into its base.
                let base = unsafe { ptr.sub(layout.align() / 2) };
                // SAFETY: taken with the padded layout.
                unsafe { std::alloc::dealloc(base.as_ptr(), Self::padded(layout)) };
            } else {
                // SAFETY: taken with this layout.
                unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
            }
            Ok(())
        }
    }
}
