//! A `SlabCache` whose hooks carve slabs from a static region, with boxes allocated in
//! `main` and freed in an interrupt handler (and the other way round), and a SysTick
//! handler allocating and dropping boxes while `main` is in the middle of its own
//! (so the `CriticalSectionLock` is what keeps the two apart). Every slab goes back to
//! the region. A second cache takes its slabs from a `slab_region!` provider while
//! SysTick allocates from it too.
#![no_std]
#![no_main]

use core::alloc::Layout;
use core::cell::RefCell;
use core::ptr::NonNull;
use portable_atomic::{AtomicU32, Ordering};

use cortex_m_rt::exception;
use critical_section::Mutex;
use tinyalloc::prelude::*;
use tinyalloc_firmware::irq::{self, TEST_IRQ};
use tinyalloc_firmware::test_main;

const SLAB: usize = 1024;
const REGION_SLABS: usize = 8;

/// The memory the hooks hand out: 8 slabs of 1 KiB, aligned to 1 KiB.
#[repr(C, align(1024))]
struct Region([u8; SLAB * REGION_SLABS]);
static mut REGION: Region = Region([0; SLAB * REGION_SLABS]);
/// Which slabs of the region are handed out.
static TAKEN: Mutex<RefCell<[bool; REGION_SLABS]>> =
    Mutex::new(RefCell::new([false; REGION_SLABS]));
static HOOK_CALLS: AtomicU32 = AtomicU32::new(0);

unsafe fn region_alloc(layout: Layout) -> Option<NonNull<u8>> {
    HOOK_CALLS.fetch_add(1, Ordering::Relaxed);
    if layout.size() != SLAB || layout.align() != SLAB {
        return None;
    }
    critical_section::with(|cs| {
        let mut taken = TAKEN.borrow_ref_mut(cs);
        let index = taken.iter().position(|t| !t)?;
        taken[index] = true;
        // SAFETY: slab `index` is handed out once until it comes back.
        NonNull::new(unsafe {
            core::ptr::addr_of_mut!(REGION)
                .cast::<u8>()
                .add(index * SLAB)
        })
    })
}

unsafe fn region_free(ptr: NonNull<u8>, _layout: Layout) -> tinyalloc::Result<()> {
    let base = core::ptr::addr_of_mut!(REGION).cast::<u8>() as usize;
    let index = (ptr.as_ptr() as usize - base) / SLAB;
    critical_section::with(|cs| {
        let mut taken = TAKEN.borrow_ref_mut(cs);
        if index >= REGION_SLABS || !taken[index] {
            return Err(SlabError::InvalidPointer);
        }
        taken[index] = false;
        Ok(())
    })
}

tinyalloc::define_allocation_hooks!(region_alloc, region_free);

/// A sensor sample, as an interrupt handler would pass it on.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Sample {
    channel: u16,
    sequence: u32,
    values: [i16; 10],
}

fn sample(sequence: u32) -> Sample {
    Sample {
        channel: (sequence % 4) as u16,
        sequence,
        values: [sequence as i16; 10],
    }
}

static CACHE: SlabCache<Sample, CriticalSectionLock, SLAB> = SlabCache::lazy();

/// Up to 64 boxes passed between `main` and the handler.
type Mailbox = Mutex<RefCell<[Option<SlabBox<Sample, CriticalSectionLock, SLAB>>; 64]>>;

/// Boxes `main` hands to the interrupt handler, which checks and drops them.
static TO_HANDLER: Mailbox = Mutex::new(RefCell::new([const { None }; 64]));
/// Boxes the handler allocates for `main`.
static TO_MAIN: Mailbox = Mutex::new(RefCell::new([const { None }; 64]));
static DROPPED_IN_HANDLER: AtomicU32 = AtomicU32::new(0);
static MADE_IN_HANDLER: AtomicU32 = AtomicU32::new(0);
static WRONG: AtomicU32 = AtomicU32::new(0);

