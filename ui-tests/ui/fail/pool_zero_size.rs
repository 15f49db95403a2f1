// A pool with no bytes.
#[tinyalloc::pool(size = 0, slots = 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
