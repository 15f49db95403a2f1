//! `GlobalAlloc` heaps on a 1 MiB arena: tinyalloc's three engines against talc,
//! rlsf, embedded-alloc (TLSF and LLFF), linked_list_allocator,
//! buddy_system_allocator and lite-alloc.

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use tinyalloc::heap::{
    BumpFreeListAllocator, FreeListAllocator, NoLock, SegregatedBumpAllocator, SpinLock,
};

use crate::rng::Rng;
use crate::{Entry, Outcome, measured};

/// Bytes every heap is given.
pub const ARENA: usize = 1 << 20;
/// Slots of the mixed workload; about half hold a block at any time.
pub const SLOTS: usize = 1024;
/// Steps of the mixed workload.
pub const MIXED_OPS: u64 = 200_000;
/// The seed of the mixed workload's stream.
pub const MIXED_SEED: u64 = 0x2545_f491_4f6c_dd1d;
/// The seeds of the random-growth packing workload.
pub const GROWTH_SEEDS: [u64; 3] = [1, 2, 3];
/// The sizes the adversarial workload asks for after freeing every other block.
pub const ADVERSARIAL_SIZES: [usize; 6] = [33, 65, 129, 257, 513, 1025];
/// How many 32-byte blocks the adversarial workload starts with: a quarter of the
/// arena's bytes (8,192 on 1 MiB). With this fill the workload reproduces the
/// benchmark issue's reference figures to their decimal (linked_list_allocator 86.0 %, talc
/// 59.5 %); filling the whole arena instead would leave only the holes, and every
/// allocator near 50 % or below.
pub const ADVERSARIAL_FILL: usize = ARENA / 4 / 32;

/// A heap as the workloads drive it.
pub trait Heap {
    /// A block for `layout`, or null: the allocator's own call and nothing else, as
    /// [`measured::heap_alloc`] counts it.
    fn alloc(&mut self, layout: Layout) -> *mut u8;
    /// Whether the block `alloc` returned for `layout` may be used. Checked outside
    /// the measured region, so an emulated arena's bound is not counted as the
    /// allocator's work.
    #[inline]
    fn accept(&self, ptr: *mut u8, _layout: Layout) -> bool {
        !ptr.is_null()
    }
    /// Gives a block back.
    ///
    /// # Safety
    /// `ptr` is live in this heap and was allocated with `layout`.
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout);
}

