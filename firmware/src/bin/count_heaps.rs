//! Instruction counts of the heaps on the target, tinyalloc's and the peer crates'
//! side by side: the host benchmark's mixed workload (`count::heap_rows`) on a 32 KiB
//! heap. Built like `count_pools.rs` and run by `scripts/count-report.sh`.
//!
//! Each heap is a local value over the same arena, used by it alone until it is
//! dropped. Every call runs in a critical section, as in a firmware's
//! `#[global_allocator]`: tinyalloc's heaps and embedded-alloc's take theirs inside
//! `GlobalAlloc`; talc and linked_list_allocator, called through their own `&mut`
//! methods, inside `critical_section::with`.
#![no_std]
#![no_main]

use core::alloc::Layout;
use core::ptr::{NonNull, addr_of_mut};

use tinyalloc::heap::{BumpFreeListAllocator, FreeListAllocator, SegregatedBumpAllocator};
use tinyalloc_firmware::count::{Global, Heap, heap_rows};

const ARENA_SIZE: usize = 32 * 1024;

#[repr(C, align(16))]
struct Arena([u8; ARENA_SIZE]);

static mut ARENA: Arena = Arena([0; ARENA_SIZE]);

/// talc and linked_list_allocator want a global allocator linked, which they never
/// call here.
#[global_allocator]
static UNUSED: tinyalloc_firmware::NoGlobalAllocator = tinyalloc_firmware::NoGlobalAllocator;

/// A heap of no lock of its own, called inside a critical section.
struct Masked<H>(H);

impl<H: Heap> Heap for Masked<H> {
    #[inline(always)]
    unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract.
        critical_section::with(|_| unsafe { self.0.alloc(layout) })
    }
    #[inline(always)]
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        critical_section::with(|_| unsafe { self.0.dealloc(ptr, layout) })
    }
}

struct Talc(talc::base::Talc<talc::source::Manual, talc::DefaultBinning>);

impl Heap for Talc {
    #[inline(always)]
    unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract.
        unsafe { self.0.allocate(layout) }.map_or(core::ptr::null_mut(), NonNull::as_ptr)
    }
    #[inline(always)]
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { self.0.deallocate(ptr, layout) }
    }
}

struct LinkedList(linked_list_allocator::Heap);

impl Heap for LinkedList {
    #[inline(always)]
    unsafe fn alloc(&mut self, layout: Layout) -> *mut u8 {
        self.0
            .allocate_first_fit(layout)
            .map_or(core::ptr::null_mut(), NonNull::as_ptr)
    }
    #[inline(always)]
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract: `ptr` came from `alloc`, so it is not null.
        unsafe { self.0.deallocate(NonNull::new_unchecked(ptr), layout) }
    }
}

#[cortex_m_rt::entry]
fn main() -> ! {
    let arena = addr_of_mut!(ARENA).cast::<u8>();
    // SAFETY (each heap below): the arena is valid for reads and writes, and the heap
    // is its only user for as long as the heap lives: the heap is a local dropped at
    // the end of its block, after `heap_rows` has given back every block it took, so
    // nothing can reach the arena through it when the next heap takes it.
    {
        let heap = FreeListAllocator::<0>::new();
        unsafe { heap.init_from_raw_parts(arena, ARENA_SIZE) }.unwrap();
        heap_rows("tinyalloc `FreeListAllocator`", &mut Global(&heap));
    }
    {
        let heap = SegregatedBumpAllocator::<0>::new();
        unsafe { heap.init_from_raw_parts(arena, ARENA_SIZE) }.unwrap();
        heap_rows("tinyalloc `SegregatedBumpAllocator`", &mut Global(&heap));
    }
    {
        let heap = BumpFreeListAllocator::<0>::new();
        unsafe { heap.init_from_raw_parts(arena, ARENA_SIZE) }.unwrap();
        heap_rows("tinyalloc `BumpFreeListAllocator`", &mut Global(&heap));
    }
    {
        let mut talc = talc::base::Talc::new(talc::source::Manual);
        unsafe { talc.claim(arena, ARENA_SIZE) }.unwrap();
        heap_rows("talc 5.1", &mut Masked(Talc(talc)));
    }
    {
        let heap = embedded_alloc::TlsfHeap::empty();
        unsafe { heap.init(arena as usize, ARENA_SIZE) };
        heap_rows("embedded-alloc 0.7 TLSF", &mut Global(&heap));
    }
    {
        let heap = embedded_alloc::LlffHeap::empty();
        unsafe { heap.init(arena as usize, ARENA_SIZE) };
        heap_rows("embedded-alloc 0.7 LLFF", &mut Global(&heap));
    }
    {
        let mut heap = linked_list_allocator::Heap::empty();
        unsafe { heap.init(arena, ARENA_SIZE) };
        heap_rows("linked_list_allocator 0.10", &mut Masked(LinkedList(heap)));
    }
    tinyalloc_firmware::stack::finish()
}

tinyalloc_firmware::stack_report_panic_handler!();
