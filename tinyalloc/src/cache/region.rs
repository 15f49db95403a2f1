//! [`SlabRegion`]: slabs lent from a static region of their own, and
//! [`slab_region!`](crate::slab_region), which makes one a [`SlabProvider`] with no
//! `unsafe` in your code.
//!
//! [`SlabProvider`]: super::SlabProvider

use core::alloc::Layout;
use core::cell::{Cell, UnsafeCell};
use core::fmt;
use core::mem::{MaybeUninit, align_of, size_of};
use core::ptr::NonNull;

use critical_section::Mutex;

use super::error::{Result, SlabError};

/// A region of `SLABS` slabs, each the size of `S`, lent whole and one at a time:
/// the memory of a [`SlabProvider`](super::SlabProvider) for caches that must keep to
/// RAM of their own (a bank of their own, a fixed budget) rather than share the
/// program's heap.
///
/// Write it with [`slab_region!`](crate::slab_region), which declares the provider
/// type, the slab type and the `static` at once. `S` only gives the slab its size and
/// alignment, which must be equal (a slab is aligned to its size), as in
/// `#[repr(C, align(1024))] struct Slab([u8; 1024]);`: no `S` is ever made or dropped.
///
/// Each call is O(1) and runs in one critical section. Slabs never lent yet are taken
/// in address order; a slab given back holds the link to the one given back before
/// it, so the region keeps no memory beyond its slabs but three counters, and a
/// `static` region sits in `.bss`. Beside a cache, a provider declared with
/// `slab_region!` takes 268 bytes of `.text` on `thumbv7em-none-eabihf` more than
/// hooks that never take a slab back (`firmware/scripts/size-report.sh`, 2026-12-07).
pub struct SlabRegion<S, const SLABS: usize> {
    slabs: UnsafeCell<MaybeUninit<[S; SLABS]>>,
    cursor: Mutex<Cell<Cursor>>,
}

/// What the region has lent; all zeroes in a new one.
#[derive(Clone, Copy)]
struct Cursor {
    /// Slabs from this one on have never been lent.
    fresh: usize,
    /// The slab given back last, plus one; 0 when none waits. Each waiting slab's
    /// first word holds the next one the same way.
    returned: usize,
    /// Slabs lent now.
    lent: usize,
}

// SAFETY: the memory is reached only through pointers to whole slabs, each lent to
// one owner at a time (the cursor, behind a critical section, says which are lent),
// and through the links in slabs that are not lent, read and written only inside
// that critical section. No `S` is ever made, so `S` needs no bound.
unsafe impl<S, const SLABS: usize> Sync for SlabRegion<S, SLABS> {}

impl<S, const SLABS: usize> SlabRegion<S, SLABS> {
    /// The size of each slab, which is also its alignment.
    pub const SLAB_SIZE: usize = size_of::<S>();

