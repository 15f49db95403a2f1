// A value in quotes and without its key: the fix names the key and drops the quotes.
#[tinyalloc::pool(size = 1024, "32")]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
