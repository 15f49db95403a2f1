//! The configuration check: each mistake, its message and the sizes it suggests.

use super::*;

fn message(size: usize, slots: usize, align: usize) -> std::string::String {
    use std::string::ToString;
    check_config(size, slots, align)
        .unwrap_err()
        .message()
        .as_str()
        .to_string()
}

#[test]
fn config_check_names_every_mistake_and_the_fix() {
    assert!(check_config(1024, 32, 8).is_ok());
    assert_eq!(
        message(1024, 0, 8),
        "tinyalloc: SLOTS is 0; a pool needs at least one slot"
    );
    assert!(message(0, 32, 8).contains("SIZE is 0"));
    assert_eq!(
        message(1000, 32, 1),
        "tinyalloc: SIZE = 1000 is not a multiple of SLOTS = 32, so the blocks cannot all be \
         the same size; use SIZE = 992 (31-byte blocks) or SIZE = 1024 (32-byte blocks)"
    );
    assert_eq!(
        message(1000, 32, 8),
        "tinyalloc: SIZE = 1000 is not a multiple of SLOTS = 32, so the blocks cannot all be \
         the same size; blocks must also be a multiple of the 8-byte alignment, so use \
         SIZE = 768 (24-byte blocks) or SIZE = 1024 (32-byte blocks)"
    );
    assert!(message(20, 32, 1).ends_with("use SIZE = 64 (2-byte blocks)"));
    assert!(
        message(32, 32, 1)
            .contains("use SIZE = 64 (2-byte blocks) or a larger multiple of 32 for 32 slots")
    );
    assert!(
        message(32, 32, 8)
            .contains("use SIZE = 256 (8-byte blocks) or a larger multiple of 256 for 32 slots")
    );
    assert!(message(65_535 * 2, 2, 1).contains("blocks of 65535 bytes are above the 65534-byte"));
    assert!(message(65_536 * 2, 65_536, 2).contains("SLOTS = 65536 is more than the 65535"));
    assert_eq!(
        message(96, 8, 8),
        "tinyalloc: blocks of 12 bytes are not a multiple of the 8-byte alignment, so some \
         blocks would be misaligned; use 8-byte or 16-byte blocks, or an alignment of at most \
         4 (Align4)"
    );
    assert!(message(6, 2, 8).contains("use 8-byte blocks, or an alignment of at most 1 (Align1)"));
    assert!(message(65_532, 1, 8).contains("use 65528-byte blocks, or an alignment of at most 4"));
}

/// The sizes a configuration error suggests: each `SIZE = n` after its "use", and for
/// a misalignment each `n-byte` block size before "blocks, or", times `slots`.
fn suggested_sizes(text: &str, slots: usize) -> std::vec::Vec<usize> {
    let number = |word: &str| word.trim_end_matches("-byte").parse::<usize>().unwrap();
    let fixes = text.rsplit_once(" use ").unwrap().1;
    match fixes.split_once("blocks, or") {
        Some((blocks, _)) => blocks
            .split(' ')
            .filter(|word| word.ends_with("-byte"))
            .map(|word| number(word) * slots)
            .collect(),
        None => fixes
            .split("SIZE = ")
            .skip(1)
            .map(|rest| number(rest.split(' ').next().unwrap()))
            .collect(),
    }
}

#[test]
fn every_size_a_configuration_error_suggests_passes_the_check() {
    // Under Miri, which interprets every formatting step, every fourth alignment
    // (1, 16, 256, 4096): all thirteen took a minute and a half there.
    let (step, at_least) = if cfg!(miri) { (4, 150) } else { (1, 500) };
    let mut checked = 0;
    for slots in [1, 2, 3, 7, 32, 100, 4096, 65_535] {
        for shift in (0..=12).step_by(step) {
            let align = 1 << shift;
            for size in [
                1,
                20,
                31,
                32,
                96,
                1000,
                4097,
                65_532,
                65_535,
                200_001,
                1 << 20,
            ]
            .into_iter()
            .chain([
                slots,
                slots * 3,
                slots * 12,
                slots * 65_532,
                slots * 65_533 + 1,
            ]) {
                let Err(error) = check_config(size, slots, align) else {
                    continue;
                };
                let text = error.message();
                let text = text.as_str();
                assert!(text.len() < 320, "cut off: {text}");
                if !text.contains(" use SIZE") && !text.contains("-byte blocks, or") {
                    continue;
                }
                let sizes = suggested_sizes(text, slots);
                assert!(!sizes.is_empty(), "no size in: {text}");
                for suggested in sizes {
                    assert_eq!(
                        check_config(suggested, slots, align),
                        Ok(()),
                        "SIZE = {size}, SLOTS = {slots}, align {align}: {text}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > at_least, "only {checked} suggestions checked");
}
