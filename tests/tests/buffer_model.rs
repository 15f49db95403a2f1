//! `ByteBuffer` against `Vec<u8>` and `ByteBufferDeque` against `VecDeque<u8>`:
//! random operation sequences on pools small enough to run dry. After every step the
//! contents and lengths match; a failed write changes nothing; after `clear` the
//! pool's `Stats` show no block still in use.

use std::collections::VecDeque;

use proptest::prelude::*;
use tinyalloc::prelude::*;
use tinyalloc_tests::proptest_config;

/// 12 blocks of 16 bytes: 12 bytes of data per chunk, 144 in all.
type Small = TinySlabAllocator<192, 12>;

#[derive(Debug, Clone)]
enum BufferOp {
    Write(Vec<u8>),
    Read { offset: usize, len: usize },
    Clear,
}

fn buffer_op() -> impl Strategy<Value = BufferOp> {
    prop_oneof![
        5 => prop::collection::vec(any::<u8>(), 0..60).prop_map(BufferOp::Write),
        3 => (0..200usize, 0..80usize).prop_map(|(offset, len)| BufferOp::Read { offset, len }),
        1 => Just(BufferOp::Clear),
    ]
}

#[derive(Debug, Clone)]
enum DequeOp {
    Push(u8),
    PushSlice(Vec<u8>),
    Pop,
    PopInto(usize),
    Peek,
    PeekInto(usize),
    Clear,
}

fn deque_op() -> impl Strategy<Value = DequeOp> {
    prop_oneof![
        4 => any::<u8>().prop_map(DequeOp::Push),
        4 => prop::collection::vec(any::<u8>(), 0..50).prop_map(DequeOp::PushSlice),
        4 => Just(DequeOp::Pop),
        3 => (0..70usize).prop_map(DequeOp::PopInto),
        1 => Just(DequeOp::Peek),
        2 => (0..70usize).prop_map(DequeOp::PeekInto),
        1 => Just(DequeOp::Clear),
    ]
}

/// Blocks a chain of `bytes` bytes needs when chunks hold `cap` bytes.
fn blocks_for(bytes: usize, cap: usize) -> usize {
    bytes.div_ceil(cap)
}

fn run_buffer(ops: Vec<BufferOp>) {
    let mut alloc = Small::new();
    let mut buffer = ByteBuffer::new();
    let mut model: Vec<u8> = Vec::new();
    let mut failures = 0;
    for op in ops {
        match op {
            BufferOp::Write(data) => {
                let before = alloc.stats();
                match buffer.write(&mut alloc, &data) {
                    Ok(()) => model.extend_from_slice(&data),
                    Err(ByteBufferError::AllocationFailed) => {
                        failures += 1;
                        assert!(
                            blocks_for(model.len() + data.len(), 12) > 12,
                            "failed while it fit"
                        );
                        assert_eq!(
                            alloc.stats().in_use,
                            before.in_use,
                            "a failed write kept blocks"
                        );
                    }
                    Err(other) => panic!("unexpected {other}"),
                }
            }
            BufferOp::Read { offset, len } => {
                let mut out = vec![0u8; len];
                let n = buffer.read(&alloc, offset, &mut out);
                let start = offset.min(model.len());
                let end = (offset + len).min(model.len());
                assert_eq!(&out[..n], &model[start..end]);
            }
            BufferOp::Clear => {
                buffer.clear(&mut alloc).unwrap();
                model.clear();
                assert_eq!(alloc.stats().in_use, 0, "clear left blocks in use");
            }
        }
        assert_eq!(buffer.len(), model.len());
        assert_eq!(buffer.to_vec(&alloc), model);
        assert!(buffer.iter(&alloc).eq(model.iter().copied()));
        assert_eq!(alloc.len(), blocks_for(model.len(), 12));
        assert_eq!(alloc.stats().failed_allocs, failures);
    }
    buffer.clear(&mut alloc).unwrap();
    let stats = alloc.stats();
    assert_eq!((stats.in_use, stats.rejected_handles), (0, 0));
}

fn run_deque(ops: Vec<DequeOp>) {
    let mut alloc = Small::new();
    let mut deque = ByteBufferDeque::new();
    let mut model: VecDeque<u8> = VecDeque::new();
    for op in ops {
        let in_use = alloc.len();
        match op {
            DequeOp::Push(byte) => match deque.push_back(&mut alloc, byte) {
                Ok(()) => model.push_back(byte),
                Err(e) => {
                    assert_eq!(e, ByteBufferError::AllocationFailed);
                    assert_eq!(alloc.len(), 12);
                }
            },
            DequeOp::PushSlice(data) => match deque.push_slice(&mut alloc, &data) {
                Ok(()) => model.extend(&data),
                Err(e) => {
                    assert_eq!(e, ByteBufferError::AllocationFailed);
                    assert_eq!(alloc.len(), in_use, "a failed push kept blocks");
                }
            },
            DequeOp::Pop => assert_eq!(deque.pop_front(&mut alloc), model.pop_front()),
            DequeOp::PopInto(len) => {
                let mut out = vec![0u8; len];
                let n = deque.pop_into(&mut alloc, &mut out);
                assert_eq!(n, len.min(model.len()));
                let expected: Vec<u8> = model.drain(..n).collect();
                assert_eq!(&out[..n], &expected[..]);
            }
            DequeOp::Peek => assert_eq!(deque.peek_front(&alloc), model.front().copied()),
            DequeOp::PeekInto(len) => {
                let mut out = vec![0u8; len];
                let n = deque.peek_into(&alloc, &mut out);
                assert_eq!(n, len.min(model.len()));
                assert!(out[..n].iter().eq(model.iter().take(n)));
                assert_eq!(alloc.len(), in_use, "a peek freed or took blocks");
            }
            DequeOp::Clear => {
                deque.clear(&mut alloc).unwrap();
                model.clear();
                assert_eq!(alloc.stats().in_use, 0, "clear left blocks in use");
            }
        }
        assert_eq!(deque.len(), model.len());
        let queued: Vec<u8> = deque.chunks(&alloc).flatten().copied().collect();
        assert!(queued.iter().eq(model.iter()));
        // Drained chunks go back at once: the deque never holds a block it does not use.
        assert_eq!(alloc.len(), deque.chunks(&alloc).count());
    }
    deque.clear(&mut alloc).unwrap();
    let stats = alloc.stats();
    assert_eq!((stats.in_use, stats.rejected_handles), (0, 0));
}

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn byte_buffer_matches_a_vec(ops in prop::collection::vec(buffer_op(), 1..if cfg!(miri) { 30 } else { 120 })) {
        run_buffer(ops);
    }

    #[test]
    fn byte_buffer_deque_matches_a_vecdeque(ops in prop::collection::vec(deque_op(), 1..if cfg!(miri) { 40 } else { 200 })) {
        run_deque(ops);
    }
}
