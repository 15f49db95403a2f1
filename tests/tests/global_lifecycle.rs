//! The global instance's life: errors before it is set, one `install`, refusals after,
//! buffers that give their blocks back when dropped.

use tinyalloc::global::{self, AllocatorConfig, GlobalDeque, PoolDeque};
use tinyalloc::prelude::*;
use tinyalloc::{AllocError, Allocator, Stats};

#[tinyalloc::pool(size = 1024, slots = 16)]
static POOL: Pool;

#[tinyalloc::pool(size = 256, slots = 8)]
static SIDE: Pool;

static QUEUE: GlobalDeque = GlobalDeque::new();
static SIDE_QUEUE: PoolDeque = PoolDeque::new(&SIDE);

/// A pool of the global instance's shape whose handles are shifted by `shift`
/// generations: each pool starts its slots at a generation of its own, and the
/// shift makes this one's blocks carry the handles of `POOL`'s blocks of the same
/// slots, the case where a buffer's handles alone cannot tell the pools apart.
struct Posing {
    own: TinySlabAllocator<1024, 16>,
    shift: u16,
}

impl Posing {
    fn new() -> Self {
        Posing {
            own: TinySlabAllocator::new(),
            shift: 0,
        }
    }

    /// Makes this fresh pool's slot 0, once reused, carry the handle `POOL`'s slot 0
    /// hands out next (`next`): the slots of both reused alike, its other slots'
    /// handles are `POOL`'s too. Every slot of a pool starts at the generation the
    /// pool drew, so one shift, found from slot 0, maps all of this pool's onto
    /// `POOL`'s.
    fn pose_as(&mut self, next: Handle) {
        let used = self.own.alloc(b"").unwrap();
        assert!(self.own.free(used));
        self.shift = next
            .generation()
            .wrapping_sub(used.generation().wrapping_add(1));
    }

    fn shifted(handle: Handle, by: u16) -> Handle {
        Handle::new(handle.index(), handle.generation().wrapping_add(by)).unwrap()
    }

    /// The handles of the live blocks, as handed out, in slot order.
    fn live(&self) -> Vec<Handle> {
        let shift = self.shift;
        self.own
            .iter()
            .map(|(h, _)| Posing::shifted(h, shift))
            .collect()
    }
}

/// The handles of the global pool's live blocks, in slot order.
fn live_global() -> Vec<Handle> {
    POOL.with(|slab| slab.iter().map(|(handle, _)| handle).collect())
}

impl Allocator for Posing {
    fn alloc_uninit(&mut self, len: usize) -> Result<(Handle, &mut [u8]), AllocError> {
        let (handle, bytes) = self.own.alloc_uninit(len)?;
        Ok((Posing::shifted(handle, self.shift), bytes))
    }
    fn get(&self, handle: Handle) -> Option<&[u8]> {
        self.own
            .get(Posing::shifted(handle, self.shift.wrapping_neg()))
    }
    fn get_mut(&mut self, handle: Handle) -> Option<&mut [u8]> {
        self.own
            .get_mut(Posing::shifted(handle, self.shift.wrapping_neg()))
    }
    fn free(&mut self, handle: Handle) -> bool {
        self.own
            .free(Posing::shifted(handle, self.shift.wrapping_neg()))
    }
    fn block_size(&self) -> usize {
        self.own.block_size()
    }
    fn capacity(&self) -> usize {
        self.own.capacity()
    }
    fn len(&self) -> usize {
        self.own.len()
    }
    fn stats(&self) -> Stats {
        self.own.stats()
    }
}

/// The handle `POOL`'s slot 0 hands out next, found by taking it and giving it
/// back (slot 0 must be the one `POOL` hands out next).
fn next_of_slot_0() -> Handle {
    let taken = POOL.alloc(b"").unwrap();
    assert_eq!(taken.index(), 0);
    assert!(POOL.free(taken));
    Handle::new(0, taken.generation().wrapping_add(1)).unwrap()
}

