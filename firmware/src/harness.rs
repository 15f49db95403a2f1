//! A test runner for firmware images: runs each test in turn, prints the results over
//! semihosting, ends with `N passed, N failed` and exits with status 0 only when all
//! passed. A panic or a HardFault ends the run with the failing test's name.

use core::cell::Cell;
use core::fmt::Display;
use portable_atomic::{AtomicUsize, Ordering};

use cortex_m_semihosting::{debug, hprint, hprintln};
use critical_section::Mutex;

/// One test: a name and a function that panics on failure.
pub struct Test {
    /// Printed before the test runs.
    pub name: &'static str,
    /// The test itself.
    pub run: fn(),
}

static TESTS: Mutex<Cell<&'static [Test]>> = Mutex::new(Cell::new(&[]));
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PASSED: AtomicUsize = AtomicUsize::new(0);

/// Runs every test, then exits QEMU: status 0 when all passed.
pub fn run(tests: &'static [Test]) -> ! {
    critical_section::with(|cs| TESTS.borrow(cs).set(tests));
    hprintln!(
        "running {} test{}",
        tests.len(),
        if tests.len() == 1 { "" } else { "s" }
    );
    for (index, test) in tests.iter().enumerate() {
        CURRENT.store(index, Ordering::SeqCst);
        hprint!("test {} ... ", test.name);
        (test.run)();
        hprintln!("ok");
        PASSED.fetch_add(1, Ordering::SeqCst);
    }
    hprintln!("{} passed, 0 failed", tests.len());
    exit(true)
}

/// Ends the run: the current test failed because of `what`.
pub fn fail(what: &dyn Display) -> ! {
    let tests = critical_section::with(|cs| TESTS.borrow(cs).get());
    let index = CURRENT.load(Ordering::SeqCst);
    let passed = PASSED.load(Ordering::SeqCst);
    let name = tests
        .get(index)
        .map_or("(before the first test)", |t| t.name);
    hprintln!("FAILED");
    hprintln!("{}: {}", name, what);
    let not_run = tests.len().saturating_sub(passed + 1);
    if not_run > 0 {
        hprintln!("not run after the failure: {}", not_run);
    }
    hprintln!("{} passed, 1 failed", passed);
    exit(false)
}

fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Only reached when not running under a semihosting host.
    loop {
        cortex_m::asm::bkpt();
    }
}
