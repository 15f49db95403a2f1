// 128 bytes cannot hold the master's header and two 100-byte objects.
use tinyalloc::prelude::*;

fn main() {
    let cache = SlabCache::<[u8; 100], SpinLock, 128>::new();
    drop(cache);
}
