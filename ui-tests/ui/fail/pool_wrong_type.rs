// The type is written `Pool`; the macro fills in its parameters.
#[tinyalloc::pool(size = 1024, slots = 32)]
static POOL: [u8; 1024];

fn main() {
    let _ = POOL.stats();
}
