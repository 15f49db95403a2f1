//! Stack report of the peer crates, measured as `stack_report.rs` measures tinyalloc's
//! (feature `peers-m0` and heapless's pool; `scripts/stack-report.sh` runs both).
//! Each crate is called through its own interface: `GlobalAlloc` for embedded-alloc,
//! the heap's methods for talc and linked_list_allocator (which have no `realloc` of
//! their own to call but talc's grow and shrink), `alloc` and drop for the pools.
#![no_std]
#![no_main]
// atomic-pool's `pool!` expands to a hand-written `div_ceil`.
#![allow(clippy::manual_div_ceil)]

use core::alloc::Layout;
use core::hint::black_box;
use core::ptr::{NonNull, addr_of_mut};

use tinyalloc_firmware::stack::Deepest;

static LLFF: embedded_alloc::LlffHeap = embedded_alloc::LlffHeap::empty();
static TLSF: embedded_alloc::TlsfHeap = embedded_alloc::TlsfHeap::empty();
static mut LLFF_ARENA: [u8; 4096] = [0; 4096];
static mut TLSF_ARENA: [u8; 4096] = [0; 4096];
static mut TALC_ARENA: [u8; 4096] = [0; 4096];
static mut LLA_ARENA: [u8; 4096] = [0; 4096];

heapless::box_pool!(HeaplessPool: [u8; 64]);
atomic_pool::pool!(AtomicPool: [[u8; 64]; 4]);

/// What goes into the pools: a `static`, as for tinyalloc's `Pool`. Both pools take
/// the value itself, so their calls hold a copy of it.
static MESSAGE: [u8; 64] = [7; 64];

/// talc links `alloc` (through allocator-api2), which wants a global allocator.
#[global_allocator]
static UNUSED: tinyalloc_firmware::NoGlobalAllocator = tinyalloc_firmware::NoGlobalAllocator;

#[cortex_m_rt::entry]
fn main() -> ! {
    // SAFETY: each arena is handed to one heap, once, and used by nothing else.
    unsafe {
        LLFF.init(addr_of_mut!(LLFF_ARENA) as usize, 4096);
        TLSF.init(addr_of_mut!(TLSF_ARENA) as usize, 4096);
    }
    tinyalloc_firmware::heap_stack!("embedded-alloc 0.7 LLFF", LLFF);
    tinyalloc_firmware::heap_stack!("embedded-alloc 0.7 TLSF", TLSF);

    let small = Layout::from_size_align(black_box(24), 8).unwrap();
    let large = Layout::from_size_align(black_box(200), 8).unwrap();
    let huge = Layout::from_size_align(black_box(8192), 8).unwrap();

    let mut talc =
        talc::base::Talc::<talc::source::Manual, talc::DefaultBinning>::new(talc::source::Manual);
    let mut blocks = [NonNull::dangling(); 3];
    // SAFETY (every call): the arena is talc's alone; each block goes back once, with
    // the layout it has then.
    Deepest(0)
        .of(|| unsafe {
            talc.claim(addr_of_mut!(TALC_ARENA).cast(), 4096).unwrap();
        })
        .of(|| blocks[0] = unsafe { talc.allocate(small) }.unwrap())
        .of(|| blocks[1] = unsafe { talc.allocate(small) }.unwrap())
        .of(|| blocks[2] = unsafe { talc.allocate(large) }.unwrap())
        .of(|| assert!(unsafe { talc.allocate(huge) }.is_none()))
        .of(|| unsafe { talc.deallocate(blocks[1].as_ptr(), small) })
        .of(|| {
            black_box(unsafe { talc.try_grow_in_place(blocks[0].as_ptr(), small, 48) });
        })
        .of(|| unsafe { talc.shrink(blocks[2].as_ptr(), large, 192) })
        .of(|| unsafe {
            talc.deallocate(
                blocks[2].as_ptr(),
                Layout::from_size_align_unchecked(192, 8),
            )
        })
        .report("talc 5.1: `claim`, `allocate`, `deallocate`, `try_grow_in_place`, `shrink`");

    let mut lla = linked_list_allocator::Heap::empty();
    // SAFETY (every call): as for talc.
    Deepest(0)
        .of(|| unsafe { lla.init(addr_of_mut!(LLA_ARENA).cast(), 4096) })
        .of(|| blocks[0] = lla.allocate_first_fit(small).unwrap())
        .of(|| blocks[1] = lla.allocate_first_fit(small).unwrap())
        .of(|| blocks[2] = lla.allocate_first_fit(large).unwrap())
        .of(|| assert!(lla.allocate_first_fit(huge).is_err()))
        .of(|| unsafe { lla.deallocate(blocks[1], small) })
        .of(|| unsafe { lla.deallocate(blocks[0], small) })
        .of(|| unsafe { lla.deallocate(blocks[2], large) })
        .report("linked_list_allocator 0.10: `allocate_first_fit`, `deallocate`");

    let heapless_blocks: &'static mut [heapless::pool::boxed::BoxBlock<[u8; 64]>; 4] = {
        static mut BLOCKS: [heapless::pool::boxed::BoxBlock<[u8; 64]>; 4] =
            [const { heapless::pool::boxed::BoxBlock::new() }; 4];
        // SAFETY: `main` runs once, so this is the only reference.
        unsafe { &mut *addr_of_mut!(BLOCKS) }
    };
    for block in heapless_blocks {
        HeaplessPool.manage(block);
    }
    let mut boxed = None;
    Deepest(0)
        .of(|| boxed = HeaplessPool.alloc(black_box(MESSAGE)).ok())
        .of(|| drop(boxed.take()))
        .report("heapless 0.9 `box_pool!`: `alloc` (64 bytes), drop");

    let mut boxed = None;
    Deepest(0)
        .of(|| boxed = atomic_pool::Box::<AtomicPool>::new(black_box(MESSAGE)))
        .of(|| drop(boxed.take()))
        .report("atomic-pool 2.0: `Box::new` (64 bytes), drop");

    tinyalloc_firmware::stack::finish()
}

tinyalloc_firmware::stack_report_panic_handler!();