/// Every heap entry, in table order.
pub const ENTRIES: &[Entry] = &[
    Entry {
        name: "tinyalloc-free-list",
        does: "`FreeListAllocator<0>` over the region (`init`), `GlobalAlloc`; critical section; its quick slots (504 B) are in the value, beside the region",
    },
    Entry {
        name: "tinyalloc-segregated",
        does: "`SegregatedBumpAllocator<0>` over the region, `GlobalAlloc`; critical section",
    },
    Entry {
        name: "tinyalloc-bump-free-list",
        does: "`BumpFreeListAllocator<0>` over the region, `GlobalAlloc`; critical section",
    },
    Entry {
        name: "tinyalloc-free-list-spin",
        does: "`FreeListAllocator<0, SpinLock>` over the region, `GlobalAlloc`; spin lock (talc takes spinning_top's)",
    },
    Entry {
        name: "tinyalloc-segregated-spin",
        does: "`SegregatedBumpAllocator<0, SpinLock>` over the region, `GlobalAlloc`; spin lock",
    },
    Entry {
        name: "tinyalloc-bump-free-list-spin",
        does: "`BumpFreeListAllocator<0, SpinLock>` over the region, `GlobalAlloc`; spin lock",
    },
    Entry {
        name: "tinyalloc-free-list-nolock",
        does: "`FreeListAllocator<0, NoLock>` over the region, `GlobalAlloc`; no lock, as `talc-nolock` and rlsf",
    },
    Entry {
        name: "tinyalloc-segregated-nolock",
        does: "`SegregatedBumpAllocator<0, NoLock>` over the region, `GlobalAlloc`; no lock",
    },
    Entry {
        name: "tinyalloc-bump-free-list-nolock",
        does: "`BumpFreeListAllocator<0, NoLock>` over the region, `GlobalAlloc`; no lock",
    },
    Entry {
        name: "talc",
        does: "talc 5 `TalcLock<spinning_top::RawSpinlock, Manual>`, region `claim`ed, `GlobalAlloc`; spin lock (spinning_top's, about 11 instructions an operation, where tinyalloc's `SpinLock` takes about 5)",
    },
    Entry {
        name: "talc-nolock",
        does: "talc 5 `Talc<Manual>`, region `claim`ed, called through `&mut` (no lock), as rlsf is and as talc's own `TalcCell` serves one thread",
    },
    Entry {
        name: "rlsf",
        does: "rlsf 0.2 `Tlsf<u16, u16, 16, 16>` called through `&mut` (no lock)",
    },
    Entry {
        name: "embedded-alloc-tlsf",
        does: "embedded-alloc 0.7 `TlsfHeap` (rlsf inside), `GlobalAlloc`; critical section",
    },
    Entry {
        name: "embedded-alloc-llff",
        does: "embedded-alloc 0.7 `LlffHeap` (linked_list_allocator inside), `GlobalAlloc`; critical section",
    },
    Entry {
        name: "linked-list-allocator",
        does: "linked_list_allocator 0.10 `LockedHeap`, `GlobalAlloc`; spin lock",
    },
    Entry {
        name: "buddy-system-allocator",
        does: "buddy_system_allocator 0.13 `LockedHeap<32>`, `GlobalAlloc`; spin lock",
    },
    Entry {
        name: "lite-alloc-segregated",
        does: "lite-alloc 0.1 `SegregatedBumpAllocator`, `GlobalAlloc`; no lock (single-threaded only); 1 MiB emulated, see below. A failed allocation leaves its slot of the mixed workload empty, so once one fails the stream of operations is no longer the others' (more allocations, fewer frees): its instructions per operation are not comparable with theirs",
    },
    Entry {
        name: "lite-alloc-bump-free-list",
        does: "lite-alloc 0.1 `BumpFreeListAllocator`, `GlobalAlloc`; no lock; 1 MiB emulated",
    },
    Entry {
        name: "lite-alloc-free-list",
        does: "lite-alloc 0.1 `FreeListAllocator`, `GlobalAlloc`; no lock; 1 MiB emulated",
    },
];

/// A fresh 1 MiB region, 4 KiB aligned, for one heap for the rest of the run.
pub fn region() -> &'static mut [MaybeUninit<u8>] {
    let layout = Layout::from_size_align(ARENA, 4096).expect("a valid layout");
    // SAFETY: the layout's size is not zero.
    let base = unsafe { std::alloc::alloc(layout) }.cast::<MaybeUninit<u8>>();
    assert!(!base.is_null(), "the host has 1 MiB");
    // SAFETY: `base` is valid for `ARENA` bytes, never freed, and this is the only
    // reference to it.
    unsafe { core::slice::from_raw_parts_mut(base, ARENA) }
}

/// A `GlobalAlloc` heap that lives for the rest of the run.
#[derive(Debug)]
pub struct Global<G: GlobalAlloc + 'static>(pub &'static G);

impl<G: GlobalAlloc + 'static> Heap for Global<G> {
    #[inline]
    fn alloc(&mut self, layout: Layout) -> *mut u8 {
        // SAFETY: the workloads never ask for zero bytes.
        unsafe { self.0.alloc(layout) }
    }

    #[inline]
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { self.0.dealloc(ptr, layout) }
    }
}

/// rlsf's `Tlsf`, which a program wraps in a lock of its own choosing.
pub type RlsfTlsf = rlsf::Tlsf<'static, u16, u16, 16, 16>;

impl Heap for std::boxed::Box<RlsfTlsf> {
    #[inline]
    fn alloc(&mut self, layout: Layout) -> *mut u8 {
        self.allocate(layout)
            .map_or(ptr::null_mut(), NonNull::as_ptr)
    }

    #[inline]
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        // No null check, as embedded-alloc's `GlobalAlloc` for rlsf makes none.
        // SAFETY: the caller's contract: `ptr` is live, so not null.
        let ptr = unsafe { NonNull::new_unchecked(ptr) };
        // SAFETY: the caller's contract: `ptr` came from `allocate` with `layout`.
        unsafe { self.deallocate(ptr, layout.align()) }
    }
}

/// talc's allocator itself, which `TalcLock` and `TalcCell` wrap.
pub type TalcBare = talc::base::Talc<talc::source::Manual, talc::DefaultBinning>;

