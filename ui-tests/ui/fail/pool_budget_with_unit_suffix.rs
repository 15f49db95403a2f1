// `8K` is not a Rust number; the fix keeps the 1,024.
#[tinyalloc::pool(size = 1024, slots = 32, budget = 8K)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
