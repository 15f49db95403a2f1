//! Size probe: one `BumpFreeListAllocator` alloc + dealloc of 64 bytes (4 KiB arena).
#![no_std]
#![no_main]

tinyalloc_firmware::heap_probe!(BumpFreeListAllocator);
