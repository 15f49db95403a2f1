//! Tests every engine shares: the same checks run on all three.

extern crate std;

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use std::boxed::Box;
use std::string::ToString;
use std::vec::Vec;

use super::*;

/// What the tests need from an engine beyond `GlobalAlloc`.
pub(crate) trait TestHeap: GlobalAlloc {
    fn stats(&self) -> HeapStats;
    fn verify(&self) -> Result<(), VerifyError>;
}

macro_rules! test_heap {
    ($($name:ident),*) => {$(
        impl<const SIZE: usize, L: Lock> TestHeap for $name<SIZE, L> {
            fn stats(&self) -> HeapStats {
                $name::stats(self)
            }
            fn verify(&self) -> Result<(), VerifyError> {
                $name::verify(self)
            }
        }
    )*};
}
test_heap!(
    BumpFreeListAllocator,
    SegregatedBumpAllocator,
    FreeListAllocator
);

/// A small deterministic generator (xorshift64*), so failures replay.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Live {
    ptr: *mut u8,
    layout: Layout,
    fill: u8,
}

fn fill(block: &Live) {
    // SAFETY: the block is live and `layout.size()` bytes long.
    unsafe { core::ptr::write_bytes(block.ptr, block.fill, block.layout.size()) };
}

fn check_contents(block: &Live) {
    // SAFETY: as in `fill`; every byte was written.
    let bytes = unsafe { core::slice::from_raw_parts(block.ptr, block.layout.size()) };
    assert!(
        bytes.iter().all(|&b| b == block.fill),
        "a block's bytes changed"
    );
}

fn overlaps(a: &Live, b: &Live) -> bool {
    let (a0, b0) = (a.ptr as usize, b.ptr as usize);
    a0 < b0 + b.layout.size().max(1) && b0 < a0 + a.layout.size().max(1)
}

/// Random alloc / dealloc / realloc against a list of live blocks: alignment, no
/// overlap, contents kept, `verify` clean, stats consistent, and everything back at
/// the end.
pub(crate) fn random_workout(heap: &impl TestHeap, seed: u64, steps: usize, max_size: usize) {
    random_workout_with(heap, seed, steps, max_size, |_, _| {});
}

/// [`random_workout`], calling `after_step(heap, step)` after each step's checks.
fn random_workout_with<H: TestHeap>(
    heap: &H,
    seed: u64,
    steps: usize,
    max_size: usize,
    after_step: impl Fn(&H, usize),
) {
    let mut rng = Rng::new(seed);
    let mut live: Vec<Live> = Vec::new();
    let empty = heap.stats();
    for step in 0..steps {
        let roll = rng.below(10);
        if roll < 5 || live.is_empty() {
            let size = 1 + rng.below(max_size);
            let max_shift = if rng.below(8) == 0 { 13 } else { 4 };
            let align = 1 << rng.below(max_shift);
            let layout = Layout::from_size_align(size, align).unwrap();
            // SAFETY: non-zero size.
            let ptr = unsafe { heap.alloc(layout) };
            if ptr.is_null() {
                continue;
            }
            assert_eq!(ptr as usize % align, 0, "step {step}: misaligned");
            let block = Live {
                ptr,
                layout,
                fill: step as u8,
            };
            assert!(
                !live.iter().any(|other| overlaps(other, &block)),
                "step {step}: overlap"
            );
            fill(&block);
            live.push(block);
        } else if roll < 8 {
            let block = live.swap_remove(rng.below(live.len()));
            check_contents(&block);
            // SAFETY: live, allocated with this layout.
            unsafe { heap.dealloc(block.ptr, block.layout) };
        } else {
            let index = rng.below(live.len());
            check_contents(&live[index]);
            let new_size = 1 + rng.below(max_size * 2);
            let old = &live[index];
            // SAFETY: live, with its layout; non-zero size.
            let ptr = unsafe { heap.realloc(old.ptr, old.layout, new_size) };
            if ptr.is_null() {
                continue;
            }
            let kept = old.layout.size().min(new_size);
            // SAFETY: the new block has at least `kept` bytes.
            let bytes = unsafe { core::slice::from_raw_parts(ptr, kept) };
            assert!(
                bytes.iter().all(|&b| b == old.fill),
                "step {step}: realloc lost bytes"
            );
            let block = Live {
                ptr,
                layout: Layout::from_size_align(new_size, old.layout.align()).unwrap(),
                fill: step as u8,
            };
            assert_eq!(ptr as usize % block.layout.align(), 0);
            live.swap_remove(index);
            assert!(
                !live.iter().any(|other| overlaps(other, &block)),
                "step {step}: overlap"
            );
            fill(&block);
            live.push(block);
        }
        assert_eq!(heap.verify(), Ok(()), "step {step}");
        let stats = heap.stats();
        assert_eq!(stats.allocations, live.len());
        assert_eq!(stats.used + stats.free + stats.overhead(), stats.arena);
        assert!(stats.high_water >= stats.used);
        after_step(heap, step);
    }
    for block in live.drain(..) {
        check_contents(&block);
        // SAFETY: live, allocated with this layout.
        unsafe { heap.dealloc(block.ptr, block.layout) };
    }
    assert_eq!(heap.verify(), Ok(()));
    let stats = heap.stats();
    assert_eq!((stats.used, stats.allocations), (0, 0));
    assert_eq!(stats.free, empty.free, "all memory is back");
}

