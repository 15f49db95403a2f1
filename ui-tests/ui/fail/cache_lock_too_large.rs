// A lock sits in the cache and in the master slab's header: at most 16 bytes.
use tinyalloc::prelude::*;

struct WideLock {
    inner: SpinLock,
    _owner_name: [u8; 32],
}

// SAFETY: all exclusion comes from the spin lock.
unsafe impl Lock for WideLock {
    const UNLOCKED: Self = WideLock {
        inner: SpinLock::UNLOCKED,
        _owner_name: [0; 32],
    };

    fn with_lock<R>(&self, f: impl FnOnce() -> R) -> R {
        self.inner.with_lock(f)
    }
}

fn main() {
    let cache = SlabCache::<u64, WideLock, 1024>::new();
    drop(cache);
}
