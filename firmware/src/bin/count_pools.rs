//! Instruction counts of the fixed-size pools on the target, tinyalloc's and the peer
//! crates' side by side: 128 blocks of 64 bytes each, an alloc (64 bytes copied in)
//! and a free, on an empty pool and on one with all blocks but one held. Built with
//! the `speed` profile (opt-level 3, LTO, one codegen unit) and run under QEMU by
//! `scripts/count-report.sh`, which counts the instructions of each measured call.
#![no_std]
#![no_main]
// atomic-pool's `pool!` expands to a hand-written `div_ceil`.
#![allow(clippy::manual_div_ceil)]

use core::hint::black_box;
use core::ptr::addr_of_mut;

use tinyalloc::prelude::*;
use tinyalloc_firmware::count::{FixedPool, MAX_BLOCKS, empty, pool_rows};

/// What goes into every block; read through `black_box`, so it is copied, not made
/// in place from a constant. Aligned as the blocks are, so the copies take words.
static MESSAGE: Message = Message([7; 64]);

#[repr(C, align(8))]
struct Message([u8; 64]);

/// What goes into every object of the caches: 64 bytes too.
static OBJECT: [u32; 16] = [7; 16];

#[tinyalloc::pool(size = 8192, slots = 128)]
static POOL: Pool;

/// `#[tinyalloc::pool]`: one critical section for each call.
struct StaticPool;

impl FixedPool for StaticPool {
    type Block = Handle;
    #[inline(always)]
    fn alloc(&mut self) -> Option<Handle> {
        POOL.alloc(black_box(&MESSAGE.0)).ok()
    }
    #[inline(always)]
    fn free(&mut self, block: Handle) {
        POOL.free(block);
    }
}

