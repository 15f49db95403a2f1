// A `Pool` of the program's own: not replaced by tinyalloc's without a word.
mod my {
    pub struct Pool;
}

#[tinyalloc::pool(size = 1024, slots = 32)]
static POOL: my::Pool;

fn main() {
    let _ = POOL.stats();
}
