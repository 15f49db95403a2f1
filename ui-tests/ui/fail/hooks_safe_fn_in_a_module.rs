// A safe `fn` named by a path: the error covers the whole path, not its first segment.

mod memory {
    use core::alloc::Layout;
    use core::ptr::NonNull;

    #[repr(C, align(1024))]
    pub struct Small([u8; 64]);
    pub static SMALL: Small = Small([0; 64]);

    pub fn small_alloc(_: Layout) -> Option<NonNull<u8>> {
        Some(NonNull::from(&SMALL).cast())
    }

    pub unsafe fn small_free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
        Ok(())
    }
}

tinyalloc::define_allocation_hooks!(memory::small_alloc, memory::small_free);

fn main() {}
