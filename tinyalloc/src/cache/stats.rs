//! [`CacheStats`]: what a slab cache has done, in the words of [`Stats`](crate::Stats).

use core::fmt;

use super::slab::Counters;
use crate::allocator::Count;

/// What a [`SlabCache`](super::SlabCache) holds now and has done since it was made.
///
/// `in_use`, `high_water` and `failed_allocs` mean what they mean in
/// [`Stats`](crate::Stats), counted in objects; the rest is about slabs. The counts of
/// events (`failed_allocs`, `provider_calls`, `provider_errors`) stop at `usize::MAX`
/// rather than wrap, as the other engines' do.
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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
    /// Objects that fit in the slabs held now without asking the provider; 0, not
    /// an overflow, for stats whose public fields were set to more in use than
    /// capacity (as `Stats::available`).
    #[inline]
    pub const fn available(&self) -> usize {
        self.capacity.saturating_sub(self.in_use)
    }
}

impl From<Counters> for CacheStats {
    fn from(counters: Counters) -> Self {
        CacheStats {
            slabs: counters.slabs,
            reserve: counters.reserve,
            capacity: counters.capacity,
            in_use: counters.in_use(),
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
            "{}/{} objects in use (high-water {}) in {} ({} in reserve), {}, {}",
            self.in_use,
            self.capacity,
            self.high_water,
            Count(self.slabs, "slab"),
            self.reserve,
            Count(self.failed_allocs, "failed allocation"),
            Count(self.provider_calls, "provider call"),
        )?;
        if self.provider_errors != 0 {
            write!(f, ", {}", Count(self.provider_errors, "provider error"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn available_never_overflows() {
        let stats = CacheStats {
            capacity: 15,
            in_use: 4,
            ..CacheStats::default()
        };
        assert_eq!(stats.available(), 11);
        let miscounted = CacheStats {
            in_use: 16,
            ..stats
        };
        assert_eq!(miscounted.available(), 0);
    }

    #[test]
    fn stats_read_as_a_sentence() {
        let stats = CacheStats {
            slabs: 3,
            reserve: 1,
            capacity: 90,
            in_use: 12,
            high_water: 40,
            failed_allocs: 2,
            provider_calls: 5,
            provider_errors: 0,
        };
        assert_eq!(
            stats.to_string(),
            "12/90 objects in use (high-water 40) in 3 slabs (1 in reserve), 2 failed allocations, 5 provider calls"
        );
        let one = CacheStats {
            slabs: 1,
            provider_errors: 1,
            ..stats
        };
        assert!(one.to_string().contains("in 1 slab ("));
        assert!(one.to_string().ends_with(", 1 provider error"));
        assert_eq!(stats.available(), 78);
    }
}
