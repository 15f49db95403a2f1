//! Shared helpers for tinyalloc's integration tests.

use proptest::test_runner::Config;

/// A proptest configuration with `cases` cases on the host and a handful under Miri,
/// where every step is interpreted. No failure files: Miri runs isolated.
pub fn proptest_config(cases: u32) -> Config {
    Config {
        cases: if cfg!(miri) { 6 } else { cases },
        failure_persistence: None,
        ..Config::default()
    }
}

pub mod heap;