#[exception]
unsafe fn DefaultHandler(_irqn: i16) {
    // Check and drop every box main handed over: their slots go back from here.
    let boxes = critical_section::with(|cs| {
        core::mem::replace(&mut *TO_HANDLER.borrow_ref_mut(cs), [const { None }; 64])
    });
    for boxed in boxes.into_iter().flatten() {
        if *boxed != sample(boxed.sequence) {
            WRONG.fetch_add(1, Ordering::Relaxed);
        }
        drop(boxed);
        DROPPED_IN_HANDLER.fetch_add(1, Ordering::Relaxed);
    }
    // And make a few for main.
    critical_section::with(|cs| {
        for slot in TO_MAIN.borrow_ref_mut(cs).iter_mut().take(8) {
            if slot.is_none() {
                let n = MADE_IN_HANDLER.fetch_add(1, Ordering::Relaxed);
                *slot = CACHE.alloc(sample(1_000_000 + n)).ok();
            }
        }
    });
}

fn boxes_move_between_main_and_an_interrupt_handler() {
    irq::enable(TEST_IRQ, 0x40);
    let per_slab = SlabCache::<Sample, CriticalSectionLock, SLAB>::SLOTS_PER_SLAB as u32;
    let mut taken_from_handler = 0u32;
    for round in 0..40u32 {
        // Enough live boxes to need slave slabs: the master and two or three slaves.
        let count = 64.min(per_slab as usize * 2);
        critical_section::with(|cs| {
            let mut to_handler = TO_HANDLER.borrow_ref_mut(cs);
            for (i, slot) in to_handler.iter_mut().take(count).enumerate() {
                *slot = Some(
                    CACHE
                        .alloc(sample(round * 100 + i as u32))
                        .expect("the region has room"),
                );
            }
        });
        irq::pend(TEST_IRQ); // the handler checks and frees them
        let from_handler = critical_section::with(|cs| {
            core::mem::replace(&mut *TO_MAIN.borrow_ref_mut(cs), [const { None }; 64])
        });
        for boxed in from_handler.into_iter().flatten() {
            assert!(boxed.sequence >= 1_000_000);
            assert_eq!(*boxed, sample(boxed.sequence));
            taken_from_handler += 1;
        }
    }
    irq::disable(TEST_IRQ);

    assert_eq!(
        WRONG.load(Ordering::Relaxed),
        0,
        "a sample changed in its box"
    );
    assert_eq!(DROPPED_IN_HANDLER.load(Ordering::Relaxed), 40 * 64);
    assert!(taken_from_handler > 0);
    let stats = CACHE.stats();
    assert_eq!(stats.in_use, 0, "every object was freed");
    assert!(stats.high_water >= 64);
    assert!(stats.slabs >= 2, "slave slabs were used");
    // The cache keeps its master and one reserve slab; the rest went back.
    let still_taken =
        critical_section::with(|cs| TAKEN.borrow_ref(cs).iter().filter(|t| **t).count());
    assert!(still_taken <= 2, "{still_taken} slabs still out");
    assert_eq!(stats.failed_allocs, 0);
    assert!(HOOK_CALLS.load(Ordering::Relaxed) >= 2);
}

