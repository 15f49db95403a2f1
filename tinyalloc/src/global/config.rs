//! [`AllocatorConfig`]: the presets (and custom pools) the global instance starts from.

use crate::{ByteBufferError, Pool, SharedAllocator};

/// What the global instance is made of: one of the presets below, or (feature
/// `global-alloc-custom`) a pool of your own. Call [`init`](Self::init) once at
/// start-up.
///
/// Every preset has 32-byte blocks (28 bytes of data per buffer chunk). Each
/// preset's pool is a separate `static` reached only through its constant, so the
/// presets you do not name take no RAM.
///
/// ```
/// use tinyalloc::global::AllocatorConfig;
///
/// // Pick the preset in one place, at start-up.
/// const CONFIG: AllocatorConfig = AllocatorConfig::Slab2K64;
/// assert_eq!((CONFIG.block_size(), CONFIG.blocks()), (32, 64));
/// CONFIG.init().unwrap();
/// ```
#[derive(Clone, Copy)]
pub struct AllocatorConfig {
    block_size: usize,
    blocks: usize,
    source: Source,
}

#[derive(Clone, Copy)]
enum Source {
    /// A function that returns the preset's own static pool.
    Preset(fn() -> &'static dyn SharedAllocator),
    #[cfg(feature = "global-alloc-custom")]
    Custom(&'static dyn SharedAllocator),
}

macro_rules! presets {
    ($($(#[$doc:meta])* $name:ident = ($size:literal, $slots:literal);)*) => {
        #[allow(non_upper_case_globals)] // the names read as the seed document wrote them
        impl AllocatorConfig {$(
            $(#[$doc])*
            pub const $name: AllocatorConfig = AllocatorConfig {
                block_size: $size / $slots,
                blocks: $slots,
                source: Source::Preset({
                    fn pool() -> &'static dyn SharedAllocator {
                        static POOL: Pool<$size, $slots> = Pool::new();
                        &POOL
                    }
                    pool
                }),
            };
        )*}
    };
}

presets! {
    /// 256 bytes: 8 blocks of 32 bytes.
    Slab256b8 = (256, 8);
    /// 512 bytes: 16 blocks of 32 bytes.
    Slab512b16 = (512, 16);
    /// 1 KiB: 32 blocks of 32 bytes.
    Slab1K32 = (1024, 32);
    /// 2 KiB: 64 blocks of 32 bytes.
    Slab2K64 = (2048, 64);
    /// 4 KiB: 128 blocks of 32 bytes.
    Slab4K128 = (4096, 128);
}

impl AllocatorConfig {
    /// A configuration over your own pool, so presets and custom sizes go through
    /// the same `init` call. The sizes are the pool's.
    ///
    /// # Panics
    ///
    /// If `pool`'s lock gives up (a [`SharedAllocator`] of your own whose
    /// `with_allocator` returns without running its closure): make the configuration
    /// at start-up, while nothing else holds the lock, or call
    /// [`install`](super::install), which installs the pool even when its lock gives up. A
    /// [`Pool`](crate::Pool) never gives up, but panics when called inside a closure
    /// it is running (see its *Panics*): so does this, given that pool there.
    ///
    /// ```
    /// use tinyalloc::global::AllocatorConfig;
    ///
    /// #[tinyalloc::pool(size = 3072, slots = 48)]
    /// static POOL: Pool;
    ///
    /// let config = AllocatorConfig::custom(&POOL);
    /// assert_eq!((config.block_size(), config.blocks()), (64, 48));
    /// config.init().unwrap();
    /// ```
    #[cfg(feature = "global-alloc-custom")]
    #[must_use = "a configuration does nothing until `init` is called on it"]
    pub fn custom(pool: &'static dyn SharedAllocator) -> AllocatorConfig {
        let Some((block_size, blocks)) = pool.lock(|alloc| (alloc.block_size(), alloc.capacity()))
        else {
            busy_at_start_up()
        };
        AllocatorConfig {
            block_size,
            blocks,
            source: Source::Custom(pool),
        }
    }

    /// Makes this configuration the global instance.
    ///
    /// # Errors
    ///
    /// Nothing is installed, and an instance set already stays, on each of these:
    ///
    /// - [`ByteBufferError::AlreadyInitialized`]: a global instance is set already.
    /// - [`ByteBufferError::BlockTooSmall`]: only for a configuration made by
    #[cfg_attr(feature = "global-alloc-custom", doc = "  [`custom`](Self::custom),")]
    #[cfg_attr(not(feature = "global-alloc-custom"), doc = "  `custom`,")]
    ///   whose pool's blocks cannot hold a buffer chunk, as
    #[cfg_attr(feature = "global-alloc-custom", doc = "  [`install`](super::install)")]
    #[cfg_attr(not(feature = "global-alloc-custom"), doc = "  `install`")]
    ///   refuses it. A preset's 32-byte blocks always can.
    pub fn init(self) -> Result<(), ByteBufferError> {
        match self.source {
            Source::Preset(pool) => super::set(pool(), |_| Ok(())),
            // The sizes were read by `custom`: no lock needed here.
            #[cfg(feature = "global-alloc-custom")]
            Source::Custom(pool) => super::set(pool, |_| super::fits_a_chunk(self.block_size)),
        }
    }

    /// The size of each block, in bytes.
    pub const fn block_size(&self) -> usize {
        self.block_size
    }

    /// How many blocks the pool has.
    pub const fn blocks(&self) -> usize {
        self.blocks
    }
}

impl core::fmt::Debug for AllocatorConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AllocatorConfig")
            .field("block_size", &self.block_size)
            .field("blocks", &self.blocks)
            .finish()
    }
}

#[cfg(feature = "global-alloc-custom")]
#[cold]
#[inline(never)]
fn busy_at_start_up() -> ! {
    panic!(
        "tinyalloc: AllocatorConfig::custom could not read the pool's sizes: its lock is held elsewhere; make the configuration at start-up, before anything else takes that lock, or call tinyalloc::global::install(pool) instead, which needs no lock"
    )
}

#[cfg(all(test, feature = "global-alloc-custom"))]
mod tests {
    use super::*;
    use crate::Allocator;

    /// A `SharedAllocator` whose lock is always held elsewhere: it never runs `f`.
    struct AlwaysHeld;

    impl SharedAllocator for AlwaysHeld {
        fn with_allocator(&self, _: &mut dyn FnMut(&mut dyn Allocator)) {}
    }

    static HELD: AlwaysHeld = AlwaysHeld;

    #[test]
    #[should_panic(expected = "call tinyalloc::global::install(pool) instead")]
    fn custom_on_a_held_lock_says_what_to_do_instead() {
        let _ = AllocatorConfig::custom(&HELD);
    }
}
