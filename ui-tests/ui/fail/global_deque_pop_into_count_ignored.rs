// The shared queues' `pop_into` fills only the front of `out`, as many bytes as it
// returns.
#![deny(unused_must_use)]

use tinyalloc::prelude::*;

static RX: GlobalDeque = GlobalDeque::new();

fn main() {
    let mut out = [0u8; 8];
    RX.pop_into(&mut out);
}
