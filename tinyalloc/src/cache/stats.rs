//! [`CacheStats`]: what a slab cache has done, in the words of [`Stats`](crate::Stats).

use core::fmt;

use super::slab::Counters;

/// What a [`SlabCache`](super::SlabCache) holds now and has done since it was made.
///
/// `in_use`, `high_water` and `failed_allocs` mean what they mean in
/// [`Stats`](crate::Stats), counted in objects; the rest is about slabs.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CacheStats {
    /// Slabs the cache holds now: the master, slaves in use, and the reserve.
    pub slabs: usize,
    /// Empty slave slabs kept for the next allocations.
    pub reserve: usize,
    /// Objects the slabs it holds now can take.
    pub capacity: usize,
    /// Objects live now.
    pub in_use: usize,
    /// The most objects that were ever live at once.
    pub high_water: usize,
    /// Allocations that failed (the provider had no memory, or misaligned memory).
    pub failed_allocs: usize,
    /// Calls to the provider: slabs taken, handed back, and misaligned blocks
    /// returned.
    pub provider_calls: usize,
    /// Errors the provider's free reported, and damaged slabs found by
    /// [`trim`](super::SlabCache::trim).
    pub provider_errors: usize,
}

impl CacheStats {
    /// Objects that fit in the slabs held now without asking the provider.
    #[inline]
    pub const fn available(&self) -> usize {
        self.capacity - self.in_use
    }
}

impl From<Counters> for CacheStats {
    fn from(counters: Counters) -> Self {
        CacheStats {
            slabs: counters.slabs,
            reserve: counters.reserve,
            capacity: counters.capacity,
            in_use: counters.in_use,
            high_water: counters.high_water,
            failed_allocs: counters.failed_allocs,
            provider_calls: counters.provider_calls,
            provider_errors: counters.provider_errors,
        }
    }
}

impl fmt::Display for CacheStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} objects in use (high-water {}) in {} slabs ({} in reserve), \
             {} failed allocations, {} provider calls",
            self.in_use,
            self.capacity,
            self.high_water,
            self.slabs,
            self.reserve,
            self.failed_allocs,
            self.provider_calls,
        )?;
        if self.provider_errors != 0 {
            write!(f, ", {} provider errors", self.provider_errors)?;
        }
        Ok(())
    }
}