fn steps(host: usize) -> usize {
    if cfg!(miri) { host / 20 } else { host }
}

fn every_engine(check: impl Fn(&dyn GlobalAllocDyn)) {
    check(&BumpFreeListAllocator::<8192>::new());
    check(&SegregatedBumpAllocator::<8192>::new());
    check(&FreeListAllocator::<8192>::new());
    // The other locks: the engine is the same, the lock around it differs.
    check(&FreeListAllocator::<8192, SpinLock>::new());
    check(&SegregatedBumpAllocator::<8192, NoLock>::new());
}

/// `GlobalAlloc` plus the inherent methods, callable through `dyn`.
pub(crate) trait GlobalAllocDyn {
    fn take(&self, layout: Layout) -> *mut u8;
    /// # Safety
    /// As `GlobalAlloc::dealloc`.
    unsafe fn give(&self, ptr: *mut u8, layout: Layout);
    fn heap_stats(&self) -> HeapStats;
    fn check(&self) -> Result<(), VerifyError>;
}

impl<H: TestHeap> GlobalAllocDyn for H {
    fn take(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the tests only pass non-zero sizes.
        unsafe { GlobalAlloc::alloc(self, layout) }
    }
    unsafe fn give(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { GlobalAlloc::dealloc(self, ptr, layout) }
    }
    fn heap_stats(&self) -> HeapStats {
        TestHeap::stats(self)
    }
    fn check(&self) -> Result<(), VerifyError> {
        TestHeap::verify(self)
    }
}

#[test]
fn random_workouts_keep_every_engine_consistent() {
    for seed in 1..4 {
        random_workout(&BumpFreeListAllocator::<8192>::new(), seed, steps(600), 300);
        random_workout(
            &SegregatedBumpAllocator::<8192>::new(),
            seed,
            steps(600),
            300,
        );
        random_workout(&FreeListAllocator::<8192>::new(), seed, steps(600), 300);
        random_workout(
            &FreeListAllocator::<8192, SpinLock>::new(),
            seed,
            steps(600),
            300,
        );
        random_workout(
            &BumpFreeListAllocator::<8192, NoLock>::new(),
            seed,
            steps(600),
            300,
        );
    }
}

/// `largest_free` is a size one allocation can take: a request of exactly that many
/// bytes succeeds.
fn largest_free_can_be_allocated(heap: &impl TestHeap, step: usize) {
    let stats = heap.stats();
    if stats.largest_free == 0 {
        return;
    }
    let layout = Layout::from_size_align(stats.largest_free, 8).unwrap();
    // SAFETY: a non-zero size.
    let block = unsafe { heap.alloc(layout) };
    assert!(
        !block.is_null(),
        "step {step}: largest_free = {} but allocating it fails: {stats}",
        stats.largest_free
    );
    // SAFETY: just allocated with this layout.
    unsafe { heap.dealloc(block, layout) };
}

#[test]
fn largest_free_can_always_be_allocated() {
    // Small requests keep the bump region large; large ones fill the heap, so the
    // largest block is often a binned or split one.
    for (seed, max_size) in [(1, 300), (2, 300), (3, 1500), (4, 3000)] {
        random_workout_with(
            &BumpFreeListAllocator::<8192>::new(),
            seed,
            steps(400),
            max_size,
            largest_free_can_be_allocated,
        );
        random_workout_with(
            &SegregatedBumpAllocator::<8192>::new(),
            seed,
            steps(400),
            max_size,
            largest_free_can_be_allocated,
        );
        random_workout_with(
            &FreeListAllocator::<8192>::new(),
            seed,
            steps(400),
            max_size,
            largest_free_can_be_allocated,
        );
    }
}

