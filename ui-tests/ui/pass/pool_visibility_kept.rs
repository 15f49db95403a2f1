// `pub(crate)` survives the expansion: the pool is reachable from another module.
#![deny(warnings)]

mod buffers {
    #[tinyalloc::pool(size = 4096, slots = 64, align = 32)]
    pub(crate) static DMA: Pool;
}

fn main() {
    let handle = buffers::DMA.alloc(&[0xA5; 64]).unwrap();
    assert_eq!(buffers::DMA.read(handle, |b| b.len()), Some(64));
    assert!(buffers::DMA.free(handle));
}
