//! Instruction counts of the byte queues on the target, tinyalloc's and heapless's
//! side by side: bytes pushed one at a time, then popped one at a time
//! (`count::queue_rows`). Built like `count_pools.rs` and run by
//! `scripts/count-report.sh`.
//!
//! tinyalloc's queues take blocks of 32 bytes (28 of them data) from a pool of 128,
//! the `Slab4K128` preset's shape. `PoolDeque` and `GlobalDeque` run each call in a
//! critical section, as an interrupt handler and `main` sharing them need; so does
//! heapless's `Deque` here, in a `critical_section::Mutex`. heapless's `spsc::Queue`
//! needs none: one producer and one consumer, each with its own end.
#![no_std]
#![no_main]

use core::cell::RefCell;
use core::ptr::addr_of_mut;

use critical_section::Mutex;
use tinyalloc::global::{AllocatorConfig, GlobalDeque, PoolDeque};
use tinyalloc::prelude::*;
use tinyalloc_firmware::count::{ByteQueue, queue_rows};

/// `ByteBufferDeque` over a slab of its own, through `&mut`: no lock.
struct Plain<'a>(ByteBufferDeque, &'a mut TinySlabAllocator<4096, 128>);

impl ByteQueue for Plain<'_> {
    #[inline(always)]
    fn push(&mut self, byte: u8) -> bool {
        self.0.push_back(self.1, byte).is_ok()
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<u8> {
        self.0.pop_front(self.1)
    }
}

#[tinyalloc::pool(size = 4096, slots = 128)]
static POOL: Pool;
/// Reaches its pool through a `SharedAllocator` trait object.
static POOL_QUEUE: PoolDeque = PoolDeque::new(&POOL);
#[tinyalloc::pool(size = 4096, slots = 128)]
static NAMED_POOL: Pool;
/// Names its pool's type, so it calls the pool directly.
static NAMED_QUEUE: PoolDeque<Pool<4096, 128>> = PoolDeque::new(&NAMED_POOL);
static GLOBAL_QUEUE: GlobalDeque = GlobalDeque::new();

/// A `PoolDeque` or a `GlobalDeque`: a `static`, pushed and popped through `&self`.
struct Shared<Push, Pop>(Push, Pop);

impl<Push: FnMut(u8) -> bool, Pop: FnMut() -> Option<u8>> ByteQueue for Shared<Push, Pop> {
    #[inline(always)]
    fn push(&mut self, byte: u8) -> bool {
        (self.0)(byte)
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<u8> {
        (self.1)()
    }
}

static DEQUE: Mutex<RefCell<heapless::Deque<u8, 1024>>> =
    Mutex::new(RefCell::new(heapless::Deque::new()));

/// heapless's `Deque` shared the way a firmware shares it with an interrupt handler.
struct Locked;

impl ByteQueue for Locked {
    #[inline(always)]
    fn push(&mut self, byte: u8) -> bool {
        critical_section::with(|cs| DEQUE.borrow_ref_mut(cs).push_back(byte).is_ok())
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<u8> {
        critical_section::with(|cs| DEQUE.borrow_ref_mut(cs).pop_front())
    }
}

/// heapless's single-producer single-consumer queue, split into its two ends.
struct Spsc<'a>(
    heapless::spsc::Producer<'a, u8>,
    heapless::spsc::Consumer<'a, u8>,
);

impl ByteQueue for Spsc<'_> {
    #[inline(always)]
    fn push(&mut self, byte: u8) -> bool {
        self.0.enqueue(byte).is_ok()
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<u8> {
        self.1.dequeue()
    }
}

#[cortex_m_rt::entry]
fn main() -> ! {
    let slab: &'static mut TinySlabAllocator<4096, 128> = {
        static mut SLAB: TinySlabAllocator<4096, 128> = TinySlabAllocator::new();
        // SAFETY: `main` runs once, so this is the only reference.
        unsafe { &mut *addr_of_mut!(SLAB) }
    };
    queue_rows(
        "tinyalloc `ByteBufferDeque` (`&mut`, no lock)",
        &mut Plain(ByteBufferDeque::new(), slab),
    );
    queue_rows(
        "tinyalloc `PoolDeque`",
        &mut Shared(|byte| POOL_QUEUE.push(byte).is_ok(), || POOL_QUEUE.pop()),
    );
    queue_rows(
        "tinyalloc `PoolDeque<Pool<4096, 128>>`",
        &mut Shared(|byte| NAMED_QUEUE.push(byte).is_ok(), || NAMED_QUEUE.pop()),
    );
    AllocatorConfig::Slab4K128
        .init()
        .expect("the first global instance");
    queue_rows(
        "tinyalloc `GlobalDeque`",
        &mut Shared(
            |byte| GLOBAL_QUEUE.push(byte).is_ok(),
            || GLOBAL_QUEUE.pop(),
        ),
    );
    queue_rows("heapless 0.9 `Deque` in a critical section", &mut Locked);
    let queue: &'static mut heapless::spsc::Queue<u8, 2048> = {
        static mut QUEUE: heapless::spsc::Queue<u8, 2048> = heapless::spsc::Queue::new();
        // SAFETY: as for the slab.
        unsafe { &mut *addr_of_mut!(QUEUE) }
    };
    let (producer, consumer) = queue.split();
    queue_rows("heapless 0.9 `spsc::Queue`", &mut Spsc(producer, consumer));
    tinyalloc_firmware::stack::finish()
}

tinyalloc_firmware::stack_report_panic_handler!();
