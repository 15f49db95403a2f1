// The expansion names nothing the caller's scope can change: no prelude, and local
// items called `core`, `tinyalloc`, `Pool`, `u64` and `usize` beside pools with and
// without a budget, a computed alignment, inside a module and inside a function.
#![no_implicit_prelude]
#![allow(dead_code, non_camel_case_types)]

extern crate std;
extern crate tinyalloc;

mod core {}
struct Pool;
struct u64;
struct usize;

#[tinyalloc::pool(size = 1024, slots = 32, budget = 2000)]
static POOL: Pool;

mod inner {
    mod tinyalloc {}

    const ALIGN: ::core::primitive::usize = 4 * 4;

    #[::tinyalloc::pool(size = 1024, slots = 32, align = ALIGN, budget = 1000 * 2)]
    pub(crate) static ALIGNED: Pool;
}

fn main() {
    #[tinyalloc::pool(size = 512, slots = 16, crate = ::tinyalloc)]
    static LOCAL: Pool;

    let handle = POOL.alloc(b"hygiene").unwrap();
    ::std::assert_eq!(POOL.read(handle, |bytes| bytes.len()), ::core::option::Option::Some(7));
    ::std::assert_eq!(inner::ALIGNED.block_size() + LOCAL.block_size(), 64);
}
