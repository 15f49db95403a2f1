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

impl<A: Allocator + Clone> Foreign<A> {
    /// A clone of `home`, with `count % (capacity + 1)` squatters of every length
    /// from 1 to a block less one, in turn. `home` first takes a block and gives it
    /// back, which draws the generation its slots start at; the clone then has that
    /// start and the same free list, so its squatters get the handles `home` hands
    /// out next, in the same order: the case where handles alone cannot tell the
    /// pools apart.
    pub(crate) fn beside(home: &mut A, count: u8) -> Self {
        let block = home.block_size();
        let drawn = home.alloc(&[]).expect("an empty pool has a block");
        assert!(home.free(drawn));
        let mut pool = home.clone();
        let count = usize::from(count) % (pool.capacity() + 1);
        let squatters = (0..count)
            .map(|i| {
                let data = pattern(i as u8, 1 + i % (block - 1));
                (pool.alloc(&data).expect("a squatter fits"), data)
            })
            .collect();
        Foreign { pool, squatters }
    }
}

impl<A: Allocator> Foreign<A> {
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
