// Without a lock a cache stays on the thread that made it: its boxes there still
// reach its bookkeeping, unlocked.
use tinyalloc::prelude::*;

fn main() {
    let cache = SlabCache::<u32, NoLock, 1024>::lazy();
    std::thread::spawn(move || drop(cache));
}
