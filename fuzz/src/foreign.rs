//! A second pool of the same shape, for the buffer and deque targets: calls given it
//! instead of the pool that holds the buffer's blocks must be refused and change
//! nothing. Its blocks are "squatters" shorter than a whole block (some too short for
//! a chunk header, some with a payload just short of a chunk's), so a handle of the
//! home pool is either not live here or names a block that is not a whole chunk:
//! both refusals the buffer documents, and neither may touch the squatter's bytes.

use tinyalloc::{Allocator, Handle, Stats};

use crate::pattern;

/// The other pool and what it holds.
pub(crate) struct Foreign<A> {
    pub(crate) pool: A,
    squatters: Vec<(Handle, Vec<u8>)>,
}

impl<A: Allocator> Foreign<A> {
    /// The pool at `place`, with `count % (capacity + 1)` squatters of every length
    /// from 1 to a block less one, in turn; `fresh` takes its place. A pool's slots
    /// start at a generation drawn from where it is when it first takes them, so
    /// the pool then put at `place` hands out the squatters' handles, in the same
    /// order, as long as it stays there: the case where handles alone cannot tell
    /// the pools apart.
    pub(crate) fn take_from(place: &mut A, fresh: A, count: u8) -> Self {
        let block = place.block_size();
        let count = usize::from(count) % (place.capacity() + 1);
        let squatters = (0..count)
            .map(|i| {
                let data = pattern(i as u8, 1 + i % (block - 1));
                (place.alloc(&data).expect("a squatter fits"), data)
            })
            .collect();
        let pool = std::mem::replace(place, fresh);
        Foreign { pool, squatters }
    }

    /// Runs `call`, one call given this pool instead of `home`, and checks it changed
    /// neither pool: `home`'s `Stats` as they were, here the same blocks with the same
    /// bytes, and the one handle the call looked up counted at most once.
    pub(crate) fn refuses<H: Allocator, R>(
        &mut self,
        home: &H,
        call: impl FnOnce(&mut A) -> R,
    ) -> R {
        let home_before = home.stats();
        let before = self.pool.stats();
        let result = call(&mut self.pool);
        assert_eq!(
            home.stats(),
            home_before,
            "a refused call changed the home pool"
        );
        let after = self.pool.stats();
        let same = |s: Stats| (s.in_use, s.high_water, s.failed_allocs);
        assert_eq!(
            same(after),
            same(before),
            "a refused call took or gave blocks"
        );
        assert!(
            after.rejected_handles - before.rejected_handles <= 1,
            "one refusal counted {} rejected handles",
            after.rejected_handles - before.rejected_handles
        );
        self.check();
        result
    }

    /// Every squatter still holds its bytes.
    pub(crate) fn check(&self) {
        for (handle, data) in &self.squatters {
            assert_eq!(
                self.pool.get(*handle),
                Some(&data[..]),
                "a refused call touched another pool's block"
            );
        }
    }

    /// Frees the squatters: the pool ends empty.
    pub(crate) fn release(mut self) {
        for (handle, _) in self.squatters.drain(..) {
            assert!(self.pool.free(handle));
        }
        assert_eq!(self.pool.stats().in_use, 0);
    }
}
