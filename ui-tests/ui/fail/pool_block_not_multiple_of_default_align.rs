// 12-byte blocks under the default 8-byte alignment: the error points at `size`.
#[tinyalloc::pool(size = 96, slots = 8)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