    /// What is wrong with this region's parameters, if anything.
    const MISTAKE: Option<&'static str> = if size_of::<S>() != align_of::<S>() {
        Some(
            "tinyalloc: a SlabRegion's slabs must be aligned to their own size, a power of two: \
             give slab_region! a slab_size such as 1024, or write your slab type as \
             #[repr(C, align(N))] struct Slab([u8; N]) with one N",
        )
    } else if size_of::<S>() < size_of::<usize>() {
        Some("tinyalloc: a SlabRegion's slabs must each hold a pointer; use larger slabs")
    } else if SLABS == 0 {
        Some("tinyalloc: a SlabRegion needs at least one slab; give it slabs = 1 or more")
    } else {
        None
    };

    /// A region whose slabs are all free. Fails to compile for a slab type whose size
    /// is not its alignment, one too small to hold a pointer, or no slabs (in a
    /// `static`, at the `static`'s line).
    pub const fn new() -> Self {
        // In a `static`, the panic is reported where the `static` is written; a region
        // made at run time meets the same message in `checked`'s const block.
        if let Some(mistake) = Self::MISTAKE {
            panic!("{}", mistake);
        }
        Self::checked()
    }

    /// A region whose parameters passed [`MISTAKE`](Self::MISTAKE).
    const fn checked() -> Self {
        const {
            if let Some(mistake) = Self::MISTAKE {
                panic!("{}", mistake);
            }
        }
        SlabRegion {
            slabs: UnsafeCell::new(MaybeUninit::uninit()),
            cursor: Mutex::new(Cell::new(Cursor {
                fresh: 0,
                returned: 0,
                lent: 0,
            })),
        }
    }

    /// The start of slab `index` (a slab of the region for `index < SLABS`).
    #[inline]
    fn slab(&self, index: usize) -> *mut u8 {
        self.slabs
            .get()
            .cast::<S>()
            .wrapping_add(index)
            .cast::<u8>()
    }

    /// Lends a slab that holds `layout`: `None` when the layout is larger or more
    /// aligned than a slab, or every slab is lent.
    ///
    /// The slab is the caller's until it comes back through [`free`](Self::free), and
    /// valid while the region stays where it is: keep a region that lends to a cache
    /// in a `static`, as `slab_region!` does.
    #[must_use = "the slab stays lent until it is given back with `free`"]
    pub fn alloc(&self, layout: Layout) -> Option<NonNull<u8>> {
        if layout.size() > Self::SLAB_SIZE || layout.align() > Self::SLAB_SIZE {
            return None;
        }
        critical_section::with(|cs| {
            let cell = self.cursor.borrow(cs);
            let mut cursor = cell.get();
            let index = if cursor.returned != 0 {
                let index = cursor.returned - 1;
                // SAFETY: a slab on the list of returned ones (`index < SLABS`) is the
                // region's, and `free` wrote its link when it came back; a slab is
                // aligned to its size, at least a `usize`'s (`MISTAKE`).
                let next = unsafe { self.slab(index).cast::<usize>().read() };
                // A link that a stray write through a stale pointer changed to no slab
                // ends the list (its slabs are lost) rather than lend memory that is
                // not a slab.
                cursor.returned = if next <= SLABS { next } else { 0 };
                index
            } else if cursor.fresh < SLABS {
                cursor.fresh += 1;
                cursor.fresh - 1
            } else {
                return None;
            };
            cursor.lent += 1;
            cell.set(cursor);
            // `index < SLABS`: it was below `fresh` or came off the list, whose links
            // are kept in range.
            NonNull::new(self.slab(index))
        })
    }

    /// Takes back a slab [`alloc`](Self::alloc) lent.
    ///
    /// # Errors
    ///
    /// [`SlabError::InvalidPointer`], and nothing changes, when `ptr` is not the start
    /// of a slab of this region that was ever lent (an address between slabs, past
    /// the slabs lent so far or outside the region), or when no slab is lent now. A
    /// slab given back already is not caught while another is lent: the contract
    /// below rules that out.
    ///
    /// # Safety
    /// If `ptr` is the start of a slab of this region, that slab is lent and the
    /// caller does not use it after this call (a slab given back twice would be lent
    /// twice).
    pub unsafe fn free(&self, ptr: NonNull<u8>, _layout: Layout) -> Result<()> {
        let offset = (ptr.as_ptr() as usize).wrapping_sub(self.slabs.get() as usize);
        let index = offset / Self::SLAB_SIZE;
        if !offset.is_multiple_of(Self::SLAB_SIZE) {
            return Err(SlabError::InvalidPointer);
        }
        critical_section::with(|cs| {
            let cell = self.cursor.borrow(cs);
            let mut cursor = cell.get();
            // Slabs from `fresh` on have never been lent (and `fresh <= SLABS`).
            if index >= cursor.fresh || cursor.lent == 0 {
                return Err(SlabError::InvalidPointer);
            }
            // SAFETY: `index < fresh <= SLABS`, a slab aligned for a `usize` as
            // above; it is lent and its borrower is done with it (the caller's
            // contract), so it is the region's again.
            unsafe { self.slab(index).cast::<usize>().write(cursor.returned) };
            cursor.returned = index + 1;
            cursor.lent -= 1;
            cell.set(cursor);
            Ok(())
        })
    }

    /// How many slabs are lent now.
    pub fn lent(&self) -> usize {
        critical_section::with(|cs| self.cursor.borrow(cs).get().lent)
    }

    /// How many slabs the region has: `SLABS`.
    pub const fn capacity(&self) -> usize {
        SLABS
    }

    /// The size of each slab, which is also its alignment.
    pub const fn slab_size(&self) -> usize {
        Self::SLAB_SIZE
    }
}

impl<S, const SLABS: usize> Default for SlabRegion<S, SLABS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S, const SLABS: usize> fmt::Debug for SlabRegion<S, SLABS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlabRegion")
            .field("slab_size", &Self::SLAB_SIZE)
            .field("capacity", &SLABS)
            .field("lent", &self.lent())
            .finish()
    }
}

