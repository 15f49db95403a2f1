//! The [`Allocator`] trait every block engine implements, its error and its [`Stats`].

use core::fmt;

use crate::Handle;

/// A fixed-block allocator that hands out [`Handle`]s: the backend interface of
/// tinyalloc's buffers and queues.
///
/// Every block has the same size, [`block_size`](Self::block_size). An allocation
/// takes one block and remembers how many of its bytes were asked for; [`get`] and
/// [`get_mut`] return exactly that many. Handles are checked: a stale, freed or
/// foreign handle gets `None` or `false`, changes nothing and is counted in
/// [`Stats::rejected_handles`]. A handle is checked against the slot it names, so a
/// foreign one is turned away unless it happens to name a slot of this pool that is
/// live at the same generation: a 4-byte [`Handle`] has no room for its pool's
/// identity (see there). Memory safety never depends on it.
///
/// The trait is object safe, so code can take `&mut dyn Allocator` and work with any
/// pool size:
///
/// ```
/// use tinyalloc::prelude::*;
///
/// fn store(alloc: &mut dyn Allocator, bytes: &[u8]) -> Result<Handle, AllocError> {
///     alloc.alloc(bytes)
/// }
///
/// let mut small = TinySlabAllocator::<256, 8>::new();
/// let mut large = TinySlabAllocator::<1024, 8>::new();
/// let a = store(&mut small, b"fits in 32 bytes").unwrap();
/// let b = store(&mut large, &[7; 100]).unwrap();
/// assert_eq!(small.get(a), Some(&b"fits in 32 bytes"[..]));
/// assert_eq!(large.get(b).map(<[u8]>::len), Some(100));
/// assert!(store(&mut small, &[7; 100]).is_err()); // larger than a 32-byte block
/// ```
///
/// [`get`]: Self::get
/// [`get_mut`]: Self::get_mut
pub trait Allocator {
    /// Takes a block for `len` bytes and returns its handle with the bytes to fill:
    /// exactly `len` of them, which is what [`get`](Self::get) returns later.
    ///
    /// The bytes are not cleared: they hold whatever the block held before (they are
    /// always initialised memory, never undefined).
    ///
    /// # Errors
    ///
    /// [`AllocError::TooLarge`] when `len` exceeds the block size, and
    /// [`AllocError::OutOfMemory`] when every block is in use. A failure changes
    /// nothing but the [`Stats::failed_allocs`] count.
    fn alloc_uninit(&mut self, len: usize) -> Result<(Handle, &mut [u8]), AllocError>;

    /// Takes a block and copies `data` into it.
    ///
    /// # Errors
    ///
    /// As [`alloc_uninit`](Self::alloc_uninit), for `data.len()` bytes. The default
    /// method also returns [`AllocError::TooLarge`] when an `alloc_uninit` of yours
    /// lends fewer bytes than that, after giving the block back with
    /// [`free`](Self::free).
    fn alloc(&mut self, data: &[u8]) -> Result<Handle, AllocError> {
        let (handle, bytes) = self.alloc_uninit(data.len())?;
        // An implementation of yours may lend more bytes than asked (the whole
        // block); one that lends fewer gets its block back and an error, not a panic.
        if bytes.len() >= data.len() {
            copy_prefix(bytes, data);
            Ok(handle)
        } else {
            self.free(handle);
            Err(AllocError::TooLarge {
                requested: data.len(),
                block_size: self.block_size(),
            })
        }
    }

    /// The bytes of a live block, as many as were asked for; `None` for a stale,
    /// freed or foreign handle.
    fn get(&self, handle: Handle) -> Option<&[u8]>;

    /// The bytes of a live block, writable; `None` for a stale, freed or foreign
    /// handle.
    fn get_mut(&mut self, handle: Handle) -> Option<&mut [u8]>;

    /// Returns a block to the pool. `true` when the handle named a live block;
    /// `false` (and nothing changes but the rejected-handle count) for a stale,
    /// double-freed or foreign handle.
    fn free(&mut self, handle: Handle) -> bool;

    /// The size of every block, in bytes: the most one allocation can hold.
    fn block_size(&self) -> usize;

    /// How many blocks the allocator has in all.
    fn capacity(&self) -> usize;

    /// How many blocks are in use now.
    fn len(&self) -> usize;

    /// `true` when no block is in use.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counters since the allocator was made.
    fn stats(&self) -> Stats;

    /// Counts one allocation refused before it was asked for: a caller that needs
    /// several blocks at once and sees too few free takes none and calls this
    /// instead, so the refusal shows in [`Stats::failed_allocs`] as the request that
    /// found no block left would have (a `ByteBuffer` write that cannot fit does).
    /// The default does nothing; tinyalloc's pools count it.
    fn count_failed_alloc(&mut self) {}
}

