//! A `ByteBufferDeque` on a pool small enough to run dry, plus blocks the input takes
//! straight from the pool, against a `VecDeque<u8>`. After every step: the queued
//! bytes by `chunks` and `peek_front`, and the pool holds exactly the blocks the queue
//! needs (drained chunks go back at once); a failed push changes neither the queue nor
//! the pool's blocks; a call given another pool is refused and changes neither pool.

use std::collections::VecDeque;

use arbitrary::Arbitrary;
use tinyalloc::{Allocator, ByteBufferDeque, ByteBufferError, Handle, TinySlabAllocator};

use crate::foreign::Foreign;
use crate::{MAX_OPS, pattern};

/// One step.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    Push(u8),
    /// `push_slice` of `len % 64` pattern bytes.
    PushSlice {
        len: u8,
        seed: u8,
    },
    Pop,
    /// `pop_into` a buffer of `len % 80` bytes.
    PopInto(u8),
    Peek,
    Clear,
    /// `peek_into` a buffer of `len % 80` bytes.
    PeekInto(u8),
    /// Takes one block from the pool behind the queue's back.
    Hog,
    /// Gives a hogged block back.
    Unhog(u8),
    /// A call given another pool (see [`Foreign`]) while the queue holds bytes:
    /// refused, and nothing changes.
    Foreign(ForeignOp),
}

/// The calls a queue may be given another pool in.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum ForeignOp {
    Push(u8),
    /// `push_slice` of `1 + len % 63` pattern bytes.
    PushSlice {
        len: u8,
        seed: u8,
    },
    Pop,
    /// `pop_into` a buffer of `1 + len % 79` bytes.
    PopInto(u8),
    Peek,
    Clear,
    /// `peek_into` a buffer of `1 + len % 79` bytes.
    PeekInto(u8),
}

/// The input: the pool's shape and the operations.
#[derive(Arbitrary, Debug)]
pub struct Input {
    /// 12 blocks of 16 bytes (12 of data each), or 32 blocks of 8 (4 of data).
    pub tiny_blocks: bool,
    /// Blocks the other pool holds; see [`Foreign::beside`].
    pub squatters: u8,
    pub ops: Vec<Op>,
}

struct Model {
    bytes: VecDeque<u8>,
    /// Bytes already read from the head chunk: the queue's blocks hold
    /// `head_pos + len` bytes' worth of positions.
    head_pos: usize,
    hogs: Vec<Handle>,
    failed: usize,
}

impl Model {
    fn queue_blocks(&self, payload: usize) -> usize {
        if self.bytes.is_empty() {
            0
        } else {
            (self.head_pos + self.bytes.len()).div_ceil(payload)
        }
    }

    fn popped(&mut self, n: usize, payload: usize) {
        self.head_pos = if self.bytes.is_empty() {
            0
        } else {
            (self.head_pos + n) % payload
        };
    }
}

