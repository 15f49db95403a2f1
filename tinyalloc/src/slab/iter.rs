//! Walking the live blocks of a [`TinySlabAllocator`]: [`iter`](TinySlabAllocator::iter)
//! and [`retain`](TinySlabAllocator::retain), O(slots handed out so far).

use core::fmt;
use core::iter::FusedIterator;

use super::TinySlabAllocator;
use super::slot::Slot;
use crate::align::Alignment;
use crate::handle::Handle;

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> TinySlabAllocator<SIZE, SLOTS, A> {
    /// Every live block, as its handle and its bytes, in slot order. It visits every
    /// slot handed out since the pool was made, live or not: O(the highest slot ever
    /// used), not O(live blocks).
    ///
    /// ```
    /// use tinyalloc::TinySlabAllocator;
    ///
    /// let mut sensors = TinySlabAllocator::<256, 8>::new();
    /// let a = sensors.alloc(b"temp").unwrap();
    /// let b = sensors.alloc(b"rh").unwrap();
    /// sensors.free(a);
    /// let live: Vec<_> = sensors.iter().collect();
    /// assert_eq!(live, [(b, &b"rh"[..])]);
    /// ```
    #[inline]
    pub fn iter(&self) -> Iter<'_, SIZE, SLOTS, A> {
        Iter {
            slab: self,
            number: 1,
        }
    }

    /// Frees every live block for which `keep` returns `false`; `keep` may change the
    /// bytes of those it keeps. Visits slots as [`iter`](Self::iter) does.
    ///
    /// ```
    /// use tinyalloc::TinySlabAllocator;
    ///
    /// let mut frames = TinySlabAllocator::<256, 8>::new();
    /// for frame in [&b"ok 1"[..], b"error", b"ok 2"] {
    ///     let _ = frames.alloc(frame).unwrap(); // `retain` finds them without their handles
    /// }
    /// frames.retain(|_, bytes| bytes.starts_with(b"ok"));
    /// assert_eq!(frames.len(), 2);
    /// ```
    pub fn retain(&mut self, mut keep: impl FnMut(Handle, &mut [u8]) -> bool) {
        for number in 1..=usize::from(self.fresh) {
            let Some((handle, len)) = self.live_at(number) else {
                continue;
            };
            // SAFETY: `live_at` found slot `number` live, holding `len` bytes.
            if !keep(handle, unsafe { self.block_mut(number, len) }) {
                self.free(handle);
            }
        }
    }

    /// The handle and length of the live block in slot `number`, if it holds one.
    #[inline]
    fn live_at(&self, number: usize) -> Option<(Handle, usize)> {
        if number == 0 || number > usize::from(self.fresh) {
            return None;
        }
        // SAFETY: `1 <= number <= fresh <= SLOTS`.
        let slot: &Slot = unsafe { self.slot(number) };
        // A live slot's handle has `number` as its low half, which is not zero.
        let handle = Handle::from_bits(slot.live_handle(number)?)?;
        Some((handle, slot.live_len(handle)?))
    }
}

/// The live blocks of a [`TinySlabAllocator`], as `(Handle, &[u8])`; see
/// [`TinySlabAllocator::iter`].
pub struct Iter<'a, const SIZE: usize, const SLOTS: usize, A: Alignment> {
    slab: &'a TinySlabAllocator<SIZE, SLOTS, A>,
    /// The next slot number to look at.
    number: usize,
}

impl<'a, const SIZE: usize, const SLOTS: usize, A: Alignment> Iterator
    for Iter<'a, SIZE, SLOTS, A>
{
    type Item = (Handle, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        while self.number <= usize::from(self.slab.fresh) {
            let number = self.number;
            self.number += 1;
            if let Some((handle, len)) = self.slab.live_at(number) {
                // SAFETY: `live_at` found slot `number` live, holding `len` bytes.
                return Some((handle, unsafe { self.slab.block(number, len) }));
            }
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (usize::from(self.slab.fresh) + 1).saturating_sub(self.number);
        (0, Some(left.min(usize::from(self.slab.in_use))))
    }
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> FusedIterator
    for Iter<'_, SIZE, SLOTS, A>
{
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> Clone for Iter<'_, SIZE, SLOTS, A> {
    fn clone(&self) -> Self {
        Iter {
            slab: self.slab,
            number: self.number,
        }
    }
}

impl<const SIZE: usize, const SLOTS: usize, A: Alignment> fmt::Debug for Iter<'_, SIZE, SLOTS, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("next_slot", &(self.number - 1))
            .finish_non_exhaustive()
    }
}

impl<'a, const SIZE: usize, const SLOTS: usize, A: Alignment> IntoIterator
    for &'a TinySlabAllocator<SIZE, SLOTS, A>
{
    type Item = (Handle, &'a [u8]);
    type IntoIter = Iter<'a, SIZE, SLOTS, A>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
