// Attributes other than docs survive too.
#![deny(non_upper_case_globals, warnings)]

// Kept `allow`: without it the lower-case name would be an error.
#[tinyalloc::pool(size = 256, slots = 8)]
#[allow(non_upper_case_globals)]
static scratch: Pool;

// Kept `cfg`: without it this static would clash with the one below.
#[tinyalloc::pool(size = 256, slots = 8)]
#[cfg(any())]
static GONE: Pool;
static GONE: u8 = 7;

fn main() {
    assert!(scratch.alloc(b"ok").is_ok());
    assert_eq!(GONE, 7);
}
