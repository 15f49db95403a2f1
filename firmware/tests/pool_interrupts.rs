//! A `#[tinyalloc::pool]` static shared by `main`, SysTick and an NVIC interrupt
//! pended in software. The handlers really preempt `main` (counted), the critical
//! section really masks them, and no block is lost or corrupted.
#![no_std]
#![no_main]

use portable_atomic::{AtomicU32, Ordering};

use cortex_m_rt::exception;
use tinyalloc::prelude::*;
use tinyalloc_firmware::irq::{self, TEST_IRQ};
use tinyalloc_firmware::test_main;

#[tinyalloc::pool(size = 1024, slots = 32)]
static POOL: Pool;

static TICKS: AtomicU32 = AtomicU32::new(0);
static IRQS: AtomicU32 = AtomicU32::new(0);
/// Reads that did not return what was written, or frees that were refused.
static CORRUPT: AtomicU32 = AtomicU32::new(0);
/// Allocations refused because every block was in use.
static FULL: AtomicU32 = AtomicU32::new(0);

/// What a handler does each time: take a block, fill it, check it, give it back.
fn use_a_block(tag: u8) {
    match POOL.alloc_with(32, |bytes| bytes.fill(tag)) {
        Ok(handle) => {
            if POOL.read(handle, |bytes| bytes.iter().all(|&b| b == tag)) != Some(true) {
                CORRUPT.fetch_add(1, Ordering::Relaxed);
            }
            if !POOL.free(handle) {
                CORRUPT.fetch_add(1, Ordering::Relaxed);
            }
        }
        Err(_) => {
            FULL.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[exception]
fn SysTick() {
    let n = TICKS.fetch_add(1, Ordering::Relaxed);
    use_a_block(0xA0 ^ n as u8);
    // Every third tick, pend the NVIC line too: it preempts this handler.
    if n.is_multiple_of(3) {
        irq::pend(TEST_IRQ);
    }
}

#[exception]
unsafe fn DefaultHandler(_irqn: i16) {
    let n = IRQS.fetch_add(1, Ordering::Relaxed);
    use_a_block(0x50 ^ n as u8);
}

fn main_and_two_handlers_share_the_pool() {
    // The NVIC line is more urgent than SysTick, which is more urgent than main.
    irq::enable(TEST_IRQ, 0x40);
    irq::start_systick(2_000, 0x80);

    let mut held: [Option<(Handle, u8)>; 8] = [None; 8];
    let mut preempted = 0u32;
    let mut step = 0u32;
    while TICKS.load(Ordering::Relaxed) < 200 || IRQS.load(Ordering::Relaxed) < 60 {
        step += 1;
        let seen = TICKS.load(Ordering::Relaxed) + IRQS.load(Ordering::Relaxed);
        let slot = (step % 8) as usize;
        match held[slot].take() {
            Some((handle, tag)) => {
                let intact = POOL.read(handle, |bytes| bytes.iter().all(|&b| b == tag));
                assert_eq!(intact, Some(true), "main's block changed under it");
                assert!(POOL.free(handle));
            }
            None => {
                let tag = step as u8;
                if let Ok(handle) = POOL.alloc_with(24, |bytes| bytes.fill(tag)) {
                    held[slot] = Some((handle, tag));
                }
            }
        }
        if step.is_multiple_of(50) {
            irq::pend(TEST_IRQ); // from thread mode too
        }
        // A handler ran between two of main's operations: it preempted main.
        if TICKS.load(Ordering::Relaxed) + IRQS.load(Ordering::Relaxed) != seen {
            preempted += 1;
        }
        assert!(step < 5_000_000, "the interrupts never came");
    }
    irq::stop_systick();
    irq::disable(TEST_IRQ);
    for (handle, _) in held.iter().flatten() {
        assert!(POOL.free(*handle));
    }

    assert!(
        preempted > 100,
        "handlers preempted main only {preempted} times"
    );
    assert_eq!(
        CORRUPT.load(Ordering::Relaxed),
        0,
        "a block was corrupted or lost"
    );
    let stats = POOL.stats();
    assert_eq!(stats.in_use, 0, "every block came back");
    assert_eq!(stats.rejected_handles, 0);
    assert_eq!(stats.failed_allocs as u32, FULL.load(Ordering::Relaxed));
    assert!(
        stats.high_water >= 9,
        "main and a handler held blocks at once"
    );
}

fn a_critical_section_masks_the_interrupt() {
    irq::enable(TEST_IRQ, 0x40);
    let before = IRQS.load(Ordering::Relaxed);
    critical_section::with(|_| {
        irq::pend(TEST_IRQ);
        for _ in 0..10_000 {
            cortex_m::asm::nop();
        }
        assert_eq!(
            IRQS.load(Ordering::Relaxed),
            before,
            "ran inside the critical section"
        );
    });
    // It runs the moment the critical section ends.
    assert_eq!(IRQS.load(Ordering::Relaxed), before + 1);
    irq::disable(TEST_IRQ);
}

fn pool_closures_run_with_interrupts_masked() {
    irq::enable(TEST_IRQ, 0x40);
    let before = IRQS.load(Ordering::Relaxed);
    let handle = POOL
        .alloc_with(32, |bytes| {
            irq::pend(TEST_IRQ);
            bytes.fill(0xEE);
            // The handler would take a block and change the counts: it must not run yet.
            assert_eq!(IRQS.load(Ordering::Relaxed), before);
        })
        .unwrap();
    assert_eq!(IRQS.load(Ordering::Relaxed), before + 1);
    assert_eq!(POOL.read(handle, |bytes| bytes[31]), Some(0xEE));
    POOL.free(handle);
    irq::disable(TEST_IRQ);
}

test_main!(
    main_and_two_handlers_share_the_pool,
    a_critical_section_masks_the_interrupt,
    pool_closures_run_with_interrupts_masked,
);
