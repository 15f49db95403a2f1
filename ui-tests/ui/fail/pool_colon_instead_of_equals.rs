// Arguments written like struct fields, with `:` where `=` belongs.
#[tinyalloc::pool(size: 1024, slots: 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
