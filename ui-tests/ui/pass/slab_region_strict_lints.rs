// A crate with strict lints and no unsafe code, whose scope shadows what an expansion
// might name (no prelude; local `core`, `u8`, `Option`, `Sized`, `Debug`): the
// providers need no `unsafe` of the caller's and add no warning, public, private, in
// a module and with a trailing comma.
#![no_implicit_prelude]
#![deny(warnings, unsafe_code, missing_docs, unused_qualifications, unused_results)]
//! Slab regions under strict lints.

extern crate std;
extern crate tinyalloc;

#[allow(dead_code)]
mod core {}
#[allow(dead_code, non_camel_case_types)]
struct u8;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct Sized;
#[allow(dead_code)]
struct Debug;

tinyalloc::slab_region! {
    /// Two slabs of 1 KiB for the radio.
    pub RadioRam, slabs = 2, slab_size = 1024
}

mod sensors {
    ::tinyalloc::slab_region!(pub(crate) SensorRam, slabs = 1 + 2, slab_size = 512,);
}

tinyalloc::slab_region!(Unused, slabs = 1, slab_size = 64);

static PACKETS: tinyalloc::SlabCache<
    [::core::primitive::u8; 100],
    tinyalloc::cache::locks::CriticalSectionLock,
    1024,
    RadioRam,
> = tinyalloc::SlabCache::lazy();

fn main() {
    let packet = PACKETS.alloc([1; 100]).ok().unwrap();
    ::std::assert_eq!(packet[99], 1);
    ::std::assert_eq!(RadioRam::region().lent(), 1);
    let samples =
        tinyalloc::SlabCache::<u32, tinyalloc::cache::locks::SpinLock, 512, sensors::SensorRam>::new()
            .ok()
            .unwrap();
    let sample = samples.alloc(7).ok().unwrap();
    ::std::assert_eq!(*sample, 7);
    ::std::assert_eq!(sensors::SensorRam::region().capacity(), 3);
    ::std::assert_eq!(::std::format!("{:?}", RadioRam), "RadioRam");
}
