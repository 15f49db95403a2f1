//! Shared pieces of the firmware images: the size-probe scaffold, the on-target test
//! runner and interrupt helpers.
#![no_std]

pub mod count;
pub mod harness;
pub mod irq;
pub mod stack;

// Re-exported for the macros below; linking `cortex_m` also brings in its
// single-core critical section.
pub use cortex_m;
pub use cortex_m_rt;
pub use cortex_m_semihosting;

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

/// A global allocator that hands out nothing: for images that link `alloc` through a
/// peer crate (talc, through allocator-api2) but never allocate through it, which
/// still need one. LTO removes it.
pub struct NoGlobalAllocator;

// SAFETY: it never hands out memory, so it never hands out memory twice.
unsafe impl core::alloc::GlobalAlloc for NoGlobalAllocator {
    unsafe fn alloc(&self, _: core::alloc::Layout) -> *mut u8 {
        core::ptr::null_mut()
    }
    unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
}

/// Formats `args` through `core::fmt` and throws the text away: what a fault handler
/// or a log line that prints tinyalloc's values links, for the no-panic images
/// (`scripts/no-panic.sh`). `true` when formatting succeeded.
pub fn print_to_nowhere(args: core::fmt::Arguments<'_>) -> bool {
    struct Nowhere;
    impl core::fmt::Write for Nowhere {
        fn write_str(&mut self, text: &str) -> core::fmt::Result {
            core::hint::black_box(text.len());
            Ok(())
        }
    }
    core::fmt::write(&mut Nowhere, args).is_ok()
}

/// A size probe for a `GlobalAlloc` heap engine: one alloc and one dealloc of 64
/// bytes from a 4 KiB inline arena. `heap_probe!(tinyalloc::heap::FreeListAllocator)`.
#[macro_export]
macro_rules! heap_probe {
    ($engine:ident) => {
        static HEAP: tinyalloc::heap::$engine<4096> = tinyalloc::heap::$engine::new();

        $crate::probe! {
            use core::alloc::GlobalAlloc;
            let layout = core::alloc::Layout::from_size_align(core::hint::black_box(64), 8).unwrap();
            // SAFETY: the block goes back to the heap it came from, with its layout.
            unsafe {
                let ptr = HEAP.alloc(layout);
                if !ptr.is_null() {
                    HEAP.dealloc(core::hint::black_box(ptr), layout);
                }
            }
        }
    };
}

/// The `main`, panic handler and HardFault handler of a test image:
/// `test_main!(first_test, second_test)` runs the functions in order.
#[macro_export]
macro_rules! test_main {
    ($($test:ident),+ $(,)?) => {
        static TESTS: &[$crate::harness::Test] = &[
            $($crate::harness::Test { name: stringify!($test), run: $test }),+
        ];

        #[$crate::cortex_m_rt::entry]
        fn main() -> ! {
            $crate::harness::run(TESTS)
        }

        #[panic_handler]
        fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
            $crate::harness::fail(info)
        }

        #[$crate::cortex_m_rt::exception]
        unsafe fn HardFault(frame: &$crate::cortex_m_rt::ExceptionFrame) -> ! {
            $crate::harness::fail(&format_args!("HardFault, pc = {:#010x}", frame.pc()))
        }
    };
}
