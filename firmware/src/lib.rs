//! Shared pieces of the firmware images.
#![no_std]

// Links cortex-m's single-core critical section.
pub use cortex_m;
pub use cortex_m_rt;

/// The `main` and panic handler of a size probe: `probe! { body }` runs `body` once
/// and sleeps. A probe measures code and RAM, not behaviour, so a panic just stops.
#[macro_export]
macro_rules! probe {
    ($($body:tt)*) => {
        #[$crate::cortex_m_rt::entry]
        fn main() -> ! {
            $($body)*
            loop {
                $crate::cortex_m::asm::wfi();
            }
        }

        #[panic_handler]
        fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
            loop {
                $crate::cortex_m::asm::udf();
            }
        }
    };
}
