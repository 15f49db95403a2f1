// The same key twice.
#[tinyalloc::pool(size = 1024, slots = 32, size = 2048)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
