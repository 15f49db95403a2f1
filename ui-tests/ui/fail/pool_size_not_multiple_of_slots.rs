// 1000 bytes cannot be cut into 32 equal blocks: the error names 992 and 1024.
#[tinyalloc::pool(size = 1000, slots = 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