/// Declares a [`SlabProvider`](crate::cache::SlabProvider) that lends the slabs of a
/// static region of its own, with no `unsafe` in your code: a unit struct to name as a
/// cache's provider, and behind it a [`SlabRegion`] in a `static`.
///
/// `slabs` is how many, `slab_size` the size of each, in bytes: a power of two from a
/// pointer's size (4 on a Cortex-M, 8 on a 64-bit host) to 2^29, a literal or a
/// constant, and the `SLAB_SIZE` of the caches that use it (a cache asks for
/// `SLAB_SIZE` bytes aligned to `SLAB_SIZE`; a cache of another `SLAB_SIZE` over the
/// region fails to compile, as smaller slabs would be refused and larger ones half
/// used). `Name::region()` is the [`SlabRegion`], for its count of slabs lent.
///
/// ```
/// use tinyalloc::prelude::*;
///
/// tinyalloc::slab_region! {
///     /// Four 1 KiB slabs for the radio's packets, and no more.
///     pub RadioRam, slabs = 4, slab_size = 1024
/// }
///
/// static PACKETS: SlabCache<[u8; 200], CriticalSectionLock, 1024, RadioRam> = SlabCache::lazy();
///
/// let first = PACKETS.alloc([7; 200])?;
/// assert_eq!(first[0], 7);
/// assert_eq!(RadioRam::region().lent(), 1);
/// // The cache grows slab by slab until the region is spent.
/// let capacity = PACKETS.stats().capacity;
/// let mut rest = Vec::new();
/// while let Ok(packet) = PACKETS.alloc([0; 200]) {
///     rest.push(packet);
/// }
/// assert_eq!(RadioRam::region().lent(), 4);
/// assert!(PACKETS.stats().capacity > capacity);
/// drop(rest);
/// # Ok::<(), tinyalloc::Rejected<[u8; 200]>>(())
/// ```
#[macro_export]
macro_rules! slab_region {
    (
        $(#[$meta:meta])*
        $vis:vis $name:ident, slabs = $slabs:expr, slab_size = $slab_size:expr $(,)?
    ) => {
        $(#[$meta])*
        #[derive(
            ::core::fmt::Debug,
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::default::Default,
        )]
        $vis struct $name;

        const _: () = {
            /// One slab of the region: its size and its alignment.
            type Slab = $crate::__private::Slab<{ $slab_size }>;

            static REGION: $crate::cache::SlabRegion<Slab, { $slabs }> =
                $crate::cache::SlabRegion::new();

            impl $name {
                /// The region this provider lends slabs from.
                #[allow(dead_code)]
                $vis fn region(
                ) -> &'static $crate::cache::SlabRegion<impl ::core::marker::Sized, { $slabs }> {
                    &REGION
                }
            }

            // SAFETY: `REGION` lends each slab to one caller at a time, whole, valid
            // for reads and writes and never moved (it is part of a `static` that
            // nothing else reaches), from a critical section that makes both calls
            // safe at once from any thread or interrupt handler; `free` takes back
            // every slab `alloc` lent.
            unsafe impl $crate::cache::SlabProvider for $name {
                const SLAB_SIZE: ::core::option::Option<::core::primitive::usize> =
                    ::core::option::Option::Some($slab_size);

                #[inline]
                unsafe fn alloc(
                    layout: ::core::alloc::Layout,
                ) -> ::core::option::Option<::core::ptr::NonNull<::core::primitive::u8>> {
                    REGION.alloc(layout)
                }

                #[inline]
                unsafe fn free(
                    ptr: ::core::ptr::NonNull<::core::primitive::u8>,
                    layout: ::core::alloc::Layout,
                ) -> $crate::Result<()> {
                    // SAFETY: `SlabProvider::free`'s contract: `ptr` came from
                    // `alloc`, which only `REGION` answers, and is not used again.
                    unsafe { REGION.free(ptr, layout) }
                }
            }
        };
    };
    // The two keys the other way round: the same region.
    (
        $(#[$meta:meta])*
        $vis:vis $name:ident, slab_size = $slab_size:expr, slabs = $slabs:expr $(,)?
    ) => {
        $crate::slab_region! {
            $(#[$meta])*
            $vis $name, slabs = $slabs, slab_size = $slab_size
        }
    };
    // Anything else (a key misspelt or missing, no name): what to write, instead of
    // the patterns above.
    ($($anything:tt)*) => {
        ::core::compile_error!(
            "tinyalloc: slab_region! is written `slab_region!(Name, slabs = 4, \
             slab_size = 1024);`: a name for the provider, then how many slabs and the \
             bytes of each (a power of two, the SLAB_SIZE of the caches over it)"
        );
    };
}

#[cfg(test)]
mod tests;
