// The type is written `Pool`, not left out: rustc says so, and nothing else is reported.
#[tinyalloc::pool(size = 1024, slots = 32)]
static POOL;

fn main() {
    let _ = POOL.stats();
}
