//! A test runner for firmware images: runs each test in turn, prints the results over
//! semihosting, ends with `N passed, N failed` and exits with status 0 only when all
//! passed. A panic or a HardFault ends the run with the failing test's name.
//!
//! `cargo test -- WORD…` (or `cargo test WORD`) runs only the tests whose names
//! contain one of the words, as libtest does: `scripts/qemu-run.sh` hands the words to
//! QEMU with `-append`, and the image reads them back with the semihosting call
//! `SYS_GET_CMDLINE`, after the image's own path.

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
/// How many tests this run takes (the others are filtered out).
static CHOSEN: AtomicUsize = AtomicUsize::new(0);

/// Runs every test the command line chooses, then exits QEMU: status 0 when all
/// passed.
pub fn run(tests: &'static [Test]) -> ! {
    critical_section::with(|cs| TESTS.borrow(cs).set(tests));
    let mut line = [0u8; 256];
    let filter = Filter::read(&mut line);
    let chosen = tests.iter().filter(|t| filter.chooses(t.name)).count();
    CHOSEN.store(chosen, Ordering::SeqCst);
    hprint!(
        "running {} test{}",
        chosen,
        if chosen == 1 { "" } else { "s" }
    );
    if chosen < tests.len() {
        hprint!(" ({} filtered out)", tests.len() - chosen);
    }
    hprintln!();
    for (index, test) in tests.iter().enumerate() {
        if !filter.chooses(test.name) {
            continue;
        }
        CURRENT.store(index, Ordering::SeqCst);
        hprint!("test {} ... ", test.name);
        (test.run)();
        hprintln!("ok");
        PASSED.fetch_add(1, Ordering::SeqCst);
    }
    hprintln!("{} passed, 0 failed", chosen);
    exit(true)
}

/// The words of the command line after the image's path: a test runs when its name
/// contains one of them, or when there are none.
struct Filter<'a> {
    words: &'a str,
}

impl<'a> Filter<'a> {
    /// Reads the command line into `line`. With no semihosting host, or a line longer
    /// than `line`, every test runs (and the second says so).
    fn read(line: &'a mut [u8]) -> Self {
        // The semihosting call's argument block: the buffer, and its length, which the
        // host sets to the length of the line it wrote.
        let mut block = [line.as_mut_ptr() as usize, line.len()];
        // SAFETY: SYS_GET_CMDLINE writes at most `block[1]` bytes into the buffer and
        // the line's length into `block[1]`; both outlive the call.
        let status = unsafe {
            cortex_m_semihosting::syscall1(
                cortex_m_semihosting::nr::GET_CMDLINE,
                block.as_mut_ptr() as usize,
            )
        };
        let written = if status == 0 {
            block[1]
        } else {
            hprintln!("(no command line from the host: every test runs)");
            0
        };
        let words = line
            .get(..written)
            .and_then(|text| core::str::from_utf8(text).ok())
            .unwrap_or("");
        // The first word is the image's path; libtest's options start with `-`.
        let words = words.trim_start();
        let words = words
            .find(char::is_whitespace)
            .map_or("", |end| &words[end..]);
        Filter { words }
    }

    fn chooses(&self, name: &str) -> bool {
        let mut words = self
            .words
            .split_whitespace()
            .filter(|word| !word.starts_with('-'))
            .peekable();
        words.peek().is_none() || words.any(|word| name.contains(word))
    }
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
    let not_run = CHOSEN.load(Ordering::SeqCst).saturating_sub(passed + 1);
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
