//! Zero-sized alignment markers for the blocks of a pool: `Align1` … `Align4096`.

/// A block alignment: one of the zero-sized marker types [`Align1`] … [`Align4096`].
///
/// A pool stores its blocks behind a zero-length array of the marker, which gives the
/// storage the marker's alignment at no cost in bytes. The trait is sealed: the
/// markers below are all its implementations.
pub trait Alignment: Copy + Default + Send + Sync + 'static + sealed::Sealed {
    /// The alignment in bytes, a power of two.
    const ALIGN: usize;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! alignments {
    ($($name:ident = $bytes:literal),* $(,)?) => {$(
        #[doc = concat!("Blocks aligned to ", stringify!($bytes), " bytes.")]
        #[repr(align($bytes))]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl sealed::Sealed for $name {}

        impl Alignment for $name {
            const ALIGN: usize = $bytes;
        }

        impl AlignTo for Align<$bytes> {
            type Marker = $name;
        }
    )*};
}

/// Maps an alignment written as a number to its marker type:
/// `<Align<32> as AlignTo>::Marker` is [`Align32`]. It lets generated code and const
/// expressions name a marker by its value.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a pool alignment: use a power of two from 1 to 4096",
    label = "not a power of two from 1 to 4096"
)]
pub trait AlignTo {
    /// The marker type for this alignment.
    type Marker: Alignment;
}

/// An alignment written as a number; see [`AlignTo`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Align<const BYTES: usize>;

alignments! {
    Align1 = 1,
    Align2 = 2,
    Align4 = 4,
    Align8 = 8,
    Align16 = 16,
    Align32 = 32,
    Align64 = 64,
    Align128 = 128,
    Align256 = 256,
    Align512 = 512,
    Align1024 = 1024,
    Align2048 = 2048,
    Align4096 = 4096,
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, size_of};

    fn check<A: Alignment>() {
        assert_eq!(align_of::<A>(), A::ALIGN);
        assert_eq!(size_of::<A>(), 0);
    }

    #[test]
    fn markers_are_zero_sized_with_their_alignment() {
        check::<Align1>();
        check::<Align8>();
        check::<Align64>();
        check::<Align4096>();
        check::<<Align<32> as AlignTo>::Marker>();
        assert_eq!(<<Align<256> as AlignTo>::Marker as Alignment>::ALIGN, 256);
    }

    /// `Align<N>` is a value like the markers it selects: it compares and hashes.
    #[test]
    fn the_selector_compares_and_hashes_as_the_markers_do() {
        fn hashes<T: core::hash::Hash + Eq>(value: T) -> T {
            value
        }
        assert_eq!(hashes(Align::<32>), Align::<32>);
        assert_eq!(hashes(Align32), Align32);
    }

    #[test]
    fn every_marker_is_named_at_the_crate_root() {
        // Slab error messages suggest markers by name (`… (Align128)`); each one must
        // be reachable as `tinyalloc::AlignN`, as it is through the prelude.
        assert_eq!(crate::Align128::ALIGN, 128);
        assert_eq!(crate::Align256::ALIGN, 256);
        assert_eq!(crate::Align512::ALIGN, 512);
        assert_eq!(crate::Align1024::ALIGN, 1024);
        assert_eq!(crate::Align2048::ALIGN, 2048);
        assert_eq!(crate::Align4096::ALIGN, 4096);
    }
}
