// A 65,535-byte block is one byte over what a slot can describe.
#[tinyalloc::pool(size = 65535, slots = 1, align = 1)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