fn run_on<A: Allocator>(alloc: &mut A, foreign: &mut Foreign<A>, ops: &[Op]) {
    let payload = alloc.block_size() - 4;
    let capacity = alloc.capacity();
    let mut deque = ByteBufferDeque::new();
    let mut model = Model {
        bytes: VecDeque::new(),
        head_pos: 0,
        hogs: Vec::new(),
        failed: 0,
    };
    for op in ops.iter().take(MAX_OPS) {
        match *op {
            Op::Push(_) | Op::PushSlice { .. } => {
                let data = match *op {
                    Op::Push(byte) => vec![byte],
                    Op::PushSlice { len, seed } => pattern(seed, usize::from(len) % 64),
                    _ => unreachable!(),
                };
                let queued = model.head_pos + model.bytes.len();
                let have = model.queue_blocks(payload);
                let need = (queued + data.len()).div_ceil(payload);
                let free = capacity - have - model.hogs.len();
                let fits = data.is_empty() || need - have <= free;
                let before = alloc.stats();
                let result = if data.len() == 1 {
                    deque.push_back(alloc, data[0])
                } else {
                    deque.push_slice(alloc, &data)
                };
                match result {
                    Ok(()) => {
                        assert!(fits, "a push succeeded with too few blocks");
                        if model.bytes.is_empty() {
                            model.head_pos = 0;
                        }
                        model.bytes.extend(&data);
                    }
                    Err(ByteBufferError::AllocationFailed) => {
                        assert!(!fits, "a push failed while it fit");
                        model.failed += 1;
                        let after = alloc.stats();
                        assert_eq!(after.in_use, before.in_use, "a failed push kept blocks");
                        assert_eq!(after.failed_allocs, before.failed_allocs + 1);
                    }
                    Err(other) => panic!("unexpected {other:?}"),
                }
            }
            Op::Pop => {
                let expected = model.bytes.pop_front();
                assert_eq!(deque.pop_front(alloc), expected);
                if expected.is_some() {
                    model.popped(1, payload);
                }
            }
            Op::PopInto(len) => {
                let mut out = vec![0u8; usize::from(len) % 80];
                let n = deque.pop_into(alloc, &mut out);
                assert_eq!(n, out.len().min(model.bytes.len()));
                let expected: Vec<u8> = model.bytes.drain(..n).collect();
                assert_eq!(&out[..n], &expected[..], "popped the wrong bytes");
                model.popped(n, payload);
            }
            Op::Peek => assert_eq!(deque.peek_front(alloc), model.bytes.front().copied()),
            Op::PeekInto(len) => {
                let mut out = vec![0u8; usize::from(len) % 80];
                let n = deque.peek_into(alloc, &mut out);
                assert_eq!(n, out.len().min(model.bytes.len()));
                assert!(
                    out[..n].iter().eq(model.bytes.iter().take(n)),
                    "peeked the wrong bytes"
                );
            }
            Op::Clear => {
                deque
                    .clear(alloc)
                    .expect("clear refused the queue's own pool");
                model.bytes.clear();
                model.head_pos = 0;
            }
            Op::Hog => match alloc.alloc_uninit(1) {
                Ok((handle, _)) => model.hogs.push(handle),
                Err(_) => {
                    assert_eq!(model.queue_blocks(payload) + model.hogs.len(), capacity);
                    model.failed += 1;
                }
            },
            Op::Unhog(pick) if !model.hogs.is_empty() => {
                let handle = model.hogs.swap_remove(usize::from(pick) % model.hogs.len());
                assert!(alloc.free(handle));
            }
            Op::Unhog(_) => {}
            Op::Foreign(call) if !model.bytes.is_empty() => {
                let refused = foreign.refuses(alloc, |other| match call {
                    ForeignOp::Push(byte) => {
                        deque.push_back(other, byte) == Err(ByteBufferError::ForeignChunk)
                    }
                    ForeignOp::PushSlice { len, seed } => {
                        let data = pattern(seed, 1 + usize::from(len) % 63);
                        deque.push_slice(other, &data) == Err(ByteBufferError::ForeignChunk)
                    }
                    ForeignOp::Pop => deque.pop_front(other).is_none(),
                    ForeignOp::PopInto(len) => {
                        deque.pop_into(other, &mut vec![0; 1 + usize::from(len) % 79]) == 0
                    }
                    ForeignOp::Peek => deque.peek_front(other).is_none(),
                    ForeignOp::PeekInto(len) => {
                        deque.peek_into(other, &mut vec![0; 1 + usize::from(len) % 79]) == 0
                    }
                    ForeignOp::Clear => deque.clear(other) == Err(ByteBufferError::ForeignChunk),
                });
                assert!(refused, "{call:?} given another pool was not refused");
            }
            // An empty queue belongs to no pool: the next push decides.
            Op::Foreign(_) => {}
        }
        assert_eq!(deque.len(), model.bytes.len());
        assert_eq!(deque.is_empty(), model.bytes.is_empty());
        let queued: Vec<u8> = deque.chunks(alloc).flatten().copied().collect();
        assert!(
            queued.iter().eq(model.bytes.iter()),
            "the queue lost its bytes"
        );
        let stats = alloc.stats();
        assert_eq!(
            stats.in_use,
            model.queue_blocks(payload) + model.hogs.len(),
            "blocks leaked or lost"
        );
        assert_eq!(deque.chunks(alloc).count(), model.queue_blocks(payload));
        assert_eq!(stats.failed_allocs, model.failed);
        assert_eq!(stats.rejected_handles, 0, "the queue used a dead handle");
    }
    deque
        .clear(alloc)
        .expect("clear refused the queue's own pool");
    for hog in model.hogs.drain(..) {
        assert!(alloc.free(hog));
    }
    let stats = alloc.stats();
    assert_eq!((stats.in_use, stats.rejected_handles), (0, 0), "{stats}");
}

/// Runs the operations on a fresh pool of the chosen shape, with another pool of
/// that shape for the calls given the wrong one.
pub fn run(input: &Input) {
    fn on<A: Allocator + Clone>(new: fn() -> A, input: &Input) {
        let mut alloc = Box::new(new());
        let mut foreign = Foreign::beside(&mut *alloc, input.squatters);
        run_on(&mut *alloc, &mut foreign, &input.ops);
        foreign.release();
    }
    if input.tiny_blocks {
        on(TinySlabAllocator::<256, 32>::new, input);
    } else {
        on(TinySlabAllocator::<192, 12>::new, input);
    }
}
