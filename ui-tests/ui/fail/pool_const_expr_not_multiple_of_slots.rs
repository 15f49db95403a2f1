// A const expression the macro cannot read is checked by the pool's const assertion.
const BYTES: usize = 1000;

#[tinyalloc::pool(size = BYTES, slots = 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
