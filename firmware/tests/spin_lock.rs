//! `SpinLock` on each core. On the Cortex-M0 (`thumbv6m`, no compare-and-swap) it
//! tests and sets its flag inside a critical section of its own; on the others it
//! swaps it atomically. Either way the flag is up while the closure runs, interrupts
//! stay unmasked meanwhile (unlike `CriticalSectionLock`), and the flag is down after.
#![no_std]
#![no_main]

use core::fmt::Write;
use portable_atomic::{AtomicU32, Ordering};

use cortex_m_rt::exception;
use tinyalloc::prelude::*;
use tinyalloc_firmware::irq::{self, TEST_IRQ};
use tinyalloc_firmware::test_main;

static LOCK: SpinLock = <SpinLock as Lock>::UNLOCKED;
/// Runs of the handler, and how many of them found the flag up.
static HANDLER_RUNS: AtomicU32 = AtomicU32::new(0);
static SAW_IT_TAKEN: AtomicU32 = AtomicU32::new(0);

/// `true` if the lock's `Debug` output says its flag is up.
fn taken() -> bool {
    struct Text {
        bytes: [u8; 64],
        len: usize,
    }
    impl Write for Text {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let end = self.len + s.len();
            self.bytes
                .get_mut(self.len..end)
                .ok_or(core::fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut text = Text {
        bytes: [0; 64],
        len: 0,
    };
    write!(text, "{LOCK:?}").unwrap();
    match &text.bytes[..text.len] {
        b"SpinLock { locked: true }" => true,
        b"SpinLock { locked: false }" => false,
        other => panic!("unexpected Debug output: {:?}", core::str::from_utf8(other)),
    }
}

#[exception]
unsafe fn DefaultHandler(_irqn: i16) {
    HANDLER_RUNS.fetch_add(1, Ordering::Relaxed);
    if taken() {
        SAW_IT_TAKEN.fetch_add(1, Ordering::Relaxed);
    }
}

/// Pends the test interrupt and lets it be taken, if nothing masks it.
fn interrupt_now() {
    irq::pend(TEST_IRQ);
    cortex_m::asm::dsb();
    cortex_m::asm::isb();
}

fn the_flag_is_up_while_the_closure_runs_with_interrupts_on() {
    irq::enable(TEST_IRQ, 0x40);
    assert!(!taken());
    let result = LOCK.with_lock(|| {
        interrupt_now();
        assert_eq!(
            HANDLER_RUNS.load(Ordering::Relaxed),
            1,
            "the interrupt was masked while a SpinLock was held"
        );
        42
    });
    assert_eq!(result, 42);
    assert_eq!(
        SAW_IT_TAKEN.load(Ordering::Relaxed),
        1,
        "the flag was down while the closure ran"
    );

    interrupt_now();
    assert_eq!(HANDLER_RUNS.load(Ordering::Relaxed), 2);
    assert_eq!(
        SAW_IT_TAKEN.load(Ordering::Relaxed),
        1,
        "the flag stayed up"
    );
    // Given back, it is taken again at once (a flag left up would spin forever).
    assert_eq!(LOCK.with_lock(|| 7), 7);
    assert!(!taken());
    irq::disable(TEST_IRQ);
}

test_main!(the_flag_is_up_while_the_closure_runs_with_interrupts_on);
