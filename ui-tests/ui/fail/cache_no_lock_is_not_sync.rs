// Without a lock a cache is single-threaded, so it cannot be a shared static.
use tinyalloc::prelude::*;

static CACHE: SlabCache<u32, NoLock, 1024> = SlabCache::lazy();

fn main() {
    let _ = &CACHE;
}
