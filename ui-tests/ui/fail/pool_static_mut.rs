// A pool locks itself; `static mut` is neither needed nor sound to share.
#[tinyalloc::pool(size = 1024, slots = 32)]
static mut POOL: Pool;

fn main() {}