impl Heap for std::boxed::Box<TalcBare> {
    #[inline]
    fn alloc(&mut self, layout: Layout) -> *mut u8 {
        // SAFETY: the workloads never ask for zero bytes.
        unsafe { self.allocate(layout) }.map_or(ptr::null_mut(), NonNull::as_ptr)
    }

    #[inline]
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract: `ptr` came from `allocate` with `layout`.
        unsafe { self.deallocate(ptr, layout) }
    }
}

/// A lite-alloc allocator held to 1 MiB. lite-alloc takes its memory from a grow
/// callback (WebAssembly's `memory.grow`; on a host, a 128 MiB mock that grows 64 KiB
/// at a time), so it cannot be handed a region. A block that ends past the first
/// 1 MiB of that memory counts as a failed allocation and is never used or freed, as
/// if the grow had been refused.
#[derive(Debug)]
pub struct LiteAlloc<G: GlobalAlloc> {
    heap: G,
    start: usize,
}

impl<G: GlobalAlloc> LiteAlloc<G> {
    /// `reset` clears the allocator's global state; the mock memory starts over too.
    fn new(heap: G, reset: unsafe fn()) -> Self {
        // SAFETY: one lite-alloc heap at a time: no block of an earlier one is used
        // after this (each run makes its own heap and drops it before the next).
        unsafe { reset() };
        lite_alloc::reset_heap();
        // SAFETY: growing by nothing only reports where the memory ends now.
        let start = unsafe { lite_alloc::grow_memory(0) } * lite_alloc::PAGE_SIZE;
        LiteAlloc { heap, start }
    }
}

impl<G: GlobalAlloc> Heap for LiteAlloc<G> {
    #[inline]
    fn alloc(&mut self, layout: Layout) -> *mut u8 {
        // SAFETY: the workloads never ask for zero bytes.
        unsafe { self.heap.alloc(layout) }
    }

    #[inline]
    fn accept(&self, ptr: *mut u8, layout: Layout) -> bool {
        (ptr as usize).wrapping_sub(self.start) + layout.size() <= ARENA
    }

    #[inline]
    unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract.
        unsafe { self.heap.dealloc(ptr, layout) }
    }
}

/// Something to do with a heap entry whose type the dispatch picks.
pub trait Visitor {
    /// What it returns.
    type Out;
    /// Runs on a fresh heap over a 1 MiB region.
    fn visit<H: Heap>(self, heap: H) -> Self::Out;
}

fn leak<T>(value: T) -> &'static T {
    std::boxed::Box::leak(std::boxed::Box::new(value))
}