#[test]
fn every_alignment_up_to_4096_in_fresh_and_reused_blocks() {
    every_engine(|heap| {
        for shift in 0..=12 {
            let layout = Layout::from_size_align(24, 1 << shift).unwrap();
            let fresh = heap.take(layout);
            assert!(!fresh.is_null() && (fresh as usize).is_multiple_of(layout.align()));
            // SAFETY: just allocated with this layout.
            unsafe { heap.give(fresh, layout) };
            let reused = heap.take(layout);
            assert!(!reused.is_null() && (reused as usize).is_multiple_of(layout.align()));
            // SAFETY: as above.
            unsafe { heap.give(reused, layout) };
        }
        assert_eq!(heap.check(), Ok(()));
        assert_eq!(heap.heap_stats().used, 0);
    });
}

#[test]
fn a_request_that_cannot_be_met_is_null_and_counted() {
    every_engine(|heap| {
        let huge = Layout::from_size_align(1 << 20, 8).unwrap();
        assert!(heap.take(huge).is_null());
        let too_big = Layout::from_size_align(isize::MAX as usize - 4096, 4096).unwrap();
        assert!(heap.take(too_big).is_null());
        let whole = Layout::from_size_align(8193, 1).unwrap();
        assert!(heap.take(whole).is_null());
        let stats = heap.heap_stats();
        assert_eq!(stats.failed_allocs, 3);
        assert_eq!(stats.allocations, 0);
        assert_eq!(heap.check(), Ok(()));
    });
}

#[test]
fn freeing_the_last_block_twice_does_not_panic() {
    every_engine(|heap| {
        let layout = Layout::from_size_align(64, 8).unwrap();
        let block = heap.take(layout);
        // SAFETY: just allocated with this layout.
        unsafe { heap.give(block, layout) };
        // SAFETY: breaks `dealloc`'s contract on purpose: the engine takes back more
        // than it counted as used. It must not panic, even with overflow checks on
        // (a panic cannot unwind out of `GlobalAlloc`), and `verify` reports the
        // damage. Nothing is allocated again.
        unsafe { heap.give(block, layout) };
        assert!(heap.check().is_err());
    });
}

#[test]
fn freeing_a_block_below_a_live_one_twice_leaves_stats_and_verify_working() {
    every_engine(|heap| {
        let a = Layout::from_size_align(64, 8).unwrap();
        let b = Layout::from_size_align(16, 8).unwrap();
        let first = heap.take(a);
        let second = heap.take(b);
        assert!(!first.is_null() && !second.is_null());
        // SAFETY: just allocated with this layout.
        unsafe { heap.give(first, a) };
        // SAFETY: breaks `dealloc`'s contract on purpose, as in the test above, but
        // with a live block after it: the used count wraps below zero, and `stats`
        // and `verify` must still answer (a panic there would poison the heap's lock
        // for good) and `verify` must report the damage.
        unsafe { heap.give(first, a) };
        let report = heap.check();
        assert!(report.is_err(), "{report:?}");
        let stats = heap.heap_stats();
        assert!(
            stats.used > stats.arena,
            "more freed than allocated: {stats:?}"
        );
        assert_eq!(
            stats.used.wrapping_add(stats.free),
            stats.arena - stats.overhead()
        );
        // Still answering: no panic closed the heap's lock. Counting one more
        // allocation must not panic either (the heap is damaged, so the block, the
        // one freed twice, is not used).
        assert!(!heap.take(a).is_null());
        assert_eq!(heap.heap_stats().allocations, 1);
        let _ = heap.check();
    });
}

