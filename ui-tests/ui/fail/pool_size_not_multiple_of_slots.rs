// 1000 bytes cannot be cut into 32 equal blocks: the error names 768 and 1024, the
// nearest sizes whose blocks are also multiples of the default 8-byte alignment.
#[tinyalloc::pool(size = 1000, slots = 32)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
