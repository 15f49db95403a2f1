// `slots` is required.
#[tinyalloc::pool(size = 1024)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
