//! [`Counting`]: a global allocator that counts, for the benchmark and the tests that measure
//! memory.
//!
//! Owns the two counters and nothing else. A binary that measures memory declares
//! `#[global_allocator] static ALLOCATOR: Counting = Counting;`. It counts the bytes *requested*
//! (malloc's own overhead per block is not included).
#![allow(unsafe_code)] // a GlobalAlloc impl is unsafe by nature; every unsafe block says why it is sound

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting the bytes allocated now and their peak.
#[derive(Debug)]
pub struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn shrank(bytes: usize) {
    CURRENT.fetch_sub(bytes, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s
// guarantees are ours; the counters only observe sizes and never touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` (through us) with `layout`, as the caller promises.
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` and `layout` come from us (hence `System`) and `new_size` is valid, as the
        // caller promises.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        new
    }
}

/// Bytes allocated now (through [`Counting`], if it is the global allocator).
pub fn allocated() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

/// Runs `f`; returns its output and the peak heap growth above the level before it.
pub fn measure_peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = allocated();
    PEAK.store(base, Ordering::Relaxed);
    let output = f();
    (output, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}
