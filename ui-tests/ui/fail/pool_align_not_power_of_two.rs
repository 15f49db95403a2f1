// Alignments are powers of two: the error names 16 and 32.
#[tinyalloc::pool(size = 1536, slots = 32, align = 24)]
static POOL: Pool;

fn main() {
    let _ = POOL.stats();
}
