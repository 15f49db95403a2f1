// `#[attr = "…"]`, which rustc refuses for every attribute macro, and then hands the
// string to it: tinyalloc's error shows the attribute to write, adding the key the
// string lacks, and nothing follows from the missing key.
#[tinyalloc::pool = "size = 1024"]
static POOL: Pool;

fn main() {
    let _ = POOL.alloc(b"frame");
}
