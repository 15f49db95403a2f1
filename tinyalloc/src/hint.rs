//! Branch hints for the fast paths.

/// Called on a branch to say it is the less likely one (a stable stand-in for
/// `core::hint::cold_path`, which is newer than the crate's minimum Rust): the
/// compiler then lays the other branch out to fall through, without a jump.
#[cold]
#[inline(always)]
pub(crate) fn cold() {}
