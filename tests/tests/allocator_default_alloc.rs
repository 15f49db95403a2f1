//! `Allocator::alloc`, the trait's provided method, and the buffers, over an
//! implementation of the user's that lends more (or fewer) bytes than asked: they copy
//! or refuse, never panic.

use tinyalloc::prelude::*;

/// Lends the whole block, or (`short`) one byte less than asked.
struct Lender {
    slab: TinySlabAllocator<256, 8>,
    short: bool,
}

impl Allocator for Lender {
    fn alloc_uninit(&mut self, len: usize) -> Result<(Handle, &mut [u8]), AllocError> {
        let lend = if self.short {
            len.saturating_sub(1)
        } else {
            self.slab.block_size()
        };
        let (handle, _) = self.slab.alloc_uninit(lend)?;
        Ok((handle, self.slab.get_mut(handle).expect("just taken")))
    }
    fn get(&self, handle: Handle) -> Option<&[u8]> {
        self.slab.get(handle)
    }
    fn get_mut(&mut self, handle: Handle) -> Option<&mut [u8]> {
        self.slab.get_mut(handle)
    }
    fn free(&mut self, handle: Handle) -> bool {
        self.slab.free(handle)
    }
    fn block_size(&self) -> usize {
        self.slab.block_size()
    }
    fn capacity(&self) -> usize {
        self.slab.capacity()
    }
    fn len(&self) -> usize {
        self.slab.len()
    }
    fn stats(&self) -> Stats {
        self.slab.stats()
    }
}

#[test]
fn a_whole_block_lent_gets_the_data_at_its_start() {
    let mut lender = Lender {
        slab: TinySlabAllocator::new(),
        short: false,
    };
    let alloc: &mut dyn Allocator = &mut lender;
    let handle = alloc.alloc(b"abc").unwrap();
    assert_eq!(&alloc.get(handle).unwrap()[..3], b"abc");
}

#[test]
fn too_few_bytes_lent_is_an_error_and_the_block_goes_back() {
    let mut lender = Lender {
        slab: TinySlabAllocator::new(),
        short: true,
    };
    let alloc: &mut dyn Allocator = &mut lender;
    assert_eq!(
        alloc.alloc(b"abc"),
        Err(AllocError::TooLarge {
            requested: 3,
            block_size: 32
        })
    );
    assert_eq!(alloc.len(), 0);
}

#[test]
fn buffers_refuse_blocks_lent_short_and_give_them_back() {
    let mut lender = Lender {
        slab: TinySlabAllocator::new(),
        short: true,
    };
    let mut buf = ByteBuffer::new();
    // A chunk is a whole block: one lent a byte short cannot hold a full chunk's data.
    assert_eq!(
        buf.write(&mut lender, &[1; 100]),
        Err(ByteBufferError::AllocationFailed)
    );
    assert_eq!((buf.len(), lender.len()), (0, 0));
    let mut deque = ByteBufferDeque::new();
    assert_eq!(
        deque.push_back(&mut lender, 1),
        Err(ByteBufferError::AllocationFailed)
    );
    assert_eq!((deque.len(), lender.len()), (0, 0));
}
