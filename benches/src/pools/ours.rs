//! tinyalloc's entries: the slab engine, the `#[tinyalloc::pool]` statics' wrapper
//! and the typed cache.

use super::*;

/// tinyalloc's slab engine, `alloc_uninit` (`COPY = false`) or `alloc` of 64 bytes.
#[derive(Debug)]
pub struct Slab<A, const COPY: bool>(pub(super) std::boxed::Box<A>);

macro_rules! slab_impl {
    ($($n:literal),*) => {$(
        impl<const COPY: bool> FixedPool for Slab<TinySlabAllocator<{ BLOCK * $n }, $n>, COPY> {
            type Handle = Handle;
            const LOOKUP: bool = true;

            #[inline]
            fn alloc(&mut self) -> Option<Handle> {
                if COPY {
                    self.0.alloc(&PAYLOAD).ok()
                } else {
                    self.0.alloc_uninit(BLOCK).ok().map(|(handle, _)| handle)
                }
            }

            #[inline]
            fn free(&mut self, handle: Handle) {
                self.0.free(handle);
            }

            #[inline]
            fn lookup(&self, handle: &Handle) -> Option<u8> {
                self.0.get(*handle).map(|block| block[0])
            }
        }
    )*};
}
slab_impl!(32, 256, 4096);

/// A `#[tinyalloc::pool]` static; every call is one critical section.
#[derive(Debug)]
pub struct StaticPool<const SIZE: usize, const SLOTS: usize>(pub(super) &'static Pool<SIZE, SLOTS>);

impl<const SIZE: usize, const SLOTS: usize> FixedPool for StaticPool<SIZE, SLOTS> {
    type Handle = Handle;
    const LOOKUP: bool = true;

    #[inline]
    fn alloc(&mut self) -> Option<Handle> {
        self.0.alloc(&PAYLOAD).ok()
    }

    #[inline]
    fn free(&mut self, handle: Handle) {
        self.0.free(handle);
    }

    #[inline]
    fn lookup(&self, handle: &Handle) -> Option<u8> {
        self.0.read(*handle, |block| block[0])
    }
}

/// tinyalloc's typed slab cache of 64-byte objects in 4 KiB slabs.
#[derive(Debug)]
pub struct Cache<L: tinyalloc::prelude::Lock>(SlabCache<Object, L, 4096>);

impl<L: tinyalloc::prelude::Lock> Cache<L> {
    pub(super) fn new() -> Self {
        Cache(SlabCache::new().expect("the host has memory for a slab"))
    }
}

impl<L: tinyalloc::prelude::Lock> FixedPool for Cache<L> {
    type Handle = SlabBox<Object, L, 4096>;
    const LOOKUP: bool = false;

    #[inline]
    fn alloc(&mut self) -> Option<Self::Handle> {
        self.0.alloc(OBJECT).ok()
    }

    #[inline]
    fn free(&mut self, handle: Self::Handle) {
        drop(handle);
    }

    fn lookup(&self, _: &Self::Handle) -> Option<u8> {
        None
    }
}
