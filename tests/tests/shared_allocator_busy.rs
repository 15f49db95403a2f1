//! A `SharedAllocator` of the user's that gives up when its lock is held elsewhere (the
//! right pattern for an interrupt handler on one core): every global operation reports
//! `Busy` and changes nothing, instead of panicking inside tinyalloc; a `PoolDeque` on
//! one matches a `VecDeque<u8>` whatever the lock does in between.

use core::sync::atomic::Ordering;
use std::collections::VecDeque;

use proptest::prelude::*;
use tinyalloc::global::{GlobalDeque, PoolDeque};
use tinyalloc::prelude::*;
use tinyalloc_tests::{TryLocked, proptest_config};

static SHARED: TryLocked<256, 8> = TryLocked::new(false);

static QUEUE: GlobalDeque = GlobalDeque::new();

#[test]
fn a_lock_that_gives_up_is_reported_as_busy_and_changes_nothing() {
    tinyalloc::global::install(&SHARED).unwrap();
    let mut buf = ByteBuffer::new();
    buf.extend(b"before").unwrap();
    QUEUE.push_slice(b"queued").unwrap();
    let before = tinyalloc::global::stats().unwrap();

    SHARED.held.store(true, Ordering::Relaxed); // another context holds the lock
    assert_eq!(tinyalloc::global::stats(), None);
    assert_eq!(buf.extend(b" and after"), Err(ByteBufferError::Busy));
    let mut out = [0u8; 6];
    assert_eq!(buf.read_global(0, &mut out), Err(ByteBufferError::Busy));
    assert_eq!(buf.clear_global(), Err(ByteBufferError::Busy));
    assert_eq!(QUEUE.push(b'!'), Err(ByteBufferError::Busy));
    assert_eq!(QUEUE.pop(), None);
    assert!(ByteBufferError::Busy.to_string().contains("held elsewhere"));

    SHARED.held.store(false, Ordering::Relaxed);
    assert_eq!(tinyalloc::global::stats(), Some(before));
    assert_eq!(buf.len(), 6);
    assert_eq!(buf.read_global(0, &mut out), Ok(6));
    assert_eq!(&out, b"before");
    let mut queued = [0u8; 6];
    assert_eq!(QUEUE.pop_into(&mut queued), 6);
    assert_eq!(&queued, b"queued");
    buf.clear_global().unwrap();
    assert_eq!(tinyalloc::global::stats().unwrap().in_use, 0);
}

static RX_SHARED: TryLocked<256, 8> = TryLocked::new(false);

static RX: PoolDeque = PoolDeque::new(&RX_SHARED);

fn rx_stats() -> Stats {
    let shared: &dyn SharedAllocator = &RX_SHARED;
    shared
        .lock(|alloc| alloc.stats())
        .expect("the lock is free")
}

#[derive(Debug, Clone)]
enum QueueOp {
    Push(u8),
    PushSlice(Vec<u8>),
    Pop,
    PopInto(usize),
    Peek,
    Clear,
    /// Another context takes the lock (an interrupted `main`, seen from the handler).
    Hold,
    Release,
}

fn queue_op() -> impl Strategy<Value = QueueOp> {
    prop_oneof![
        4 => any::<u8>().prop_map(QueueOp::Push),
        3 => prop::collection::vec(any::<u8>(), 0..70).prop_map(QueueOp::PushSlice),
        4 => Just(QueueOp::Pop),
        2 => (0..80usize).prop_map(QueueOp::PopInto),
        1 => Just(QueueOp::Peek),
        1 => Just(QueueOp::Clear),
        2 => Just(QueueOp::Hold),
        2 => Just(QueueOp::Release),
    ]
}

/// Every operation while the lock is held reports `Busy` (or pops nothing) and changes
/// neither the queue nor the pool; otherwise the queue is a `VecDeque`.
fn run_queue(ops: Vec<QueueOp>) {
    RX_SHARED.held.store(false, Ordering::Relaxed);
    RX.clear();
    assert!(RX.is_empty());
    let mut model: VecDeque<u8> = VecDeque::new();
    let mut held: Option<Stats> = None;
    for op in ops {
        let busy = held.is_some();
        match op {
            QueueOp::Push(byte) => match RX.push(byte) {
                Ok(()) => model.push_back(byte),
                Err(ByteBufferError::Busy) => assert!(busy),
                Err(ByteBufferError::AllocationFailed) => assert!(!busy),
                Err(other) => panic!("unexpected {other}"),
            },
            QueueOp::PushSlice(data) => match RX.push_slice(&data) {
                Ok(()) => model.extend(&data),
                Err(ByteBufferError::Busy) => assert!(busy),
                Err(ByteBufferError::AllocationFailed) => assert!(!busy),
                Err(other) => panic!("unexpected {other}"),
            },
            QueueOp::Pop => {
                let expected = if busy { None } else { model.pop_front() };
                assert_eq!(RX.pop(), expected);
            }
            QueueOp::PopInto(len) => {
                let mut out = vec![0u8; len];
                let n = RX.pop_into(&mut out);
                let expected = if busy { 0 } else { len.min(model.len()) };
                assert_eq!(n, expected);
                let popped: Vec<u8> = model.drain(..n).collect();
                assert_eq!(&out[..n], &popped[..]);
            }
            QueueOp::Peek => {
                let expected = if busy { None } else { model.front().copied() };
                assert_eq!(RX.peek(), expected);
            }
            QueueOp::Clear => {
                RX.clear();
                if !busy {
                    model.clear();
                }
            }
            QueueOp::Hold => {
                if !busy {
                    held = Some(rx_stats());
                    RX_SHARED.held.store(true, Ordering::Relaxed);
                }
            }
            QueueOp::Release => {
                if let Some(before) = held.take() {
                    RX_SHARED.held.store(false, Ordering::Relaxed);
                    assert_eq!(rx_stats(), before, "a busy call changed the pool");
                }
            }
        }
        assert_eq!(RX.len(), model.len());
    }
    RX_SHARED.held.store(false, Ordering::Relaxed);
    let mut rest = vec![0u8; model.len()];
    assert_eq!(RX.pop_into(&mut rest), model.len());
    assert!(rest.iter().eq(model.iter()));
    let stats = rx_stats();
    assert_eq!((stats.in_use, stats.rejected_handles), (0, 0));
}

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn a_pool_deque_on_a_lock_that_gives_up_matches_a_vecdeque(
        ops in prop::collection::vec(queue_op(), 1..if cfg!(miri) { 40 } else { 200 })
    ) {
        run_queue(ops);
    }
}
