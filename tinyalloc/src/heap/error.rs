//! What can go wrong with a heap: a region `init` refuses, and the inconsistency
//! `verify()` finds.

use core::fmt;

/// Why `init` refused a region. Nothing changed in the heap.
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InitError {
    /// The heap already has its memory: `init` runs once.
    AlreadyInitialized,
    /// The region is too small for the engine's bookkeeping and one block.
    RegionTooSmall {
        /// The usable bytes of the region (after aligning its start to 16).
        len: usize,
        /// The fewest bytes this engine accepts.
        min: usize,
    },
    /// `init` was called from inside the heap's own code (a non-maskable interrupt or
    /// fault handler that preempted an allocation), which cannot see or change its
    /// state then.
    Reentered,
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            InitError::AlreadyInitialized => f.write_str(
                "the heap already has its region: init runs once, at start-up; keep the first region",
            ),
            InitError::RegionTooSmall { len, min } => write!(
                f,
                "the region has {len} usable bytes but this engine needs at least {min}; \
                 give the heap a larger region",
            ),
            InitError::Reentered => f.write_str(
                "init was called from inside the allocator (an interrupt that preempted it); \
                 call init once at start-up, from ordinary code",
            ),
        }
    }
}

impl core::error::Error for InitError {}

/// The first inconsistency [`verify`](super::FreeListAllocator::verify) found in a heap's
/// bookkeeping. Addresses are those of the damaged free block.
///
/// A heap that only safe code used never reports one. One that does almost always
/// means a write past the end of an allocation or through a pointer after it was
/// freed, into the free memory where the engine keeps its links.
///
/// A periodic self-test, or a command on a debug console:
///
/// ```
/// use tinyalloc::heap::{FreeListAllocator, VerifyError};
///
/// static HEAP: FreeListAllocator<4096> = FreeListAllocator::new();
///
/// fn self_test() -> Result<(), VerifyError> {
///     HEAP.verify()?;
///     Ok(())
/// }
///
/// match self_test() {
///     Ok(()) => {}
///     Err(VerifyError::NotCoalesced { addr }) => panic!("free blocks at {addr:#x} not merged"),
///     Err(damage) => panic!("heap damaged: {damage}"),
/// }
/// ```
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerifyError {
    /// A free block lies outside the heap or is misaligned.
    OutOfBounds {
        /// Where the block was said to be.
        addr: usize,
    },
    /// A free block's size is impossible, or its header and footer disagree.
    BadSize {
        /// The block.
        addr: usize,
        /// The size it claims.
        size: usize,
    },
    /// A free block is on the wrong list for its size.
    WrongClass {
        /// The block.
        addr: usize,
        /// Its size.
        size: usize,
    },
    /// A free list's forward and backward links disagree, or a list is out of order.
    BrokenLink {
        /// The block whose link is wrong.
        addr: usize,
    },
    /// Two free blocks touch and were not merged, or a free block touches the bump top.
    NotCoalesced {
        /// The first of the two blocks.
        addr: usize,
    },
    /// The side bitmap that marks free blocks disagrees with the free lists.
    BitmapMismatch {
        /// The free block or the list head the bitmap is wrong about; the bitmap's
        /// own address when it holds more markers, or fewer, than the free blocks
        /// have.
        addr: usize,
    },
    /// A free list is longer than the heap could hold: it has a cycle.
    Cycle,
    /// A block given back to the heap overlaps free memory or another block given
    /// back: it was freed twice, or with a larger size than it was allocated with.
    FreedTwice {
        /// The block that was given back.
        addr: usize,
    },
    /// Used and free bytes do not add up to the heap.
    Accounting {
        /// Bytes in live allocations, by the counters.
        used: usize,
        /// Bytes found free by walking the heap.
        free: usize,
        /// Bytes in the heap.
        heap: usize,
    },
    /// `verify` was called from inside the allocator itself.
    Reentered,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HINT: &str = "look for a write past the end of an allocation or a use after free \
                            in the code that owns the memory just below it, or for a block freed \
                            twice";
        match *self {
            VerifyError::OutOfBounds { addr } => {
                write!(
                    f,
                    "a free block at {addr:#x} lies outside the heap or is misaligned; {HINT}"
                )
            }
            VerifyError::BadSize { addr, size } => write!(
                f,
                "the free block at {addr:#x} claims an impossible size ({size} bytes); {HINT}"
            ),
            VerifyError::WrongClass { addr, size } => write!(
                f,
                "the free block at {addr:#x} ({size} bytes) is on the wrong size-class list; {HINT}"
            ),
            VerifyError::BrokenLink { addr } => {
                write!(f, "a free-list link at {addr:#x} is broken; {HINT}")
            }
            VerifyError::NotCoalesced { addr } => write!(
                f,
                "the free block at {addr:#x} touches free memory it should have merged with; {HINT}"
            ),
            VerifyError::BitmapMismatch { addr } => write!(
                f,
                "the side bitmap disagrees with the free lists at {addr:#x}; {HINT}"
            ),
            VerifyError::Cycle => write!(f, "a free list loops back on itself; {HINT}"),
            VerifyError::FreedTwice { addr } => write!(
                f,
                "the block at {addr:#x} was given back twice, or with a larger size than it \
                 was allocated with: it overlaps free memory; look for a double free or a \
                 dealloc with the wrong Layout"
            ),
            VerifyError::Accounting { used, free, heap } => write!(
                f,
                "{used} bytes used and {free} free do not add up to the heap's {heap}; {HINT}"
            ),
            VerifyError::Reentered => f.write_str(
                "verify was called from inside the allocator; call it from ordinary code",
            ),
        }
    }
}

impl core::error::Error for VerifyError {}
