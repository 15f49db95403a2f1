// A box of a cache without a lock frees into that cache when it drops, so it cannot
// drop on another thread.
use tinyalloc::prelude::*;

fn send_away(boxed: SlabBox<u32, NoLock, 1024>) {
    std::thread::spawn(move || drop(boxed));
}

fn main() {
    let _ = send_away;
}
