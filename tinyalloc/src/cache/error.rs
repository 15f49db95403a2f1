//! [`SlabError`], what can go wrong in a slab cache; [`Rejected`], a value the cache
//! could not place, handed back; and the [`Result`] alias.

use core::fmt;

/// `core::result::Result` with [`SlabError`] as its error: the return type of the slab
/// cache and of the free hook given to
/// [`define_allocation_hooks!`](crate::define_allocation_hooks).
pub type Result<T, E = SlabError> = core::result::Result<T, E>;

/// Why a slab cache, or the memory provider behind it, could not do what was asked.
///
/// Each message says what happened and what to check. A failed allocation changes
/// nothing but the cache's failure count.
///
/// ```
/// use core::alloc::Layout;
/// use core::ptr::NonNull;
/// use tinyalloc::cache::SlabProvider;
/// use tinyalloc::prelude::*;
///
/// /// A memory region that is already used up.
/// struct Exhausted;
///
/// // SAFETY: it never hands out memory.
/// unsafe impl SlabProvider for Exhausted {
///     unsafe fn alloc(_: Layout) -> Option<NonNull<u8>> {
///         None
///     }
///     unsafe fn free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
///         Ok(())
///     }
/// }
///
/// let error = SlabCache::<u32, NoLock, 1024, Exhausted>::new().err();
/// assert_eq!(error, Some(SlabError::OutOfMemory));
/// println!("{}", SlabError::OutOfMemory); // says what to check
/// ```
#[non_exhaustive]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlabError {
    /// Every slab is full and the provider had no memory for another one (its alloc
    /// hook returned `None`).
    OutOfMemory,
    /// A pointer given back to the cache does not point at a slot of a slab cache of
    /// this object type and slab size.
    InvalidPointer,
    /// The provider returned memory that is not aligned to the slab size. The cache
    /// handed it straight back and did not use it.
    AlignmentMismatch,
    /// Damage the cache cannot repair: a reserve slab whose header lost its magic
    /// number, which [`trim`](super::SlabCache::trim) reports. A free hook of yours
    /// may return it too, for memory it handed out and cannot take back; the cache
    /// passes a hook's error on from `trim` and counts it elsewhere.
    FatalError,
}

impl fmt::Display for SlabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SlabError::OutOfMemory => {
                "out of memory: every slab is full and the provider had no slab to add (its alloc \
                 hook returned None, or its region's slabs are all lent); drop objects you no \
                 longer need, or give the provider more memory"
            }
            SlabError::InvalidPointer => {
                "invalid pointer: it is not a slot of a slab cache of this type and slab size; \
                 give SlabBox::from_raw only pointers that came from SlabBox::into_raw, with the \
                 same T, lock and SLAB_SIZE (not from SlabBox::leak, whose reference covers \
                 only the object)"
            }
            SlabError::AlignmentMismatch => {
                "alignment mismatch: the provider's alloc hook returned memory not aligned to the \
                 slab size, so the cache handed it back unused; make the hook honour layout.align() \
                 (a slab must be aligned to its own size)"
            }
            SlabError::FatalError => {
                "fatal error: a slab header lost its magic number or the free hook refused memory \
                 it had handed out; look for writes past the end of an object (unsafe code, DMA) \
                 and check that the free hook takes back exactly what the alloc hook gave"
            }
        })
    }
}

impl core::error::Error for SlabError {}

/// The value [`SlabCache::alloc`](crate::cache::SlabCache::alloc) could not place,
/// handed back with the reason.
///
/// A failed allocation changes nothing, so the value is not dropped: take it back
/// with [`into_value`](Self::into_value) and try later, or send it elsewhere. The
/// `?` operator turns a `Rejected<T>` into its [`SlabError`] (dropping the value) in
/// a function that returns [`tinyalloc::Result`](crate::Result), and into a
/// `Box<dyn Error>` for any `T: 'static`. Its `Debug`, `Display` and `defmt` output
/// show the reason only, so `T` needs neither trait.
///
/// ```
/// use core::alloc::Layout;
/// use core::ptr::NonNull;
/// use tinyalloc::cache::SlabProvider;
/// use tinyalloc::prelude::*;
///
/// /// A memory region that is already used up.
/// struct Exhausted;
///
/// // SAFETY: it never hands out memory.
/// unsafe impl SlabProvider for Exhausted {
///     unsafe fn alloc(_: Layout) -> Option<NonNull<u8>> {
///         None
///     }
///     unsafe fn free(_: NonNull<u8>, _: Layout) -> tinyalloc::Result<()> {
///         Ok(())
///     }
/// }
///
/// let cache = SlabCache::<[u8; 32], NoLock, 1024, Exhausted>::lazy();
/// let rejected = cache.alloc([7; 32]).unwrap_err();
/// assert_eq!(rejected.error(), SlabError::OutOfMemory);
/// let frame: [u8; 32] = rejected.into_value(); // not lost: queue it, retry later
/// assert_eq!(frame, [7; 32]);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rejected<T> {
    value: T,
    error: SlabError,
}

impl<T> Rejected<T> {
    pub(crate) const fn new(value: T, error: SlabError) -> Self {
        Rejected { value, error }
    }

    /// Why the value could not be placed.
    pub const fn error(&self) -> SlabError {
        self.error
    }

    /// The value, unchanged.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// Gives the value back.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The value and the reason.
    pub fn into_parts(self) -> (T, SlabError) {
        (self.value, self.error)
    }
}

impl<T> fmt::Debug for Rejected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for Rejected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (the value was handed back)", self.error)
    }
}

impl<T> core::error::Error for Rejected<T> {}

#[cfg(feature = "defmt")]
impl<T> defmt::Format for Rejected<T> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "Rejected {{ error: {}, .. }}", self.error);
    }
}

impl<T> From<Rejected<T>> for SlabError {
    fn from(rejected: Rejected<T>) -> Self {
        rejected.error
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn every_message_says_what_to_check() {
        for (error, advice) in [
            (SlabError::OutOfMemory, "give the provider more memory"),
            (SlabError::InvalidPointer, "SlabBox::into_raw"),
            (SlabError::AlignmentMismatch, "layout.align()"),
            (SlabError::FatalError, "free hook"),
        ] {
            let message = error.to_string();
            assert!(message.contains(advice), "{message}");
        }
    }

    /// A pointer made from `leak`'s reference has the provenance of the object only, so
    /// `from_raw` reading the slab header through it is undefined behaviour (Miri says
    /// so): the advice must not send the reader there.
    #[test]
    fn the_invalid_pointer_advice_names_into_raw_and_warns_off_leak() {
        let message = SlabError::InvalidPointer.to_string();
        assert!(
            message.contains("only pointers that came from SlabBox::into_raw,"),
            "{message}"
        );
        assert!(!message.contains("into_raw or leak"), "{message}");
        assert!(message.contains("not from SlabBox::leak"), "{message}");
    }

    #[test]
    fn a_rejected_value_shows_its_reason_and_converts_to_it() {
        struct NoTraits(u8);
        let rejected = Rejected::new(NoTraits(3), SlabError::OutOfMemory);
        assert_eq!(
            std::format!("{rejected:?}"),
            "Rejected { error: OutOfMemory, .. }"
        );
        assert!(rejected.to_string().starts_with("out of memory"));
        assert_eq!(rejected.value().0, 3);
        let (value, error) = rejected.into_parts();
        assert_eq!((value.0, error), (3, SlabError::OutOfMemory));
        let converted: SlabError = Rejected::new(NoTraits(4), SlabError::AlignmentMismatch).into();
        assert_eq!(converted, SlabError::AlignmentMismatch);
    }
}
