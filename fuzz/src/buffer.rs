//! Two `ByteBuffer`s sharing one pool small enough to run dry, plus blocks the input
//! takes straight from the pool (so writes fail at every possible point), against one
//! `Vec<u8>` per buffer. After every step: contents by `to_vec`, `iter`, `chunks` and
//! `read` at any offset; the pool holds exactly the blocks the buffers need; a failed
//! write changes neither buffer and leaves the pool's `Stats` as they were but for the
//! one failed allocation it counts (no block is taken, so the high-water mark stays); a
//! call given another pool is refused and changes neither pool.

use arbitrary::Arbitrary;
use tinyalloc::{Allocator, ByteBuffer, ByteBufferError, Handle, Stats, TinySlabAllocator};

use crate::foreign::Foreign;
use crate::{MAX_OPS, pattern};

/// One step. `which` picks one of the two buffers.
#[derive(Arbitrary, Debug, Clone)]
pub enum Op {
    /// Appends `len % 64` pattern bytes.
    Write { which: bool, len: u8, seed: u8 },
    /// `read` of `len % 80` bytes from `offset`.
    Read { which: bool, offset: u8, len: u8 },
    /// Gives every block of a buffer back.
    Clear { which: bool },
    /// Takes one block from the pool behind the buffers' backs.
    Hog,
    /// Gives a hogged block back.
    Unhog(u8),
    /// A call given another pool (see [`Foreign`]) while the buffer holds bytes:
    /// refused, and nothing changes.
    Foreign { which: bool, call: ForeignOp },
}

/// The calls a buffer may be given another pool in.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum ForeignOp {
    /// `write` of `1 + len % 63` pattern bytes.
    Write {
        len: u8,
        seed: u8,
    },
    /// `read` of `1 + len % 79` bytes from `offset`; also `chunks` and `iter`.
    Read {
        offset: u8,
        len: u8,
    },
    Clear,
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
    buffers: [ByteBuffer; 2],
    contents: [Vec<u8>; 2],
    hogs: Vec<Handle>,
    failed: usize,
    high_water: usize,
}

impl Model {
    /// Blocks a buffer of `len` bytes holds: full chunks, then the tail.
    fn blocks(len: usize, payload: usize) -> usize {
        len.div_ceil(payload)
    }

    fn in_use(&self, payload: usize) -> usize {
        self.contents
            .iter()
            .map(|c| Self::blocks(c.len(), payload))
            .sum::<usize>()
            + self.hogs.len()
    }

    fn check<A: Allocator>(&self, alloc: &A, payload: usize) {
        for (buffer, expected) in self.buffers.iter().zip(&self.contents) {
            assert_eq!(buffer.len(), expected.len());
            assert_eq!(buffer.is_empty(), expected.is_empty());
            assert_eq!(buffer.to_vec(alloc), *expected, "a buffer lost its bytes");
            assert!(buffer.iter(alloc).eq(expected.iter().copied()));
            let chunks: Vec<&[u8]> = buffer.chunks(alloc).collect();
            assert_eq!(chunks.len(), Self::blocks(expected.len(), payload));
            if let Some((last, full)) = chunks.split_last() {
                assert!(full.iter().all(|c| c.len() == payload), "a short chunk");
                assert!(!last.is_empty() && last.len() <= payload);
            }
        }
        for hog in &self.hogs {
            assert!(alloc.get(*hog).is_some(), "a hogged block was taken over");
        }
        let stats = alloc.stats();
        assert_eq!(stats.in_use, self.in_use(payload), "blocks leaked or lost");
        assert_eq!(stats.failed_allocs, self.failed);
        assert_eq!(stats.rejected_handles, 0, "a buffer used a dead handle");
        assert_eq!(stats.high_water, self.high_water);
    }
}

