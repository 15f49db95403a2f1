//! Byte buffers and queues: tinyalloc's `ByteBufferDeque` and `ByteBuffer` (chunks of
//! 64-byte slab blocks), and the `PoolDeque` and `GlobalDeque` that interrupt handlers
//! share, against `VecDeque<u8>`, heapless `Deque` and heapless `spsc::Queue`.

use std::collections::VecDeque;
use std::io::{Read, Write};

use tinyalloc::global::{GlobalDeque, PoolDeque};
use tinyalloc::{ByteBuffer, ByteBufferDeque, Pool, TinySlabAllocator};

use crate::{Entry, Outcome, measured};

/// Bytes in the queue at its fullest.
pub const BYTES: usize = 4096;
/// The slice size of the slice workload.
pub const SLICE: usize = 64;
/// Fill-and-drain rounds per run.
pub const ROUNDS: usize = 16;

/// The slab the tinyalloc entries take chunks from: 128 blocks of 64 bytes (60 of
/// data each), room for 4,096 bytes in 69 chunks.
pub type ChunkSlab = TinySlabAllocator<{ 64 * 128 }, 128>;

/// The `N` of the heapless `spsc::Queue` entry, which holds `N - 1` bytes: the
/// smallest power of two that holds [`BYTES`], as heapless's documentation advises
/// for speed (any other `N` makes every index step a remainder by `N`).
pub const SPSC_N: usize = (BYTES + 1).next_power_of_two();

/// A byte queue as the workloads drive it.
pub trait ByteQueue {
    /// Whether the byte-at-a-time workload applies.
    const BYTES: bool;
    /// Appends a byte; `false` when full.
    fn push(&mut self, byte: u8) -> bool;
    /// Removes the oldest byte.
    fn pop(&mut self) -> Option<u8>;
    /// Appends a slice; `false` when it does not fit.
    fn push_slice(&mut self, data: &[u8]) -> bool;
    /// Moves the oldest bytes into `out`; how many.
    fn pop_slice(&mut self, out: &mut [u8]) -> usize;
}

/// Every buffer entry, in table order.
pub const ENTRIES: &[Entry] = &[
    Entry {
        name: "tinyalloc-deque",
        does: "`ByteBufferDeque` over a `TinySlabAllocator` of 128 × 64 B: `push_back`/`pop_front`, `push_slice`/`pop_into`",
    },
    Entry {
        name: "tinyalloc-pool-deque",
        does: "`PoolDeque` over a `#[tinyalloc::pool]` of 128 × 64 B: `push`/`pop`, `push_slice`/`pop_into`, each one critical section (the pool's re-entry check runs inside it) and a `&mut dyn Allocator`",
    },
    Entry {
        name: "tinyalloc-pool-deque-named",
        does: "`PoolDeque<Pool<8192, 128>>`, which names its pool's type: as `tinyalloc-pool-deque`, with the pool called directly (its code inlined into the queue's)",
    },
    Entry {
        name: "tinyalloc-global-deque",
        does: "`GlobalDeque` over the same kind of pool installed as the global instance: as `tinyalloc-pool-deque`, plus finding the instance",
    },
    Entry {
        name: "tinyalloc-buffer",
        does: "`ByteBuffer` over the same slab: `write` each slice, then `read(offset, ..)` them back in order and `clear` (slices only)",
    },
    Entry {
        name: "vecdeque",
        does: "`VecDeque<u8>::with_capacity(4096)`: `push_back`/`pop_front`, `write_all`/`read` (`io::Write`/`io::Read`)",
    },
    Entry {
        name: "heapless-deque",
        does: "heapless 0.9 `Deque<u8, 4096>`: `push_back`/`pop_front`; slices byte by byte (it has no slice copy) after one check of the room or the length, with `push_back_unchecked`/`pop_front_unchecked`",
    },
    Entry {
        name: "heapless-spsc",
        does: "heapless 0.9 `spsc::Queue<u8, 8192>` (holds 8,191; `N` a power of two, as its documentation advises for speed): `enqueue`/`dequeue`, unsplit; slices byte by byte after one check, with `enqueue_unchecked`/`dequeue_unchecked`",
    },
];

/// The workloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Push 4,096 single bytes, then pop them one at a time; 16 rounds.
    Bytes,
    /// Push 4,096 bytes as 64 slices of 64, then pop them 64 at a time; 16 rounds.
    Slices,
}

impl Workload {
    /// Every workload, in table order.
    pub const ALL: [Workload; 2] = [Workload::Bytes, Workload::Slices];

    /// The name on the command line and in tables.
    pub const fn name(self) -> &'static str {
        match self {
            Workload::Bytes => "bytes",
            Workload::Slices => "slices",
        }
    }

    /// The workload called `name`.
    pub fn parse(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }
}

