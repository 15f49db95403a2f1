// A key spelt like none: taken for the required key that is missing, in one error.
#[tinyalloc::pool(size = 1024, count = 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