fn run_on<A: Allocator>(alloc: &mut A, foreign: &mut Foreign<A>, ops: &[Op]) {
    let payload = alloc.block_size() - 4;
    let capacity = alloc.capacity();
    let mut model = Model {
        buffers: [ByteBuffer::new(), ByteBuffer::new()],
        contents: [Vec::new(), Vec::new()],
        hogs: Vec::new(),
        failed: 0,
        // `Foreign::beside` took a block and gave it back.
        high_water: alloc.stats().high_water,
    };
    for op in ops.iter().take(MAX_OPS) {
        match *op {
            Op::Write { which, len, seed } => {
                let which = usize::from(which);
                let data = pattern(seed, usize::from(len) % 64);
                let have = Model::blocks(model.contents[which].len(), payload);
                let need = Model::blocks(model.contents[which].len() + data.len(), payload);
                let fits = need - have <= capacity - model.in_use(payload);
                let before = alloc.stats();
                match model.buffers[which].write(alloc, &data) {
                    Ok(()) => {
                        assert!(fits, "a write succeeded with too few blocks");
                        model.contents[which].extend_from_slice(&data);
                        model.high_water = model.high_water.max(model.in_use(payload));
                    }
                    Err(ByteBufferError::AllocationFailed) => {
                        assert!(!fits, "a write failed while it fit");
                        // Refused before it took a block: one failure counted, and
                        // the high-water mark where the blocks in use put it.
                        model.failed += 1;
                        let after = alloc.stats();
                        assert_eq!(after.in_use, before.in_use, "a failed write kept blocks");
                        assert_eq!(after.failed_allocs, before.failed_allocs + 1);
                        assert_eq!(after.rejected_handles, before.rejected_handles);
                    }
                    Err(other) => panic!("unexpected {other:?}"),
                }
            }
            Op::Read { which, offset, len } => {
                let which = usize::from(which);
                let expected = &model.contents[which];
                let mut out = vec![0u8; usize::from(len) % 80];
                let offset = usize::from(offset);
                let n = model.buffers[which].read(alloc, offset, &mut out);
                let start = offset.min(expected.len());
                let end = (offset + out.len()).min(expected.len());
                assert_eq!(&out[..n], &expected[start..end], "read the wrong bytes");
            }
            Op::Clear { which } => {
                let which = usize::from(which);
                model.buffers[which]
                    .clear(alloc)
                    .expect("clear refused the buffer's own pool");
                model.contents[which].clear();
            }
            Op::Hog => match alloc.alloc_uninit(1) {
                Ok((handle, _)) => {
                    model.hogs.push(handle);
                    model.high_water = model.high_water.max(model.in_use(payload));
                }
                Err(_) => {
                    assert_eq!(model.in_use(payload), capacity);
                    model.failed += 1;
                }
            },
            Op::Unhog(pick) if !model.hogs.is_empty() => {
                let handle = model.hogs.swap_remove(usize::from(pick) % model.hogs.len());
                assert!(alloc.free(handle));
            }
            Op::Unhog(_) => {}
            Op::Foreign { which, call } if !model.contents[usize::from(which)].is_empty() => {
                let buffer = &mut model.buffers[usize::from(which)];
                let refused = foreign.refuses(alloc, |other| match call {
                    ForeignOp::Write { len, seed } => {
                        let data = pattern(seed, 1 + usize::from(len) % 63);
                        buffer.write(other, &data) == Err(ByteBufferError::ForeignChunk)
                    }
                    ForeignOp::Read { offset, len } => {
                        let mut out = vec![0; 1 + usize::from(len) % 79];
                        buffer.read(other, usize::from(offset), &mut out) == 0
                    }
                    ForeignOp::Clear => buffer.clear(other) == Err(ByteBufferError::ForeignChunk),
                });
                assert!(refused, "{call:?} given another pool was not refused");
                if let ForeignOp::Read { .. } = call {
                    for reader in [
                        |b: &ByteBuffer, a: &A| b.chunks(a).count(),
                        |b: &ByteBuffer, a: &A| b.iter(a).count(),
                        |b: &ByteBuffer, a: &A| b.to_vec(a).len(),
                    ] {
                        let n = foreign.refuses(alloc, |other| reader(buffer, other));
                        assert_eq!(n, 0, "another pool's blocks read as the buffer's");
                    }
                }
            }
            // An empty buffer belongs to no pool: the next write decides.
            Op::Foreign { .. } => {}
        }
        model.check(alloc, payload);
    }
    for (buffer, contents) in model.buffers.iter_mut().zip(&mut model.contents) {
        buffer
            .clear(alloc)
            .expect("clear refused the buffer's own pool");
        contents.clear();
    }
    for hog in model.hogs.drain(..) {
        assert!(alloc.free(hog));
    }
    let stats: Stats = alloc.stats();
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
