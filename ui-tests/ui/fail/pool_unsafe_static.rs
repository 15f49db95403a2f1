// `unsafe static` is an `extern` block's form: one error, at `unsafe`.
#[tinyalloc::pool(size = 1024, slots = 32)]
unsafe static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
