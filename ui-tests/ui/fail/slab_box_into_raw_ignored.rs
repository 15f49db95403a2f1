// `into_raw` gives up the box: dropping the pointer it returns leaks the object and
// keeps its slot taken for good.
#![deny(unused_must_use)]

use tinyalloc::prelude::*;

fn forget(boxed: SlabBox<u32, SpinLock, 1024>) {
    SlabBox::into_raw(boxed);
}

fn main() {
    let _ = forget;
}
