// A value without its key: arguments are named.
#[tinyalloc::pool(size = 1024, 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
