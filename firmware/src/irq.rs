//! Interrupts for tests: an NVIC line pended in software (no device crate needed: the
//! vector table's `DefaultHandler` catches it) and SysTick.

use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{NVIC, SCB};

/// An external interrupt line, by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Irq(pub u16);

// SAFETY: the numbers used (0 and 1) are external interrupt lines on both boards.
unsafe impl InterruptNumber for Irq {
    fn number(self) -> u16 {
        self.0
    }
}

/// The line the tests pend from software.
pub const TEST_IRQ: Irq = Irq(1);

/// Enables `irq` at `priority` (lower is more urgent; only the top bits count).
pub fn enable(irq: Irq, priority: u8) {
    // SAFETY: tests own the whole machine; nothing else configures the NVIC.
    let mut p = unsafe { cortex_m::Peripherals::steal() };
    // SAFETY: changing a priority cannot break a critical section in these tests:
    // they take critical sections with `cpsid`, which masks every priority.
    unsafe {
        p.NVIC.set_priority(irq, priority);
        NVIC::unmask(irq);
    }
}

/// Disables `irq`.
pub fn disable(irq: Irq) {
    NVIC::mask(irq);
}

/// Marks `irq` pending: it runs as soon as interrupts are not masked.
pub fn pend(irq: Irq) {
    NVIC::pend(irq);
}

/// Starts SysTick: an exception every `cycles` core clock cycles, at `priority`.
pub fn start_systick(cycles: u32, priority: u8) {
    // SAFETY: tests own the whole machine; nothing else configures SysTick.
    let mut p = unsafe { cortex_m::Peripherals::steal() };
    // SAFETY: as for `enable`.
    unsafe {
        p.SCB
            .set_priority(cortex_m::peripheral::scb::SystemHandler::SysTick, priority)
    };
    p.SYST.set_clock_source(SystClkSource::Core);
    p.SYST.set_reload(cycles - 1);
    p.SYST.clear_current();
    p.SYST.enable_interrupt();
    p.SYST.enable_counter();
}

/// Stops SysTick.
pub fn stop_systick() {
    // SAFETY: as for `start_systick`.
    let mut p = unsafe { cortex_m::Peripherals::steal() };
    p.SYST.disable_interrupt();
    p.SYST.disable_counter();
}

/// The exception number being handled (16 + IRQ number for external lines), or 0 in
/// thread mode.
pub fn active_vector() -> u8 {
    match SCB::vect_active() {
        cortex_m::peripheral::scb::VectActive::ThreadMode => 0,
        cortex_m::peripheral::scb::VectActive::Exception(_) => 15,
        cortex_m::peripheral::scb::VectActive::Interrupt { irqn } => irqn.saturating_add(16),
    }
}