#[test]
fn the_global_instance_is_set_once_and_used_by_buffers() {
    // Before it is set: errors and empty answers, no panic.
    assert!(!global::is_initialized());
    assert_eq!(global::stats(), None);
    let mut early = ByteBuffer::new();
    assert_eq!(early.extend(b"x"), Err(ByteBufferError::NotInitialized));
    assert_eq!(
        early.read_global(0, &mut [0; 1]),
        Err(ByteBufferError::NotInitialized)
    );
    assert_eq!(QUEUE.push(1), Err(ByteBufferError::NotInitialized));
    assert_eq!(QUEUE.pop(), None);
    assert_eq!(QUEUE.pop_into(&mut [0; 4]), 0);
    assert_eq!(QUEUE.peek_into(&mut [0; 4]), 0);
    // A deque bound to its own pool does not need the global instance.
    SIDE_QUEUE.push_slice(b"side").unwrap();
    assert_eq!(SIDE.len(), 1);

    // Set it once.
    global::install(&POOL).unwrap();
    assert!(global::is_initialized());
    // A second install or preset is refused; the instance does not change.
    assert_eq!(
        global::install(&SIDE),
        Err(ByteBufferError::AlreadyInitialized)
    );
    assert_eq!(
        AllocatorConfig::Slab4K128.init(),
        Err(ByteBufferError::AlreadyInitialized)
    );
    assert_eq!(
        AllocatorConfig::custom(&SIDE).init(),
        Err(ByteBufferError::AlreadyInitialized)
    );

    // A buffer written with an allocator you pass stays that allocator's: a refused
    // `extend` does not make it the global instance's, and neither does an earlier
    // `extend` once it was cleared. Dropping it leaves the global instance alone,
    // even where the other pool's handles are those of live global blocks (`local`
    // hands out the handles the global pool does, in the same order).
    {
        let mut local = Posing::new();
        local.pose_as(next_of_slot_0());
        let mut mine = ByteBuffer::new();
        mine.write(&mut local, &[7; 60]).unwrap();
        assert_eq!(mine.extend(b"x"), Err(ByteBufferError::ForeignChunk));
        // Nor can the global instance empty it: refused and said so, not `Ok`.
        assert_eq!(mine.clear_global(), Err(ByteBufferError::ForeignChunk));
        assert_eq!(mine.len(), 60);
        let mut victim = ByteBuffer::new();
        victim.extend(b"victim data").unwrap(); // the handle of `mine`'s block
        assert_eq!(live_global(), local.live());

        let mut reused = ByteBuffer::new();
        reused.extend(b"global first").unwrap();
        reused.clear_global().unwrap();
        let spacer = local.alloc(b"spacer").unwrap();
        reused.write(&mut local, b"then local").unwrap();
        let mut other = ByteBuffer::new();
        other.extend(b"more").unwrap(); // the slot `reused` gave back
        let mut last = ByteBuffer::new();
        last.extend(b"last").unwrap(); // the handle of `reused`'s block
        assert_eq!(live_global()[2], local.live()[2]);

        drop(mine);
        drop(reused);
        assert_eq!(POOL.len(), 3);
        assert_eq!(victim.to_vec_global().unwrap(), b"victim data");
        assert_eq!(other.to_vec_global().unwrap(), b"more");
        assert_eq!(last.to_vec_global().unwrap(), b"last");
        // Two handles turned away: the refused `extend` and `clear_global` looked up
        // `mine`'s block.
        assert_eq!(POOL.stats().rejected_handles, 2);
        // Their blocks stay in use in `local`, as the docs say of a dropped buffer
        // that was written with an allocator you passed.
        assert_eq!(local.len(), 3);
        assert!(local.free(spacer));
    }
    assert!(POOL.is_empty());

    // An empty `extend` succeeds without looking at the buffer's blocks, so it must not
    // make a buffer of an allocator you passed the global instance's either: dropped,
    // it would free its handles there (a live global block, where the handles match).
    {
        let mut local = Posing::new();
        local.pose_as(next_of_slot_0());
        let mut mine = ByteBuffer::new();
        mine.write(&mut local, b"local").unwrap();
        let mut victim = ByteBuffer::new();
        victim.extend(b"victim data").unwrap();
        assert_eq!(
            live_global(),
            local.live(),
            "one block each, under one handle"
        );
        let before = POOL.stats();
        assert_eq!(mine.extend(b""), Ok(()));
        drop(mine);
        assert_eq!(POOL.stats(), before);
        assert_eq!(victim.to_vec_global().unwrap(), b"victim data");
        assert_eq!(local.len(), 1);
    }
    assert!(POOL.is_empty());

    // Buffers use it: 64-byte blocks hold 60 bytes of data.
    {
        let mut buf = ByteBuffer::new();
        buf.extend(&[3; 100]).unwrap();
        buf.extend(b"tail").unwrap();
        assert_eq!(POOL.len(), 2);
        let mut out = [0u8; 6];
        assert_eq!(buf.read_global(98, &mut out), Ok(6));
        assert_eq!(&out, &[3, 3, b't', b'a', b'i', b'l']);
        assert_eq!(buf.to_vec_global().unwrap().len(), 104);
        let mut chunks = 0;
        buf.for_each_chunk_global(|_| chunks += 1).unwrap();
        assert_eq!(chunks, 2);
        // dropped here: its blocks go back
    }
    assert!(POOL.is_empty());

    // An all-or-nothing failure through the global instance.
    let mut big = ByteBuffer::new();
    assert_eq!(
        big.extend(&[0; 60 * 17]),
        Err(ByteBufferError::AllocationFailed)
    );
    assert!(POOL.is_empty());
    big.extend(&[0; 60 * 16]).unwrap();
    assert_eq!(POOL.len(), 16);
    big.clear_global().unwrap();
    assert!(POOL.is_empty());

    QUEUE.push_slice(b"hello").unwrap();
    assert_eq!(QUEUE.peek(), Some(b'h'));
    assert_eq!(QUEUE.len(), 5);
    QUEUE.clear();
    assert!(QUEUE.is_empty() && POOL.is_empty());
    assert_eq!(global::stats().unwrap().failed_allocs, 1);

    // A queue that is not a `static` gives its blocks back when dropped.
    {
        let queue = GlobalDeque::new();
        queue.push_slice(&[1; 100]).unwrap();
        let side_queue = PoolDeque::new(&SIDE);
        side_queue.push_slice(b"more").unwrap();
        assert_eq!((POOL.len(), SIDE.len()), (2, 2));
    }
    assert!(POOL.is_empty());
    assert_eq!(SIDE.len(), 1, "only SIDE_QUEUE's block");

    // Let go inside a closure the pool is running, where every other use of the
    // pool panics, a buffer or queue of it does not (a `Drop` may run while a panic
    // unwinds, and a second panic there aborts): its blocks stay in use, as their
    // `Drop` docs say.
    let mut buffer = ByteBuffer::new();
    buffer.extend(b"dropped in the closure").unwrap();
    let queue = GlobalDeque::new();
    queue.push(1).unwrap();
    POOL.with(|_| {
        drop(buffer);
        drop(queue);
    });
    assert_eq!(POOL.len(), 2);
    let side_queue = PoolDeque::new(&SIDE);
    side_queue.push(2).unwrap();
    SIDE.with(|_| drop(side_queue));
    assert_eq!(SIDE.len(), 2, "SIDE_QUEUE's block and the dropped queue's");
    // Dropped while a closure of the pool unwinds: the panic is the closure's own.
    let mut buffer = ByteBuffer::new();
    buffer.extend(b"unwinding").unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        POOL.with(|_| {
            let _held = buffer;
            panic!("the closure's own panic");
        })
    }));
    let payload = caught.unwrap_err();
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"the closure's own panic")
    );
    assert_eq!(POOL.len(), 3);
    // The counters are a query a panic handler may make: inside the closure they
    // are `None`, not a second panic.
    let outside = tinyalloc::global::stats().unwrap();
    assert_eq!(outside.in_use, 3);
    assert_eq!(POOL.with(|_| tinyalloc::global::stats()), None);
    POOL.with(|slab| slab.clear());
}
