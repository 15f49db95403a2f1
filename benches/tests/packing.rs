//! The ideal allocator the report measures the adversarial packing against.

use tinyalloc_bench::heaps::{adversarial_ceiling, free_list_bookkeeping};

fn percent(share: f64) -> String {
    format!("{:.2}", share * 100.0)
}

#[test]
fn the_ceiling_without_bookkeeping_is_linked_list_allocators_figure() {
    // 8,192 blocks of 32 B, half kept; then 381 rounds of 33..1025 B (rounded to 8)
    // and one 33 B request fill the rest of 1 MiB: 901,487 live bytes.
    assert_eq!(percent(adversarial_ceiling(0)), "85.97");
    assert_eq!(
        adversarial_ceiling(0),
        901_487.0 / 1_048_576.0,
        "exactly the live bytes counted by hand"
    );
}

#[test]
fn bookkeeping_first_costs_the_last_small_request_then_a_large_one() {
    const ARENA: f64 = 1_048_576.0;
    // The last 33-byte request (a 40-byte block) leaves 8 bytes spare: 8 bytes of
    // bookkeeping cost nothing, 16 to 48 that request, 56 the last 1,025-byte one.
    assert_eq!(adversarial_ceiling(8), adversarial_ceiling(0));
    assert_eq!(adversarial_ceiling(16), (901_487.0 - 33.0) / ARENA);
    assert_eq!(adversarial_ceiling(48), (901_487.0 - 33.0) / ARENA);
    assert_eq!(
        adversarial_ceiling(56),
        (901_487.0 - 33.0 - 1_025.0) / ARENA
    );
    assert_eq!(percent(adversarial_ceiling(48)), "85.97");
    assert_eq!(percent(adversarial_ceiling(56)), "85.87");
    // Never better with more taken away.
    let mut last = adversarial_ceiling(0);
    for reserved in (0..20_000).step_by(8) {
        let now = adversarial_ceiling(reserved);
        assert!(now <= last, "{reserved} bytes reserved: {now} > {last}");
        last = now;
    }
}

#[test]
fn the_free_lists_bookkeeping_accounts_for_its_adversarial_figure() {
    let reserved = free_list_bookkeeping();
    // One bit per 16 bytes of 1 MiB (8 KiB) and the heads of its size classes.
    assert!((8_192..9_216).contains(&reserved), "{reserved}");
    assert_eq!(percent(adversarial_ceiling(reserved)), "85.10");
}
