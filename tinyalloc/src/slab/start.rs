//! The generation each pool's slots start at, drawn from one counter for the whole
//! program so that pools do not take each other's handles.

use core::sync::atomic::{AtomicU32, Ordering};

/// The start the last pool drew (see `draw_start`); its low 16 bits count in steps of
/// `SPREAD`.
static LAST_START: AtomicU32 = AtomicU32::new(0);

/// The step between the starts of pools drawn one after another: odd, so 65,536
/// steps visit every 16-bit value once.
pub(super) const SPREAD: u16 = 0x9E37;

/// The generation a pool's slots start at, drawn when it first hands out a block:
/// the last pool's start plus an odd step, modulo 2^16 (the number of pools that drew
/// before it, plus one, times the step), so the first 65,536 pools of a program start
/// at different generations, and pools that drew fewer than 10 draws apart are at
/// least 3,656 generations apart (see `TinySlabAllocator::start`).
///
/// The step is an atomic add, so pools that threads, cores or preempting tasks make
/// at the same time draw different starts. A core without one (Armv6-M: Cortex-M0
/// and M0+) does a load and a store: there a pool that an interrupt handler makes and
/// first uses between the two draws the same start as the pool it interrupted, and
/// the two then take each other's handles as two pools with the same start do (a
/// `Pool` draws inside its critical section, so two `Pool`s never race).
#[cold]
pub(super) fn draw_start() -> u16 {
    #[cfg(target_has_atomic = "32")]
    let drawn = LAST_START
        .fetch_add(u32::from(SPREAD), Ordering::Relaxed)
        .wrapping_add(u32::from(SPREAD));
    // The start stored is the start returned: one constant and one add on the M0.
    #[cfg(not(target_has_atomic = "32"))]
    let drawn = {
        let drawn = LAST_START
            .load(Ordering::Relaxed)
            .wrapping_add(u32::from(SPREAD));
        LAST_START.store(drawn, Ordering::Relaxed);
        drawn
    };
    drawn as u16
}