/// One fill-and-drain round; returns the bytes that went in and out.
pub fn round<Q: ByteQueue>(queue: &mut Q, workload: Workload) -> u64 {
    let mut sum = 0u64;
    match workload {
        Workload::Bytes => {
            for i in 0..BYTES {
                assert!(measured::push(queue, i as u8), "room for 4,096 bytes");
            }
            for _ in 0..BYTES {
                sum += u64::from(measured::pop(queue).expect("a byte"));
            }
        }
        Workload::Slices => {
            let mut data = [0u8; SLICE];
            for (i, byte) in data.iter_mut().enumerate() {
                *byte = i as u8;
            }
            for _ in 0..BYTES / SLICE {
                assert!(measured::push_slice(queue, &data), "room for 4,096 bytes");
            }
            let mut out = [0u8; SLICE];
            for _ in 0..BYTES / SLICE {
                assert_eq!(measured::pop_slice(queue, &mut out), SLICE);
                sum += u64::from(out[SLICE - 1]);
            }
        }
    }
    core::hint::black_box(sum);
    BYTES as u64
}

/// `ROUNDS` rounds; `units` counts bytes (each pushed and popped once).
pub fn run<Q: ByteQueue>(queue: &mut Q, workload: Workload) -> Outcome {
    let units = (0..ROUNDS).map(|_| round(queue, workload)).sum();
    Outcome {
        units,
        ..Outcome::default()
    }
}

/// Something to do with a buffer entry whose type the dispatch picks.
pub trait Visitor {
    /// What it returns.
    type Out;
    /// Runs on a fresh, empty queue.
    fn visit<Q: ByteQueue>(self, queue: Q) -> Self::Out;
}

/// Makes the queue `entry` names and hands it to `visitor`; `None` for an unknown
/// entry, or the byte workload on an entry without it (when `bytes` is set).
pub fn with_queue<V: Visitor>(entry: &str, bytes: bool, visitor: V) -> Option<V::Out> {
    fn go<Q: ByteQueue, V: Visitor>(queue: Q, bytes: bool, visitor: V) -> Option<V::Out> {
        (!bytes || Q::BYTES).then(|| visitor.visit(queue))
    }
    match entry {
        "tinyalloc-deque" => go(Chunked::<ByteBufferDeque>::default(), bytes, visitor),
        "tinyalloc-pool-deque" => go(Shared::pool(), bytes, visitor),
        "tinyalloc-pool-deque-named" => go(Shared::named(), bytes, visitor),
        "tinyalloc-global-deque" => go(Shared::global(), bytes, visitor),
        "tinyalloc-buffer" => go(Chunked::<Buffer>::default(), bytes, visitor),
        "vecdeque" => go(
            VecDequeQueue(VecDeque::with_capacity(BYTES)),
            bytes,
            visitor,
        ),
        "heapless-deque" => go(HeaplessDeque(heapless::Deque::new()), bytes, visitor),
        "heapless-spsc" => go(HeaplessSpsc(heapless::spsc::Queue::new()), bytes, visitor),
        _ => None,
    }
}

/// A tinyalloc queue or buffer with the slab it takes chunks from.
#[derive(Debug)]
pub struct Chunked<T> {
    slab: std::boxed::Box<ChunkSlab>,
    queue: T,
}

impl<T: Default> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            slab: std::boxed::Box::new(ChunkSlab::new()),
            queue: T::default(),
        }
    }
}

impl ByteQueue for Chunked<ByteBufferDeque> {
    const BYTES: bool = true;

    #[inline]
    fn push(&mut self, byte: u8) -> bool {
        self.queue.push_back(&mut *self.slab, byte).is_ok()
    }

    #[inline]
    fn pop(&mut self) -> Option<u8> {
        self.queue.pop_front(&mut *self.slab)
    }

    #[inline]
    fn push_slice(&mut self, data: &[u8]) -> bool {
        self.queue.push_slice(&mut *self.slab, data).is_ok()
    }

    #[inline]
    fn pop_slice(&mut self, out: &mut [u8]) -> usize {
        self.queue.pop_into(&mut *self.slab, out)
    }
}

#[tinyalloc::pool(size = 8192, slots = 128)]
static DEQUE_POOL: Pool;
static POOL_DEQUE: PoolDeque = PoolDeque::new(&DEQUE_POOL);

#[tinyalloc::pool(size = 8192, slots = 128)]
static NAMED_POOL: Pool;
static NAMED_DEQUE: PoolDeque<Pool<8192, 128>> = PoolDeque::new(&NAMED_POOL);

#[tinyalloc::pool(size = 8192, slots = 128)]
static GLOBAL_POOL: Pool;
static GLOBAL_DEQUE: GlobalDeque = GlobalDeque::new();

/// One of the `static` queues an interrupt handler and `main` share, as firmware
/// declares them; emptied when handed out.
#[derive(Debug)]
pub struct Shared<Q: 'static>(&'static Q);

impl Shared<PoolDeque> {
    fn pool() -> Self {
        POOL_DEQUE.clear();
        Shared(&POOL_DEQUE)
    }
}

impl Shared<PoolDeque<Pool<8192, 128>>> {
    fn named() -> Self {
        NAMED_DEQUE.clear();
        Shared(&NAMED_DEQUE)
    }
}