#[test]
fn filling_the_heap_fails_cleanly_and_frees_everything() {
    every_engine(|heap| {
        let fresh = heap.heap_stats();
        let layout = Layout::from_size_align(40, 8).unwrap();
        let mut blocks = Vec::new();
        loop {
            let block = heap.take(layout);
            if block.is_null() {
                break;
            }
            blocks.push(block);
        }
        let full = heap.heap_stats();
        assert!(full.used >= 40 * blocks.len());
        assert!(full.largest_free < 64, "{full}");
        assert_eq!(full.failed_allocs, 1);
        assert_eq!(heap.check(), Ok(()));
        for block in blocks {
            // SAFETY: allocated with this layout.
            unsafe { heap.give(block, layout) };
        }
        let empty = heap.heap_stats();
        assert_eq!(empty.used, 0);
        // As fresh: one free block (or, for the segregated engine, the whole bump
        // region, whose largest class is its `largest_free`).
        assert_eq!(
            (empty.free, empty.largest_free),
            (fresh.free, fresh.largest_free),
            "one free block again: {empty}"
        );
        assert_eq!(empty.high_water, full.used);
    });
}

/// A `&'static mut` region of `$len` bytes from a static of its own (not a leaked
/// box, which Miri would report).
macro_rules! region {
    ($len:expr) => {{
        static mut REGION: [MaybeUninit<u8>; $len] = [MaybeUninit::uninit(); $len];
        // SAFETY: each expansion runs once per test process (in a test that runs
        // once), so this is the only reference ever made to its static.
        unsafe { &mut *core::ptr::addr_of_mut!(REGION) }
    }};
}

static REGION_HEAP: FreeListAllocator<0> = FreeListAllocator::new();

#[test]
fn a_region_heap_takes_one_region() {
    let layout = Layout::from_size_align(16, 8).unwrap();
    // SAFETY: non-zero size.
    let before_init = unsafe { REGION_HEAP.alloc(layout) };
    assert!(before_init.is_null(), "no memory before init");
    let region = region!(2048);
    assert_eq!(REGION_HEAP.init(region), Ok(()));
    let second = region!(2048);
    assert_eq!(REGION_HEAP.init(second), Err(InitError::AlreadyInitialized));
    let stats = REGION_HEAP.stats();
    assert!(stats.arena >= 2032 && stats.arena <= 2048, "{stats}");
    assert_eq!(stats.failed_allocs, 1);
    random_workout(&REGION_HEAP, 7, steps(300), 200);
}

#[test]
fn init_refuses_what_it_cannot_use() {
    let tiny = BumpFreeListAllocator::<0>::new();
    let region = region!(12);
    let error = tiny.init(region).unwrap_err();
    assert!(matches!(error, InitError::RegionTooSmall { min: 16, .. }));
    let bigger = region!(256);
    assert_eq!(
        tiny.init(bigger),
        Ok(()),
        "a refused region leaves the heap as it was"
    );
    let raw = FreeListAllocator::<0>::new();
    let mut storage = region!(1024).as_mut_ptr().cast::<u8>();
    // SAFETY: 1 KiB leaked for good, used by nothing else.
    assert_eq!(unsafe { raw.init_from_raw_parts(storage, 1024) }, Ok(()));
    storage = storage.wrapping_add(8);
    // SAFETY: refused before it is touched.
    let again = unsafe { raw.init_from_raw_parts(storage, 8) };
    assert_eq!(again, Err(InitError::AlreadyInitialized));
}

#[test]
fn an_inline_heap_survives_a_move_before_first_use() {
    let heap = FreeListAllocator::<2048>::new();
    let moved = Box::new(heap);
    random_workout(&*moved, 3, steps(200), 100);
}

#[test]
fn messages_say_what_to_do() {
    let too_small = InitError::RegionTooSmall { len: 8, min: 256 }.to_string();
    assert!(too_small.contains("larger region"), "{too_small}");
    assert!(InitError::AlreadyInitialized.to_string().contains("once"));
    assert!(InitError::Reentered.to_string().contains("at start-up"));
    let broken = VerifyError::BrokenLink { addr: 0x2000 }.to_string();
    assert!(
        broken.contains("0x2000") && broken.contains("write past the end"),
        "{broken}"
    );
    // Every report names the address it is about, and where to look next.
    let addr = 0x2000;
    for error in [
        VerifyError::OutOfBounds { addr },
        VerifyError::BadSize { addr, size: 12_345 },
        VerifyError::WrongClass { addr, size: 512 },
        VerifyError::BrokenLink { addr },
        VerifyError::NotCoalesced { addr },
        VerifyError::BitmapMismatch { addr },
        VerifyError::FreedTwice { addr },
    ] {
        let message = error.to_string();
        assert!(message.contains("0x2000"), "{message}");
        assert!(message.contains("look for"), "{message}");
    }
    let accounting = VerifyError::Accounting {
        used: 96,
        free: 900,
        heap: 1024,
    }
    .to_string();
    assert!(
        ["96", "900", "1024", "look for"]
            .iter()
            .all(|part| accounting.contains(part)),
        "{accounting}"
    );
    assert!(VerifyError::Cycle.to_string().contains("look for"));
    assert!(
        VerifyError::Reentered
            .to_string()
            .contains("from ordinary code")
    );
    let stats = HeapStats {
        arena: 1024,
        used: 96,
        free: 900,
        high_water: 128,
        largest_free: 800,
        allocations: 3,
        failed_allocs: 1,
    };
    assert_eq!(stats.overhead(), 28);
    assert_eq!(
        stats.to_string(),
        "96 of 1024 bytes in use in 3 allocations (high-water 128), 900 free (largest block 800), 1 failed allocation"
    );
}

