//! The peers' entries, and the floor: a plain index free list, `slab`, `slotmap`,
//! heapless `box_pool!`, `atomic-pool` and `attachable-slab-allocator`.

use super::*;

/// The floor: blocks in a `Vec`, free ones linked by index. No generation, no
/// statistics, nothing written into a block.
#[derive(Debug)]
pub struct IndexFreeList {
    blocks: Vec<[u8; BLOCK]>,
    next: Vec<u32>,
    head: u32,
}

impl IndexFreeList {
    const NONE: u32 = u32::MAX;

    /// `capacity` free blocks.
    pub fn new(capacity: usize) -> Self {
        let next = (1..=capacity as u32)
            .map(|i| {
                if i as usize == capacity {
                    Self::NONE
                } else {
                    i
                }
            })
            .collect();
        IndexFreeList {
            blocks: vec![[0; BLOCK]; capacity],
            next,
            head: 0,
        }
    }
}

impl FixedPool for IndexFreeList {
    type Handle = u32;
    const LOOKUP: bool = true;

    #[inline]
    fn alloc(&mut self) -> Option<u32> {
        let index = self.head;
        let next = *self.next.get(index as usize)?;
        self.head = next;
        Some(index)
    }

    #[inline]
    fn free(&mut self, handle: u32) {
        if let Some(next) = self.next.get_mut(handle as usize) {
            *next = self.head;
            self.head = handle;
        }
    }

    #[inline]
    fn lookup(&self, handle: &u32) -> Option<u8> {
        self.blocks.get(*handle as usize).map(|block| block[0])
    }
}

/// The `slab` crate.
#[derive(Debug)]
pub struct SlabCrate(pub(super) slab::Slab<[u8; BLOCK]>);

impl FixedPool for SlabCrate {
    type Handle = usize;
    const LOOKUP: bool = true;

    #[inline]
    fn alloc(&mut self) -> Option<usize> {
        Some(self.0.insert(PAYLOAD))
    }

    #[inline]
    fn free(&mut self, handle: usize) {
        // `remove` hands the value back; a caller that is done with the block drops
        // it, as ours does with `free`'s result. Reading it here would charge `slab`
        // for a load (and a 64-byte move out) that no tinyalloc `free` makes.
        let _ = self.0.remove(handle);
    }

    #[inline]
    fn lookup(&self, handle: &usize) -> Option<u8> {
        self.0.get(*handle).map(|block| block[0])
    }
}

/// The `slotmap` crate.
#[derive(Debug)]
pub struct SlotMapCrate(pub(super) slotmap::SlotMap<slotmap::DefaultKey, [u8; BLOCK]>);

impl FixedPool for SlotMapCrate {
    type Handle = slotmap::DefaultKey;
    const LOOKUP: bool = true;

    #[inline]
    fn alloc(&mut self) -> Option<Self::Handle> {
        Some(self.0.insert(PAYLOAD))
    }

    #[inline]
    fn free(&mut self, handle: Self::Handle) {
        // Dropped unread, as `SlabCrate::free` explains.
        let _ = self.0.remove(handle);
    }

    #[inline]
    fn lookup(&self, handle: &Self::Handle) -> Option<u8> {
        self.0.get(*handle).map(|block| block[0])
    }
}

/// heapless `box_pool!` singletons, one per capacity, given their blocks once.
pub mod heapless_pools {
    use heapless::pool::boxed::{Box, BoxBlock, BoxPool};

    use super::{BLOCK, FixedPool, PAYLOAD};

    /// One heapless box pool of 64-byte blocks.
    #[derive(Debug)]
    pub struct HeaplessPool<P: BoxPool<Data = [u8; BLOCK]>>(core::marker::PhantomData<P>);

    impl<P: BoxPool<Data = [u8; BLOCK]>> FixedPool for HeaplessPool<P> {
        type Handle = Box<P>;
        const LOOKUP: bool = false;

        #[inline]
        fn alloc(&mut self) -> Option<Box<P>> {
            P::alloc(PAYLOAD).ok()
        }

        #[inline]
        fn free(&mut self, handle: Box<P>) {
            drop(handle);
        }

        fn lookup(&self, _: &Box<P>) -> Option<u8> {
            None
        }
    }

    macro_rules! pools {
        ($($name:ident = $n:literal),*) => {$(
            heapless::box_pool!($name: [u8; BLOCK]);

            impl $name {
                /// The pool, given its blocks on first use.
                pub fn entry() -> HeaplessPool<$name> {
                    static READY: std::sync::Once = std::sync::Once::new();
                    READY.call_once(|| {
                        let blocks: &'static mut [BoxBlock<[u8; BLOCK]>] =
                            std::boxed::Box::leak((0..$n).map(|_| BoxBlock::new()).collect());
                        for block in blocks {
                            <$name as BoxPool>::manage(block);
                        }
                    });
                    HeaplessPool(core::marker::PhantomData)
                }
            }
        )*};
    }
    pools!(Pool32 = 32, Pool256 = 256, Pool4096 = 4096);
}

/// atomic-pool singletons, one per capacity.
// The macro's expansion rounds up by hand; it is atomic-pool's code, not ours.
#[allow(clippy::manual_div_ceil)]
pub mod atomic_pools {
    use super::BLOCK;

    atomic_pool::pool!(pub Pool32: [[u8; BLOCK]; 32]);
    atomic_pool::pool!(pub Pool256: [[u8; BLOCK]; 256]);
    atomic_pool::pool!(pub Pool4096: [[u8; BLOCK]; 4096]);
}

/// An atomic-pool pool.
#[derive(Debug)]
pub struct AtomicPool<P>(pub(super) core::marker::PhantomData<P>);

impl<P: atomic_pool::Pool<Item = [u8; BLOCK]>> FixedPool for AtomicPool<P> {
    type Handle = atomic_pool::Box<P>;
    const LOOKUP: bool = false;

    #[inline]
    fn alloc(&mut self) -> Option<Self::Handle> {
        atomic_pool::Box::new(PAYLOAD)
    }

    #[inline]
    fn free(&mut self, handle: Self::Handle) {
        drop(handle);
    }

    fn lookup(&self, _: &Self::Handle) -> Option<u8> {
        None
    }
}

/// attachable-slab-allocator's cache of 64-byte objects in 4 KiB slabs.
pub struct Attachable<L: attachable_slab_allocator::locks::LockTrait>(
    attachable_slab_allocator::SlabCache<Object, L, 4096>,
);

impl<L: attachable_slab_allocator::locks::LockTrait> core::fmt::Debug for Attachable<L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Attachable")
    }
}

impl<L: attachable_slab_allocator::locks::LockTrait> Attachable<L> {
    pub(super) fn new() -> Self {
        Attachable(attachable_slab_allocator::SlabCache::new().expect("the host has memory"))
    }
}

impl<L: attachable_slab_allocator::locks::LockTrait> FixedPool for Attachable<L> {
    type Handle = attachable_slab_allocator::SlabBox<Object, L, 4096>;
    const LOOKUP: bool = false;

    #[inline]
    fn alloc(&mut self) -> Option<Self::Handle> {
        let mut object = self.0.alloc().ok()?;
        *object = OBJECT;
        Some(object)
    }

    #[inline]
    fn free(&mut self, handle: Self::Handle) {
        drop(handle);
    }

    fn lookup(&self, _: &Self::Handle) -> Option<u8> {
        None
    }
}
