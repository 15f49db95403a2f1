//! Size probe: one `SegregatedBumpAllocator` alloc + dealloc of 64 bytes (4 KiB arena).
#![no_std]
#![no_main]

tinyalloc_firmware::heap_probe!(SegregatedBumpAllocator);