/// Makes the heap `entry` names over a fresh 1 MiB region and hands it to
/// `visitor`; `None` for an unknown entry.
pub fn with_heap<V: Visitor>(entry: &str, visitor: V) -> Option<V::Out> {
    // A tinyalloc engine of type `$ty` over the region, handed in with `init`.
    macro_rules! tinyalloc_heap {
        ($($ty:tt)*) => {{
            let heap = leak($($ty)*::new());
            heap.init(region()).expect("a fresh heap");
            visitor.visit(Global(heap))
        }};
    }
    Some(match entry {
        "tinyalloc-free-list" => tinyalloc_heap!(FreeListAllocator::<0>),
        "tinyalloc-segregated" => tinyalloc_heap!(SegregatedBumpAllocator::<0>),
        "tinyalloc-bump-free-list" => tinyalloc_heap!(BumpFreeListAllocator::<0>),
        "tinyalloc-free-list-spin" => tinyalloc_heap!(FreeListAllocator::<0, SpinLock>),
        "tinyalloc-segregated-spin" => tinyalloc_heap!(SegregatedBumpAllocator::<0, SpinLock>),
        "tinyalloc-bump-free-list-spin" => tinyalloc_heap!(BumpFreeListAllocator::<0, SpinLock>),
        "tinyalloc-free-list-nolock" => tinyalloc_heap!(FreeListAllocator::<0, NoLock>),
        "tinyalloc-segregated-nolock" => tinyalloc_heap!(SegregatedBumpAllocator::<0, NoLock>),
        "tinyalloc-bump-free-list-nolock" => tinyalloc_heap!(BumpFreeListAllocator::<0, NoLock>),
        "talc-nolock" => {
            let mut heap = std::boxed::Box::new(TalcBare::new(talc::source::Manual));
            let region = region();
            // SAFETY: as for `talc`.
            unsafe { heap.claim(region.as_mut_ptr().cast(), region.len()) }
                .expect("1 MiB is enough for talc's metadata");
            visitor.visit(heap)
        }
        "talc" => {
            let heap = leak(talc::TalcLock::<spinning_top::RawSpinlock, _>::new(
                talc::source::Manual,
            ));
            let region = region();
            // SAFETY: the region is valid for reads and writes for the rest of the
            // run and nothing else uses it.
            unsafe { heap.lock().claim(region.as_mut_ptr().cast(), region.len()) }
                .expect("1 MiB is enough for talc's metadata");
            visitor.visit(Global(heap))
        }
        "rlsf" => {
            let mut heap = std::boxed::Box::new(RlsfTlsf::new());
            heap.insert_free_block(region());
            visitor.visit(heap)
        }
        "embedded-alloc-tlsf" => {
            let heap = leak(embedded_alloc::TlsfHeap::empty());
            let region = region();
            // SAFETY: called once, with a region valid for the rest of the run.
            unsafe { heap.init(region.as_mut_ptr() as usize, region.len()) };
            visitor.visit(Global(heap))
        }
        "embedded-alloc-llff" => {
            let heap = leak(embedded_alloc::LlffHeap::empty());
            let region = region();
            // SAFETY: called once, with a region valid for the rest of the run.
            unsafe { heap.init(region.as_mut_ptr() as usize, region.len()) };
            visitor.visit(Global(heap))
        }
        "linked-list-allocator" => {
            let heap = leak(linked_list_allocator::LockedHeap::empty());
            let region = region();
            // SAFETY: called once, with a region valid for the rest of the run.
            unsafe { heap.lock().init(region.as_mut_ptr().cast(), region.len()) };
            visitor.visit(Global(heap))
        }
        "buddy-system-allocator" => {
            let heap = leak(buddy_system_allocator::LockedHeap::<32>::empty());
            let region = region();
            // SAFETY: called once, with a region valid for the rest of the run.
            unsafe { heap.lock().init(region.as_mut_ptr() as usize, region.len()) };
            visitor.visit(Global(heap))
        }
        "lite-alloc-segregated" => {
            use lite_alloc::single_threaded::SegregatedBumpAllocator as Lite;
            visitor.visit(LiteAlloc::new(Lite::new(), Lite::reset))
        }
        "lite-alloc-bump-free-list" => {
            use lite_alloc::single_threaded::BumpFreeListAllocator as Lite;
            visitor.visit(LiteAlloc::new(Lite::new(), Lite::reset))
        }
        "lite-alloc-free-list" => {
            use lite_alloc::single_threaded::FreeListAllocator as Lite;
            visitor.visit(LiteAlloc::new(Lite::new(), Lite::reset))
        }
        _ => return None,
    })
}

fn layout(size: usize) -> Layout {
    Layout::from_size_align(size, 8).expect("a valid layout")
}

/// A block for `layout` the heap accepts, or null; for the packing workloads, which
/// are not measured.
fn alloc_accepted<H: Heap>(heap: &mut H, layout: Layout) -> *mut u8 {
    let ptr = heap.alloc(layout);
    if heap.accept(ptr, layout) {
        ptr
    } else {
        ptr::null_mut()
    }
}

/// The mixed workload's state: 1,024 slots, each empty or holding a block.
#[derive(Debug)]
pub struct Mixed {
    rng: Rng,
    slots: Vec<(*mut u8, usize)>,
    /// Allocation attempts and failures so far.
    pub outcome: Outcome,
}

impl Default for Mixed {
    fn default() -> Self {
        Mixed {
            rng: Rng::new(MIXED_SEED),
            slots: vec![(ptr::null_mut(), 0); SLOTS],
            outcome: Outcome::default(),
        }
    }
}