impl Shared<GlobalDeque> {
    fn global() -> Self {
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            tinyalloc::global::install(&GLOBAL_POOL)
                .expect("nothing else in this program sets the global instance");
        });
        GLOBAL_DEQUE.clear();
        Shared(&GLOBAL_DEQUE)
    }
}

macro_rules! shared_queue {
    ($($queue:ty),*) => {$(
        impl ByteQueue for Shared<$queue> {
            const BYTES: bool = true;

            #[inline]
            fn push(&mut self, byte: u8) -> bool {
                self.0.push(byte).is_ok()
            }

            #[inline]
            fn pop(&mut self) -> Option<u8> {
                self.0.pop()
            }

            #[inline]
            fn push_slice(&mut self, data: &[u8]) -> bool {
                self.0.push_slice(data).is_ok()
            }

            #[inline]
            fn pop_slice(&mut self, out: &mut [u8]) -> usize {
                self.0.pop_into(out)
            }
        }
    )*};
}
shared_queue!(PoolDeque, PoolDeque<Pool<8192, 128>>, GlobalDeque);

/// A `ByteBuffer` read back in order from a cursor, cleared once read to the end.
#[derive(Debug, Default)]
pub struct Buffer {
    buffer: ByteBuffer,
    cursor: usize,
}

impl ByteQueue for Chunked<Buffer> {
    const BYTES: bool = false;

    fn push(&mut self, byte: u8) -> bool {
        self.push_slice(&[byte])
    }

    fn pop(&mut self) -> Option<u8> {
        let mut byte = [0];
        (self.pop_slice(&mut byte) == 1).then_some(byte[0])
    }

    #[inline]
    fn push_slice(&mut self, data: &[u8]) -> bool {
        self.queue.buffer.write(&mut *self.slab, data).is_ok()
    }

    #[inline]
    fn pop_slice(&mut self, out: &mut [u8]) -> usize {
        let Buffer { buffer, cursor } = &mut self.queue;
        let n = buffer.read(&*self.slab, *cursor, out);
        *cursor += n;
        if *cursor == buffer.len() {
            // Its own slab's blocks: never refused.
            let cleared = buffer.clear(&mut *self.slab);
            debug_assert!(cleared.is_ok());
            *cursor = 0;
        }
        n
    }
}

/// The standard library's ring buffer.
#[derive(Debug)]
pub struct VecDequeQueue(VecDeque<u8>);

impl ByteQueue for VecDequeQueue {
    const BYTES: bool = true;

    #[inline]
    fn push(&mut self, byte: u8) -> bool {
        self.0.push_back(byte);
        true
    }

    #[inline]
    fn pop(&mut self) -> Option<u8> {
        self.0.pop_front()
    }

    #[inline]
    fn push_slice(&mut self, data: &[u8]) -> bool {
        self.0.write_all(data).is_ok()
    }

    #[inline]
    fn pop_slice(&mut self, out: &mut [u8]) -> usize {
        self.0.read(out).unwrap_or(0)
    }
}

/// heapless's fixed-capacity ring buffer.
#[derive(Debug)]
pub struct HeaplessDeque(heapless::Deque<u8, BYTES>);

impl ByteQueue for HeaplessDeque {
    const BYTES: bool = true;

    #[inline]
    fn push(&mut self, byte: u8) -> bool {
        self.0.push_back(byte).is_ok()
    }

    #[inline]
    fn pop(&mut self) -> Option<u8> {
        self.0.pop_front()
    }

    #[inline]
    fn push_slice(&mut self, data: &[u8]) -> bool {
        if self.0.capacity() - self.0.len() < data.len() {
            return false;
        }
        for &byte in data {
            // SAFETY: checked above: room for every byte of `data`.
            unsafe { self.0.push_back_unchecked(byte) };
        }
        true
    }

    #[inline]
    fn pop_slice(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.0.len());
        for slot in &mut out[..n] {
            // SAFETY: `n <= len`: a byte is there for each.
            *slot = unsafe { self.0.pop_front_unchecked() };
        }
        n
    }
}

/// heapless's single-producer single-consumer queue, used from one side.
#[derive(Debug)]
pub struct HeaplessSpsc(heapless::spsc::Queue<u8, SPSC_N>);

impl ByteQueue for HeaplessSpsc {
    const BYTES: bool = true;

    #[inline]
    fn push(&mut self, byte: u8) -> bool {
        self.0.enqueue(byte).is_ok()
    }

    #[inline]
    fn pop(&mut self) -> Option<u8> {
        self.0.dequeue()
    }

    #[inline]
    fn push_slice(&mut self, data: &[u8]) -> bool {
        if self.0.capacity() - self.0.len() < data.len() {
            return false;
        }
        for &byte in data {
            // SAFETY: checked above: room for every byte of `data`.
            unsafe { self.0.enqueue_unchecked(byte) };
        }
        true
    }

    #[inline]
    fn pop_slice(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.0.len());
        for slot in &mut out[..n] {
            // SAFETY: `n <= len`: a byte is there for each.
            *slot = unsafe { self.0.dequeue_unchecked() };
        }
        n
    }
}