#[test]
fn concurrent_use_from_threads_is_consistent() {
    static SHARED: FreeListAllocator<{ 64 * 1024 }> = FreeListAllocator::new();
    static SPIN: SegregatedBumpAllocator<{ 64 * 1024 }, SpinLock> = SegregatedBumpAllocator::new();
    four_threads_share(&SHARED);
    four_threads_share(&SPIN);
}

/// Four threads allocate, fill, check and free blocks of one shared heap at once.
fn four_threads_share<H: TestHeap + Sync>(shared: &H) {
    let rounds = steps(400);
    std::thread::scope(|scope| {
        for thread in 0..4u8 {
            scope.spawn(move || {
                let mut mine = Vec::new();
                for round in 0..rounds {
                    let layout =
                        Layout::from_size_align(8 + (round * 7 + 13 * thread as usize) % 200, 8)
                            .unwrap();
                    // SAFETY: non-zero size.
                    let block = unsafe { shared.alloc(layout) };
                    assert!(!block.is_null());
                    // SAFETY: just allocated, `layout.size()` bytes.
                    unsafe { core::ptr::write_bytes(block, thread, layout.size()) };
                    mine.push((block, layout));
                    if round % 3 == 2 || mine.len() > 40 {
                        let (block, layout) = mine.swap_remove(round % mine.len());
                        // SAFETY: still ours and untouched by others.
                        let bytes = unsafe { core::slice::from_raw_parts(block, layout.size()) };
                        assert!(bytes.iter().all(|&b| b == thread));
                        // SAFETY: allocated with this layout.
                        unsafe { shared.dealloc(block, layout) };
                    }
                }
                for (block, layout) in mine {
                    // SAFETY: allocated with this layout.
                    unsafe { shared.dealloc(block, layout) };
                }
            });
        }
    });
    assert_eq!(shared.verify(), Ok(()));
    assert_eq!(shared.stats().used, 0);
}

#[test]
fn bookkeeping_is_what_the_readme_says() {
    static FREE_LIST: FreeListAllocator<{ 16 * 1024 }> = FreeListAllocator::new();
    static SEGREGATED: SegregatedBumpAllocator<{ 16 * 1024 }> = SegregatedBumpAllocator::new();
    static BUMP: BumpFreeListAllocator<{ 16 * 1024 }> = BumpFreeListAllocator::new();
    static BIG_FREE_LIST: FreeListAllocator<{ 1 << 20 }> = FreeListAllocator::new();
    static BIG_SEGREGATED: SegregatedBumpAllocator<{ 1 << 20 }> = SegregatedBumpAllocator::new();
    // 292 B of class heads and 132 B of side bitmap, rounded up to 16.
    assert_eq!(FREE_LIST.stats().overhead(), 432);
    // The heads of the 16 classes above 1 KiB in the arena (those of the 16 up to
    // 1 KiB are in the engine's state).
    assert_eq!(SEGREGATED.stats().overhead(), 64);
    assert_eq!(BUMP.stats().overhead(), 0);
    // 484 B of class heads and 8,196 B of side bitmap, rounded up to 16.
    assert_eq!(BIG_FREE_LIST.stats().overhead(), 8_688);
    // The heads of the 40 classes above 1 KiB.
    assert_eq!(BIG_SEGREGATED.stats().overhead(), 160);
    // Outside the arena: the lock and the engine's state, which for the free list
    // is mostly its quick slots (504 B). (The event log of `debug-log` adds its ring.)
    #[cfg(all(target_pointer_width = "64", not(feature = "debug-log")))]
    assert_eq!(core::mem::size_of::<FreeListAllocator<0>>(), 640);
}
