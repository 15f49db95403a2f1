// Every configuration the seed document shows compiles and serves a block.
use tinyalloc::prelude::*;

fn check(alloc: &mut dyn Allocator, block: usize, slots: usize) {
    assert_eq!((alloc.block_size(), alloc.capacity()), (block, slots));
    let handle = alloc.alloc(&[1; 16]).unwrap();
    assert_eq!(alloc.get(handle).unwrap(), &[1; 16]);
    alloc.free(handle);
}

fn main() {
    check(&mut TinySlabAllocator::<1024, 32>::new(), 32, 32);
    check(&mut TinySlabAllocator::<512, 16>::new(), 32, 16);
    check(&mut TinySlabAllocator::<256, 4>::new(), 64, 4);
    check(&mut TinySlabAllocator::<1024, 8>::new(), 128, 8);
    check(&mut TinySlabAllocator::<1024, 64>::new(), 16, 64);
    check(&mut TinySlabAllocator::<{ 64 * 4 }, 4, Align64>::new(), 64, 4);
}
