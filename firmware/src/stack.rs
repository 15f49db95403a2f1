//! Measuring the stack a call takes on the target: the stack below the caller is
//! painted with a pattern, the call runs, and the deepest word that no longer holds
//! the pattern says how far it went. `src/bin/stack_report*.rs` print what this
//! measures; `scripts/stack-report.sh` makes the README's table of it.

use cortex_m_semihosting::{debug, hprintln};

/// What an untouched stack word holds.
const PAINT: u32 = 0x5AA5_C33C;
/// How far below the caller the stack is painted, and the most this can measure.
const DEPTH: usize = 4096;

/// The most stack `op` took: bytes below the stack pointer of this function.
#[inline(never)]
pub fn stack_of(op: &mut dyn FnMut()) -> usize {
    let top = cortex_m::register::msp::read() as usize;
    let bottom = top - DEPTH;
    for addr in (bottom..top).step_by(4) {
        // SAFETY: the words below the stack pointer belong to no frame now (nothing
        // else runs: this image enables no interrupt), and the RAM reaches that far
        // (the stack starts at its end, and the image's statics take a few KiB).
        unsafe { (addr as *mut u32).write_volatile(PAINT) };
    }
    op();
    let mut deepest = bottom;
    // SAFETY: as above; the words are read back, not written.
    while deepest < top && unsafe { (deepest as *const u32).read_volatile() } == PAINT {
        deepest += 4;
    }
    assert!(deepest > bottom, "a call went deeper than {DEPTH} bytes");
    top - deepest
}

/// The deepest of the calls measured so far for one line of the report.
pub struct Deepest(pub usize);

impl Deepest {
    /// Measures `op` too.
    pub fn of(&mut self, mut op: impl FnMut()) -> &mut Self {
        self.0 = self.0.max(stack_of(&mut op));
        self
    }

    /// Prints `name bytes`.
    pub fn report(&self, name: &str) {
        hprintln!("{} {}", name, self.0);
    }
}

/// Measures the `GlobalAlloc` calls of `$heap`, a fresh heap of 4 KiB, and prints the
/// deepest on `$name`'s line: the first `alloc` (which may set the heap up), more
/// of them, one that fails, `realloc` growing, shrinking and moving, and `dealloc`
/// down to an empty heap. With `introspect`, a second line for tinyalloc's
/// `stats()` and `verify()`.
#[macro_export]
macro_rules! heap_stack {
    ($name:literal, $heap:expr) => {{
        use core::alloc::{GlobalAlloc as _, Layout};
        use core::hint::black_box;
        let small = Layout::from_size_align(black_box(24), 8).unwrap();
        let large = Layout::from_size_align(black_box(200), 8).unwrap();
        let huge = Layout::from_size_align(black_box(8192), 8).unwrap();
        let grown = Layout::from_size_align(48, 8).unwrap();
        let shrunk = Layout::from_size_align(192, 8).unwrap();
        let moved = Layout::from_size_align(1024, 8).unwrap();
        let mut blocks = [core::ptr::null_mut::<u8>(); 4];
        // SAFETY (every call): each block goes back to the heap it came from, once,
        // with the layout it has then.
        $crate::stack::Deepest(0)
            .of(|| blocks[0] = unsafe { $heap.alloc(small) })
            .of(|| blocks[1] = unsafe { $heap.alloc(small) })
            .of(|| blocks[2] = unsafe { $heap.alloc(large) })
            .of(|| blocks[3] = unsafe { $heap.alloc(small) })
            .of(|| assert!(unsafe { $heap.alloc(huge) }.is_null()))
            // Grows into the free block after it.
            .of(|| unsafe { $heap.dealloc(blocks[1], small) })
            .of(|| blocks[0] = unsafe { $heap.realloc(blocks[0], small, grown.size()) })
            // Shrinks in place, then moves past the blocks after it.
            .of(|| blocks[2] = unsafe { $heap.realloc(blocks[2], large, shrunk.size()) })
            .of(|| blocks[3] = unsafe { $heap.realloc(blocks[3], small, moved.size()) })
            .of(|| unsafe { $heap.dealloc(blocks[0], grown) })
            .of(|| unsafe { $heap.dealloc(blocks[2], shrunk) })
            // The last live block: the heap empties.
            .of(|| unsafe { $heap.dealloc(blocks[3], moved) })
            .report(concat!($name, ": `alloc`, `dealloc`, `realloc`"));
        assert!(blocks.iter().all(|block| !block.is_null()));
    }};
    ($name:literal, $heap:expr, introspect) => {{
        $crate::heap_stack!($name, $heap);
        $crate::stack::Deepest(0)
            .of(|| {
                core::hint::black_box($heap.stats());
            })
            .of(|| core::hint::black_box($heap.verify()).unwrap())
            .report(concat!($name, ": `stats()`, `verify()`"));
    }};
}

/// Ends a stack report: QEMU exits with status 0.
pub fn finish() -> ! {
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}

/// The panic handler of a stack report: prints the panic and exits QEMU with status 1.
#[macro_export]
macro_rules! stack_report_panic_handler {
    () => {
        #[panic_handler]
        fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
            $crate::cortex_m_semihosting::hprintln!("stack-report: {}", info);
            $crate::cortex_m_semihosting::debug::exit(
                $crate::cortex_m_semihosting::debug::EXIT_FAILURE,
            );
            $crate::cortex_m::asm::udf()
        }
    };
}
