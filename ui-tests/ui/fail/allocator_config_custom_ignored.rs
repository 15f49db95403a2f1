// `AllocatorConfig::custom` only describes the pool: nothing is installed until
// `init` is called on the configuration.
#![deny(unused_must_use)]

use tinyalloc::global::AllocatorConfig;

#[tinyalloc::pool(size = 1024, slots = 32)]
static POOL: Pool;

fn main() {
    AllocatorConfig::custom(&POOL);
}