/// The engine under `Pool`, called through `&mut`, no lock.
struct Slab(&'static mut TinySlabAllocator<8192, 128>);

impl FixedPool for Slab {
    type Block = Handle;
    #[inline(always)]
    fn alloc(&mut self) -> Option<Handle> {
        self.0.alloc(black_box(&MESSAGE.0)).ok()
    }
    #[inline(always)]
    fn free(&mut self, block: Handle) {
        self.0.free(block);
    }
}

// 15 objects of 64 bytes a slab of 1 KiB, so 9 slabs hold 128; a tenth is spare.
tinyalloc::slab_region!(Slabs, slabs = 10, slab_size = 1024);

/// `SlabCache` behind a critical section, over a `slab_region!`.
struct Cache(SlabCache<[u32; 16], CriticalSectionLock, 1024, Slabs>);

impl FixedPool for Cache {
    type Block = SlabBox<[u32; 16], CriticalSectionLock, 1024>;
    #[inline(always)]
    fn alloc(&mut self) -> Option<Self::Block> {
        self.0.alloc(*black_box(&OBJECT)).ok()
    }
    #[inline(always)]
    fn free(&mut self, block: Self::Block) {
        drop(block);
    }
}

heapless::box_pool!(HeaplessPool: [u8; 64]);

struct Heapless;

impl FixedPool for Heapless {
    type Block = heapless::pool::boxed::Box<HeaplessPool>;
    #[inline(always)]
    fn alloc(&mut self) -> Option<Self::Block> {
        HeaplessPool.alloc(*black_box(&MESSAGE.0)).ok()
    }
    #[inline(always)]
    fn free(&mut self, block: Self::Block) {
        drop(block);
    }
}

atomic_pool::pool!(AtomicPool: [[u8; 64]; 128]);

struct Atomic;

impl FixedPool for Atomic {
    type Block = atomic_pool::Box<AtomicPool>;
    #[inline(always)]
    fn alloc(&mut self) -> Option<Self::Block> {
        atomic_pool::Box::new(*black_box(&MESSAGE.0))
    }
    #[inline(always)]
    fn free(&mut self, block: Self::Block) {
        drop(block);
    }
}

/// attachable-slab-allocator's cache behind its spin lock (it needs compare-and-swap:
/// not on the Cortex-M0), over a region of 10 slabs of 1 KiB, never given back.
#[cfg(feature = "peers")]
mod attachable {
    use core::alloc::Layout;
    use core::hint::black_box;
    use core::ptr::NonNull;

    use attachable_slab_allocator::locks::SpinLock;
    use attachable_slab_allocator::{Result, SlabBox, SlabCache, define_allocation_hooks};
    use portable_atomic::{AtomicUsize, Ordering};
    use tinyalloc_firmware::count::FixedPool;

    const REGION_SIZE: usize = 10 * 1024;

    #[repr(C, align(1024))]
    struct Region([u8; REGION_SIZE]);
    static mut REGION: Region = Region([0; REGION_SIZE]);
    static NEXT: AtomicUsize = AtomicUsize::new(0);

    unsafe fn region_alloc(layout: Layout) -> Option<NonNull<u8>> {
        let offset = NEXT.fetch_add(layout.size(), Ordering::Relaxed);
        if offset + layout.size() > REGION_SIZE {
            return None;
        }
        // SAFETY: each offset is handed out once and lies inside REGION.
        NonNull::new(unsafe { core::ptr::addr_of_mut!(REGION).cast::<u8>().add(offset) })
    }

    unsafe fn region_free(_: NonNull<u8>, _: Layout) -> Result<()> {
        Ok(())
    }

    define_allocation_hooks!(region_alloc, region_free);

    pub struct Attachable(pub SlabCache<[u32; 16], SpinLock, 1024>);

    impl FixedPool for Attachable {
        type Block = SlabBox<[u32; 16], SpinLock, 1024>;
        #[inline(always)]
        fn alloc(&mut self) -> Option<Self::Block> {
            let mut object = self.0.alloc().ok()?;
            *object = *black_box(&super::OBJECT);
            Some(object)
        }
        #[inline(always)]
        fn free(&mut self, block: Self::Block) {
            drop(block);
        }
    }
}

#[cortex_m_rt::entry]
fn main() -> ! {
    empty();

    let slab: &'static mut TinySlabAllocator<8192, 128> = {
        static mut SLAB: TinySlabAllocator<8192, 128> = TinySlabAllocator::new();
        // SAFETY: `main` runs once, so this is the only reference.
        unsafe { &mut *addr_of_mut!(SLAB) }
    };
    pool_rows(
        "tinyalloc `TinySlabAllocator` (`&mut`, no lock)",
        &mut Slab(slab),
        128,
    );
    pool_rows("tinyalloc `#[pool]` static", &mut StaticPool, 128);
    let cache = SlabCache::new().expect("a slab of the region");
    pool_rows(
        "tinyalloc `SlabCache`, 64-byte objects",
        &mut Cache(cache),
        128,
    );

    let blocks: &'static mut [heapless::pool::boxed::BoxBlock<[u8; 64]>; MAX_BLOCKS] = {
        static mut BLOCKS: [heapless::pool::boxed::BoxBlock<[u8; 64]>; MAX_BLOCKS] =
            [const { heapless::pool::boxed::BoxBlock::new() }; MAX_BLOCKS];
        // SAFETY: as for the slab.
        unsafe { &mut *addr_of_mut!(BLOCKS) }
    };
    for block in blocks {
        HeaplessPool.manage(block);
    }
    pool_rows("heapless 0.9 `box_pool!`", &mut Heapless, 128);
    pool_rows("atomic-pool 2.0", &mut Atomic, 128);
    #[cfg(feature = "peers")]
    {
        let cache = attachable_slab_allocator::SlabCache::new().expect("a slab of the region");
        pool_rows(
            "attachable-slab-allocator 0.1, 64-byte objects",
            &mut attachable::Attachable(cache),
            128,
        );
    }

    tinyalloc_firmware::stack::finish()
}

tinyalloc_firmware::stack_report_panic_handler!();
