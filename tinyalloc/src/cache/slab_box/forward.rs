//! The traits a `SlabBox` forwards to its object, as `Box` does: deref, comparison,
//! hashing, borrowing and formatting.

use core::borrow::{Borrow, BorrowMut};
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Deref, DerefMut};
use core::pin::Pin;

use super::SlabBox;
use crate::cache::locks::Lock;

impl<T, L: Lock, const SLAB_SIZE: usize> Deref for SlabBox<T, L, SLAB_SIZE> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        // SAFETY: the object is live while the box is, and the box owns it.
        unsafe { self.object.as_ref() }
    }
}

impl<T, L: Lock, const SLAB_SIZE: usize> DerefMut for SlabBox<T, L, SLAB_SIZE> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes the access unique.
        unsafe { self.object.as_mut() }
    }
}

impl<T, L: Lock, const SLAB_SIZE: usize> AsRef<T> for SlabBox<T, L, SLAB_SIZE> {
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T, L: Lock, const SLAB_SIZE: usize> AsMut<T> for SlabBox<T, L, SLAB_SIZE> {
    fn as_mut(&mut self) -> &mut T {
        self
    }
}

impl<T: fmt::Debug, L: Lock, const SLAB_SIZE: usize> fmt::Debug for SlabBox<T, L, SLAB_SIZE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display, L: Lock, const SLAB_SIZE: usize> fmt::Display for SlabBox<T, L, SLAB_SIZE> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T, L: Lock, const SLAB_SIZE: usize> fmt::Pointer for SlabBox<T, L, SLAB_SIZE> {
    /// The object's address, as for `Box`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.object, f)
    }
}

#[cfg(feature = "defmt")]
impl<T: defmt::Format, L: Lock, const SLAB_SIZE: usize> defmt::Format for SlabBox<T, L, SLAB_SIZE> {
    fn format(&self, f: defmt::Formatter<'_>) {
        (**self).format(f);
    }
}

impl<T, L: Lock, const SLAB_SIZE: usize> Borrow<T> for SlabBox<T, L, SLAB_SIZE> {
    fn borrow(&self) -> &T {
        self
    }
}

impl<T, L: Lock, const SLAB_SIZE: usize> BorrowMut<T> for SlabBox<T, L, SLAB_SIZE> {
    fn borrow_mut(&mut self) -> &mut T {
        self
    }
}

impl<T: PartialEq, L: Lock, const SLAB_SIZE: usize> PartialEq for SlabBox<T, L, SLAB_SIZE> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq, L: Lock, const SLAB_SIZE: usize> Eq for SlabBox<T, L, SLAB_SIZE> {}

impl<T: PartialOrd, L: Lock, const SLAB_SIZE: usize> PartialOrd for SlabBox<T, L, SLAB_SIZE> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: Ord, L: Lock, const SLAB_SIZE: usize> Ord for SlabBox<T, L, SLAB_SIZE> {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: Hash, L: Lock, const SLAB_SIZE: usize> Hash for SlabBox<T, L, SLAB_SIZE> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

/// A box is a pointer: moving it never moves the object, whatever `T` is.
impl<T, L: Lock, const SLAB_SIZE: usize> Unpin for SlabBox<T, L, SLAB_SIZE> {}

impl<T, L: Lock, const SLAB_SIZE: usize> From<SlabBox<T, L, SLAB_SIZE>>
    for Pin<SlabBox<T, L, SLAB_SIZE>>
{
    fn from(boxed: SlabBox<T, L, SLAB_SIZE>) -> Self {
        SlabBox::into_pin(boxed)
    }
}
