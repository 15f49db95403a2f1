// `align =` with nothing after it: refused, not read as the default alignment.
#[tinyalloc::pool(size = 1024, slots = 32, align = )]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
