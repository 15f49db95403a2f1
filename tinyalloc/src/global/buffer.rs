//! The global-instance forms of [`ByteBuffer`]: the same operations without an
//! allocator argument. A buffer used this way gives its blocks back when dropped.

use super::with_global;
use crate::{ByteBuffer, ByteBufferError};

/// The `# Panics` section of the global forms.
macro_rules! global_panics {
    () => {
        "# Panics\n\n\
         Called inside a closure that the global instance's pool is running (its \
         `with`, or a [`for_each_chunk_global`](Self::for_each_chunk_global) closure) \
         where that pool is a [`Pool`](crate::Pool): the pool is already borrowed there \
         (see its *Panics*).\n"
    };
}

impl ByteBuffer {
    /// Appends `data` using the global instance, all or nothing.
    ///
    /// # Errors
    ///
    /// [`NotInitialized`](ByteBufferError::NotInitialized) before the global instance
    /// is set; otherwise as [`write`](Self::write): `AllocationFailed` when the pool
    /// has too few free blocks, `ForeignChunk` when the buffer holds blocks of an allocator
    /// you passed; [`Busy`](ByteBufferError::Busy) from a
    /// [`SharedAllocator`](crate::SharedAllocator) of your own whose lock gave up.
    /// Nothing is written on an error.
    ///
    #[doc = global_panics!()]
    ///
    /// ```
    /// use tinyalloc::global::AllocatorConfig;
    /// use tinyalloc::prelude::*;
    ///
    /// let mut buf = ByteBuffer::new();
    /// assert_eq!(buf.extend(b"too early"), Err(ByteBufferError::NotInitialized));
    /// AllocatorConfig::Slab512b16.init().unwrap();
    /// buf.extend(b"Global allocator").unwrap();
    /// assert_eq!(buf.len(), 16);
    /// ```
    pub fn extend(&mut self, data: &[u8]) -> Result<(), ByteBufferError> {
        with_global(|alloc| {
            self.write(alloc, data)?;
            // Only now, and only when a block was checked or taken: a refused write
            // (the buffer holds blocks of an allocator you passed) must not have `Drop`
            // give those handles to the global instance, and neither may an empty one,
            // which succeeds without looking at the buffer's blocks.
            if !data.is_empty() {
                self.global = true;
            }
            Ok(())
        })?
    }

    /// Copies bytes from `offset` on into `out` from the global instance; returns how
    /// many were copied, as [`read`](Self::read).
    ///
    /// # Errors
    ///
    /// [`NotInitialized`](ByteBufferError::NotInitialized) before the global instance
    /// is set, [`Busy`](ByteBufferError::Busy) from a lock of your own that gave up.
    ///
    #[doc = global_panics!()]
    pub fn read_global(&self, offset: usize, out: &mut [u8]) -> Result<usize, ByteBufferError> {
        with_global(|alloc| self.read(alloc, offset, out))
    }

    /// Runs `f` on each chunk of data, in order, without copying, inside one critical
    /// section.
    ///
    /// # Errors
    ///
    /// As [`read_global`](Self::read_global); `f` is then not called.
    ///
    /// # Panics
    ///
    /// If `f` uses the global instance (another global buffer, a
    /// [`GlobalDeque`](crate::global::GlobalDeque)) and that is a [`Pool`](crate::Pool):
    /// the pool is already running this call (see its *Panics*). Copy the chunks out
    /// first, or read them with [`read_global`](Self::read_global) in pieces.
    pub fn for_each_chunk_global(&self, mut f: impl FnMut(&[u8])) -> Result<(), ByteBufferError> {
        with_global(|alloc| self.chunks(alloc).for_each(&mut f))
    }

    /// The data copied into a `Vec`, from the global instance.
    ///
    /// # Errors
    ///
    /// As [`read_global`](Self::read_global).
    ///
    #[doc = global_panics!()]
    #[cfg(feature = "alloc")]
    pub fn to_vec_global(&self) -> Result<alloc::vec::Vec<u8>, ByteBufferError> {
        with_global(|alloc| self.to_vec(alloc))
    }

    /// Empties the buffer and gives its blocks back to the global instance.
    ///
    /// # Errors
    ///
    /// [`ByteBufferError::ForeignChunk`], and nothing changes, when they are not its
    /// blocks (the buffer was written with an allocator you passed:
    /// [`clear`](Self::clear) it there), or the pool was cleared under the buffer
    /// (replace it with [`ByteBuffer::new`]); [`NotInitialized`](ByteBufferError::NotInitialized)
    /// and [`Busy`](ByteBufferError::Busy) as for [`read_global`](Self::read_global).
    ///
    #[doc = global_panics!()]
    pub fn clear_global(&mut self) -> Result<(), ByteBufferError> {
        with_global(|alloc| self.clear(alloc))?
    }
}

impl Drop for ByteBuffer {
    /// A buffer written through the global instance gives its blocks back to it.
    /// (One written with an allocator you passed cannot: call `clear` first. Nor can
    /// one dropped while the global instance's lock is held elsewhere, which only a
    /// [`SharedAllocator`](crate::SharedAllocator) of your own that gives up reports:
    /// its blocks stay in use. Call [`clear_global`](Self::clear_global) and check it
    /// where that can happen.) Nor can one dropped inside a closure the global
    /// instance's `Pool` is running (its `with`, `read` or `write`, or
    /// [`for_each_chunk_global`](Self::for_each_chunk_global)), where every other use
    /// of the pool panics: a `Drop` must not, as it may run while a panic unwinds, so
    /// there too the blocks stay in use. Let such a buffer go outside the closure.
    fn drop(&mut self) {
        if self.global && self.chain.head.is_some() {
            // The instance is never unset; a lock that gives up, or the pool's own
            // closure running (`Busy` both), leaves the blocks allocated, as
            // documented above.
            let _ = super::try_with_global(|alloc| self.clear(alloc));
        }
    }
}