impl Mixed {
    /// One step: pick a slot at random; free its block if it holds one, else
    /// allocate 8 to 512 bytes (align 8) into it.
    #[inline]
    pub fn step<H: Heap>(&mut self, heap: &mut H) {
        let roll = self.rng.next_u64();
        let slot = &mut self.slots[(roll % SLOTS as u64) as usize];
        self.outcome.units += 1;
        if slot.0.is_null() {
            let size = 8 + ((roll >> 32) % 505) as usize;
            self.outcome.attempts += 1;
            let ptr = measured::heap_alloc(heap, layout(size));
            if !heap.accept(ptr, layout(size)) {
                self.outcome.failed += 1;
            } else {
                *slot = (ptr, size);
            }
        } else {
            // SAFETY: the slot's block is live and was allocated with this layout.
            unsafe { measured::heap_dealloc(heap, slot.0, layout(slot.1)) };
            slot.0 = ptr::null_mut();
        }
    }
}

/// `MIXED_OPS` steps of the mixed workload on a fresh heap.
pub fn mixed<H: Heap>(heap: &mut H) -> Outcome {
    let mut state = Mixed::default();
    for _ in 0..MIXED_OPS {
        state.step(heap);
    }
    state.outcome
}

/// Adversarial packing: allocate [`ADVERSARIAL_FILL`] 32-byte blocks (a quarter of
/// the arena; fewer if one fails), free every other one, then ask for 33, 65, 129,
/// 257, 513, 1025, 33, … bytes until one fails. Every request from then on is larger
/// than the holes, so the holes are the fragmentation the allocator has to live
/// with. The share of the arena then holding live requested bytes.
pub fn adversarial<H: Heap>(heap: &mut H) -> f64 {
    let mut blocks = Vec::new();
    while blocks.len() < ADVERSARIAL_FILL {
        let ptr = alloc_accepted(heap, layout(32));
        if ptr.is_null() {
            break;
        }
        blocks.push(ptr);
    }
    let mut live = 0;
    for (i, ptr) in blocks.into_iter().enumerate() {
        if i % 2 == 0 {
            // SAFETY: a live block allocated with this layout.
            unsafe { heap.dealloc(ptr, layout(32)) };
        } else {
            live += 32;
        }
    }
    for size in ADVERSARIAL_SIZES.into_iter().cycle() {
        if alloc_accepted(heap, layout(size)).is_null() {
            break;
        }
        live += size;
    }
    live as f64 / ARENA as f64
}

/// [`adversarial`] as an ideal allocator would end it: every block rounded up to 8
/// bytes and packed side by side, with nothing of the arena kept for itself but
/// `reserved` bytes. No allocator that rounds to 8 bytes can do better with that much
/// bookkeeping in the arena, so this is what bookkeeping alone costs on the workload.
pub fn adversarial_ceiling(reserved: usize) -> f64 {
    let room = ARENA.saturating_sub(reserved);
    let fill = ADVERSARIAL_FILL.min(room / 32);
    let mut taken = fill * 32;
    // Every other block is freed, the first among them: the holes fit no later request.
    let mut live = fill / 2 * 32;
    for size in ADVERSARIAL_SIZES.into_iter().cycle() {
        let block = size.next_multiple_of(8);
        if taken + block > room {
            break;
        }
        taken += block;
        live += size;
    }
    live as f64 / ARENA as f64
}

/// Bytes of a fresh 1 MiB region that `FreeListAllocator` keeps for its own
/// bookkeeping (its side bitmap and the heads of its size classes), from its
/// `stats().overhead()`.
pub fn free_list_bookkeeping() -> usize {
    let heap = leak(FreeListAllocator::<0>::new());
    heap.init(region()).expect("a fresh heap");
    heap.stats().overhead()
}

/// Random-growth packing: allocate 8 to 512 bytes with probability 0.7, else free a
/// random live block, until an allocation fails. The share of the arena then
/// holding live requested bytes.
pub fn random_growth<H: Heap>(heap: &mut H, seed: u64) -> f64 {
    let mut rng = Rng::new(seed);
    let mut live: Vec<(*mut u8, usize)> = Vec::new();
    let mut bytes = 0;
    loop {
        if rng.below(10) < 7 || live.is_empty() {
            let size = 8 + rng.below(505);
            let ptr = alloc_accepted(heap, layout(size));
            if ptr.is_null() {
                break;
            }
            live.push((ptr, size));
            bytes += size;
        } else {
            let (ptr, size) = live.swap_remove(rng.below(live.len()));
            // SAFETY: a live block allocated with this layout.
            unsafe { heap.dealloc(ptr, layout(size)) };
            bytes -= size;
        }
    }
    bytes as f64 / ARENA as f64
}
