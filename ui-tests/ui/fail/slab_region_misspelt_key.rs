// A key misspelt (`slab` for `slabs`): one error that shows the macro's form, not the
// pattern it failed to match inside tinyalloc.
tinyalloc::slab_region!(RadioRam, slab = 4, slab_size = 1024);

fn main() {}