/// Why an allocation failed. Nothing changed in the allocator but its failure count.
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllocError {
    /// Every block is in use.
    OutOfMemory,
    /// More bytes were asked for than one block holds.
    TooLarge {
        /// The number of bytes asked for.
        requested: usize,
        /// The size of one block.
        block_size: usize,
    },
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AllocError::OutOfMemory => f.write_str(
                "out of memory: every block is in use; free a block first or give the pool more slots",
            ),
            AllocError::TooLarge {
                requested,
                block_size,
            } => write!(
                f,
                "requested {requested} bytes but a block holds {block_size}; \
                 split the data or use a pool with larger blocks (size / slots)",
            ),
        }
    }
}

impl core::error::Error for AllocError {}

/// What a block engine has done since it was made.
///
/// Every block engine in tinyalloc reports this shape. The high-water mark answers
/// the question a firmware developer asks before shipping: how close to full did the
/// pool ever get?
///
/// ```
/// use tinyalloc::prelude::*;
///
/// let mut pool = TinySlabAllocator::<64, 4>::new();
/// let a = pool.alloc(b"a").unwrap();
/// let b = pool.alloc(b"b").unwrap();
/// pool.free(a);
/// pool.free(a); // double free: rejected and counted
/// let stats = pool.stats();
/// assert_eq!((stats.blocks, stats.in_use, stats.high_water), (4, 1, 2));
/// assert_eq!(stats.rejected_handles, 1);
/// assert_eq!(stats.available(), 3);
/// # let _ = b;
/// ```
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Stats {
    /// How many blocks the engine has in all.
    pub blocks: usize,
    /// How many blocks are in use now.
    pub in_use: usize,
    /// The most blocks that were ever in use at once.
    pub high_water: usize,
    /// How many allocations failed (pool full or request too large).
    pub failed_allocs: usize,
    /// How many stale, double-freed or foreign handles were turned away (stops at
    /// `u32::MAX` in the slab engine). Exact, but for one case on a Cortex-M0/M0+,
    /// which has no atomic add: `TinySlabAllocator::get` calls on one pool shared
    /// by `&` between contexts that preempt each other may lose a count.
    pub rejected_handles: usize,
}

impl Stats {
    /// How many blocks are free now (0 if `in_use` exceeds `blocks`, as only a
    /// miscounting `Allocator` of your own can report).
    #[inline]
    pub const fn available(&self) -> usize {
        self.blocks.saturating_sub(self.in_use)
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} blocks in use (high-water {}), {}, {}",
            self.in_use,
            self.blocks,
            self.high_water,
            Count(self.failed_allocs, "failed allocation"),
            Count(self.rejected_handles, "rejected handle")
        )
    }
}

/// `n` and a noun, `s` added unless `n` is 1: "1 failed allocation", "2 failed
/// allocations". For the counters' `Display`s.
pub(crate) struct Count<'a>(pub(crate) usize, pub(crate) &'a str);

impl fmt::Display for Count<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Count(n, noun) = *self;
        write!(f, "{n} {noun}{}", if n == 1 { "" } else { "s" })
    }
}

/// Copies as much of `src` as fits to the start of `dst`; returns how many bytes.
///
/// A copy with no panic path (`copy_from_slice` keeps its length check where it is
/// not inlined, as at `opt-level = "z"`), so none is left in the blocks, buffers and
/// queues, even with an allocator of yours that lends odd-sized blocks.
#[inline(always)]
pub(crate) fn copy_prefix(dst: &mut [u8], src: &[u8]) -> usize {
    let n = dst.len().min(src.len());
    // SAFETY: both slices hold at least `n` bytes, and a `&mut` and a `&` slice never
    // overlap.
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr(), n) };
    n
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn copy_prefix_copies_what_fits_and_leaves_the_rest() {
        let mut dst = [0u8; 4];
        assert_eq!(copy_prefix(&mut dst, b"abcdef"), 4);
        assert_eq!(&dst, b"abcd");
        assert_eq!(copy_prefix(&mut dst, b"xy"), 2);
        assert_eq!(&dst, b"xycd");
        assert_eq!(copy_prefix(&mut dst, b""), 0);
        assert_eq!(copy_prefix(&mut [], b"xy"), 0);
        assert_eq!(&dst, b"xycd");
    }

    #[test]
    fn errors_say_what_to_do() {
        let too_large = AllocError::TooLarge {
            requested: 64,
            block_size: 32,
        }
        .to_string();
        assert!(
            too_large.contains("64") && too_large.contains("32"),
            "{too_large}"
        );
        assert!(AllocError::OutOfMemory.to_string().contains("free a block"));
    }

    #[test]
    fn available_of_stats_that_count_more_in_use_than_blocks_is_zero() {
        // An `Allocator` of yours fills in its own `Stats`; a miscount must not panic
        // (debug) or wrap to a huge number (release) where firmware reads it.
        let stats = Stats {
            blocks: 4,
            in_use: 5,
            ..Stats::default()
        };
        assert_eq!(stats.available(), 0);
    }

    #[test]
    fn stats_display_reads_as_a_sentence() {
        let stats = Stats {
            blocks: 32,
            in_use: 3,
            high_water: 5,
            failed_allocs: 1,
            rejected_handles: 2,
        };
        assert_eq!(
            stats.to_string(),
            "3/32 blocks in use (high-water 5), 1 failed allocation, 2 rejected handles"
        );
    }
}
