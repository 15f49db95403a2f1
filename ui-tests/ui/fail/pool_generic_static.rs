// A static cannot be generic: rustc says so, and nothing else is reported.
#[tinyalloc::pool(size = 1024, slots = 32)]
static POOL<T>: Pool;

fn main() {
    let _ = POOL.stats();
}