static TICKS: AtomicU32 = AtomicU32::new(0);
static TICK_FAILURES: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    if REGION_TEST.load(Ordering::Relaxed) != 0 {
        region_tick();
        return;
    }
    // Three boxes made, checked and dropped at whatever point `main` was interrupted.
    let n = TICKS.fetch_add(1, Ordering::Relaxed);
    let mut boxes: [Option<SlabBox<Sample, CriticalSectionLock, SLAB>>; 3] = [None, None, None];
    for (i, slot) in boxes.iter_mut().enumerate() {
        match CACHE.alloc(sample(2_000_000 + n * 3 + i as u32)) {
            Ok(boxed) => *slot = Some(boxed),
            Err(_) => {
                TICK_FAILURES.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
    // Against the sample this handler wrote, not the sequence read back from the box:
    // a slot handed to `main` too holds a whole sample of `main`'s.
    for (i, slot) in boxes.iter().enumerate() {
        if let Some(boxed) = slot
            && **boxed != sample(2_000_000 + n * 3 + i as u32)
        {
            WRONG.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn main_and_systick_share_the_cache() {
    WRONG.store(0, Ordering::Relaxed);
    // Fires every 1,500 cycles, 5,000 times. Only now and then does a tick land inside
    // one of main's allocations or drops, so the run is long: with a critical section
    // that masks nothing, boxes change under `main` or it faults (on the emulated
    // Cortex-M0 in 200 runs of 200; with 400 ticks, 10 runs in 200 passed).
    irq::start_systick(1_500, 0x80);
    // Each box with the sequence `main` wrote into it: a box checked against the
    // sequence read back from it would not see a whole sample of the handler's.
    let mut held: [Option<(SlabBox<Sample, CriticalSectionLock, SLAB>, u32)>; 48] =
        [const { None }; 48];
    let mut step = 0u32;
    let mut preempted = 0u32;
    while TICKS.load(Ordering::Relaxed) < 5_000 {
        step += 1;
        let seen = TICKS.load(Ordering::Relaxed);
        let slot = &mut held[(step % 48) as usize];
        match slot.take() {
            Some((boxed, wrote)) => assert_eq!(*boxed, sample(wrote), "main's box changed"),
            None => {
                let boxed = CACHE.alloc(sample(step)).expect("the region has room");
                *slot = Some((boxed, step));
            }
        }
        if TICKS.load(Ordering::Relaxed) != seen {
            preempted += 1;
        }
        assert!(step < 20_000_000, "SysTick never came");
    }
    irq::stop_systick();
    for (boxed, wrote) in held.iter().flatten() {
        assert_eq!(**boxed, sample(*wrote), "main's box changed");
    }
    drop(held);
    assert!(
        preempted > 100,
        "SysTick preempted main only {preempted} times"
    );
    assert_eq!(WRONG.load(Ordering::Relaxed), 0, "a handler's box changed");
    assert_eq!(TICK_FAILURES.load(Ordering::Relaxed), 0);
    let stats = CACHE.stats();
    assert_eq!(stats.in_use, 0, "every object was freed");
    assert_eq!(stats.failed_allocs, 0);
    let still_taken =
        critical_section::with(|cs| TAKEN.borrow_ref(cs).iter().filter(|t| **t).count());
    assert_eq!(
        still_taken, stats.slabs,
        "the region and the cache count slabs alike"
    );
    // A slot that a preempted operation left on a free list twice is handed out twice
    // once the region is full: one of the two boxes then holds the other's sample.
    let (full, failed) = fill_the_region();
    assert_eq!(failed, Some(SlabError::OutOfMemory));
    check_every_box(&full, "a slot was handed out twice");
}

/// More boxes than the region holds.
const MAX_BOXES: usize = 400;
type Boxes = [Option<SlabBox<Sample, CriticalSectionLock, SLAB>>; MAX_BOXES];

/// Takes boxes until the region runs out, box `i` holding `sample(i)`, and returns
/// them with the error that stopped it.
fn fill_the_region() -> (Boxes, Option<SlabError>) {
    let mut held: Boxes = [const { None }; MAX_BOXES];
    for (i, slot) in held.iter_mut().enumerate() {
        match CACHE.alloc(sample(i as u32)) {
            Ok(boxed) => *slot = Some(boxed),
            Err(rejected) => {
                // The value comes back untouched with the reason.
                assert_eq!(*rejected.value(), sample(i as u32));
                return (held, Some(rejected.error()));
            }
        }
    }
    (held, None)
}

/// Box `i` still holds `sample(i)`.
fn check_every_box(held: &Boxes, what: &str) {
    for (i, slot) in held.iter().enumerate() {
        if let Some(boxed) = slot {
            assert_eq!(**boxed, sample(i as u32), "{what}");
        }
    }
}

fn a_full_region_fails_cleanly() {
    // Hold boxes until the region runs out: the cache reports OutOfMemory, no panic.
    let (held, failed) = fill_the_region();
    assert_eq!(failed, Some(SlabError::OutOfMemory));
    let live = held.iter().flatten().count();
    check_every_box(&held, "a full cache changed a box");
    drop(held);
    let stats = CACHE.stats();
    assert_eq!(stats.in_use, 0);
    assert!(stats.high_water >= live);
    // Everything is usable again.
    assert!(CACHE.alloc(sample(7)).is_ok());
}

tinyalloc::slab_region! {
    /// Four slabs of 512 bytes, lent to `REGION_CACHE` alone.
    RadioRam, slabs = 4, slab_size = 512
}

static REGION_CACHE: SlabCache<Sample, CriticalSectionLock, 512, RadioRam> = SlabCache::lazy();
/// Non-zero while SysTick works on `REGION_CACHE` instead of `CACHE`.
static REGION_TEST: AtomicU32 = AtomicU32::new(0);

/// Two boxes of `REGION_CACHE` made, checked and dropped; none when `main` holds every
/// slot.
fn region_tick() {
    let n = TICKS.fetch_add(1, Ordering::Relaxed);
    let first = REGION_CACHE.alloc(sample(3_000_000 + n * 2));
    let second = REGION_CACHE.alloc(sample(3_000_000 + n * 2 + 1));
    for (i, made) in [first, second].iter().enumerate() {
        match made {
            Ok(boxed) if **boxed != sample(3_000_000 + n * 2 + i as u32) => {
                WRONG.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(rejected) if rejected.error() != SlabError::OutOfMemory => {
                WRONG.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                TICK_FAILURES.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

fn a_declared_region_serves_a_cache_that_an_interrupt_handler_shares() {
    WRONG.store(0, Ordering::Relaxed);
    TICKS.store(0, Ordering::Relaxed);
    REGION_TEST.store(1, Ordering::Relaxed);
    irq::start_systick(1_500, 0x80);
    // Fill the region to its end and empty it again, round after round, so slabs go
    // out of the region and back while SysTick takes and drops boxes of its own.
    let mut rounds = 0u32;
    let mut held: [Option<(SlabBox<Sample, CriticalSectionLock, 512>, u32)>; 64] =
        [const { None }; 64];
    while TICKS.load(Ordering::Relaxed) < 2_000 {
        rounds += 1;
        for (i, slot) in held.iter_mut().enumerate() {
            let wrote = rounds * 100 + i as u32;
            *slot = REGION_CACHE.alloc(sample(wrote)).ok().map(|b| (b, wrote));
        }
        assert!(RadioRam::region().lent() <= 4);
        for (boxed, wrote) in held.iter().flatten() {
            assert_eq!(**boxed, sample(*wrote), "main's box changed");
        }
        held = [const { None }; 64];
        assert!(rounds < 1_000_000, "SysTick never came");
    }
    irq::stop_systick();
    REGION_TEST.store(0, Ordering::Relaxed);
    assert_eq!(
        WRONG.load(Ordering::Relaxed),
        0,
        "a box changed or failed wrongly"
    );
    let stats = REGION_CACHE.stats();
    assert_eq!(stats.in_use, 0, "every object was freed");
    assert_eq!(
        RadioRam::region().lent(),
        stats.slabs,
        "the region and the cache count slabs alike"
    );
    // With every slot held, the region is spent: all four slabs lent.
    let full: [_; 64] = core::array::from_fn(|i| REGION_CACHE.alloc(sample(i as u32)).ok());
    assert_eq!(RadioRam::region().lent(), 4);
    assert!(
        full.iter().any(Option::is_none),
        "64 boxes fit in four slabs"
    );
    drop(full);
    assert!(rounds > 1);
}

test_main!(
    boxes_move_between_main_and_an_interrupt_handler,
    main_and_systick_share_the_cache,
    a_full_region_fails_cleanly,
    a_declared_region_serves_a_cache_that_an_interrupt_handler_shares
);
