// A SlabRegion written by hand, made at run time, over a slab type whose alignment
// (8) is not its size (1024): the const check still refuses it at compile time.
use tinyalloc::cache::SlabRegion;

struct Slab([u64; 128]);

fn main() {
    let region = SlabRegion::<Slab, 4>::new();
    let _ = region.lent();
}
