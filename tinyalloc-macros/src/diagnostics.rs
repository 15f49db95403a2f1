//! Pieces of error messages shared by the macros: the values to suggest instead of a
//! wrong one.

/// The block sizes nearest `block` that a slot can describe at alignment `align` (a
/// power of two), given the smallest and largest block: the largest not above `block`
/// and the smallest above it, each when there is one (at least one always is). The
/// runtime's `usable_blocks_around` computes the same, so a suggested size passes both
/// checks.
pub(crate) fn usable_blocks_around(
    block: u128,
    align: u128,
    (min_block, max_block): (u128, u128),
) -> (Option<u128>, Option<u128>) {
    let least = align.max(min_block);
    let most = max_block / align * align;
    let down = (block / align * align).min(most);
    let up = ((block / align).saturating_add(1).saturating_mul(align)).max(least);
    ((down >= least).then_some(down), (up <= most).then_some(up))
}

/// The powers of two on either side of `value` (which is not one itself), each only
/// when it lies in `1..=max` (`max`, a power of two, stands in for any larger one
/// below).
pub(crate) fn power_of_two_neighbours(value: u128, max: u128) -> (Option<u128>, Option<u128>) {
    if value == 0 {
        return (None, Some(1));
    }
    let above = value.checked_next_power_of_two();
    let below = above.map_or(1 << 127, |above| above / 2).min(max);
    (
        (below != 0 && below <= max && below < value).then_some(below),
        above.filter(|&above| above <= max),
    )
}

/// "`key = a` or `key = b`", "`key = b`", for the values that exist.
pub(crate) fn suggest(key: &str, values: &[Option<u128>]) -> String {
    let options: Vec<String> = values
        .iter()
        .flatten()
        .map(|value| format!("`{key} = {value}`"))
        .collect();
    options.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usable_blocks_around_a_value() {
        let limits = (2, 65_534);
        assert_eq!(usable_blocks_around(31, 1, limits), (Some(31), Some(32)));
        assert_eq!(usable_blocks_around(31, 8, limits), (Some(24), Some(32)));
        assert_eq!(usable_blocks_around(0, 1, limits), (None, Some(2)));
        assert_eq!(usable_blocks_around(1, 8, limits), (None, Some(8)));
        assert_eq!(
            usable_blocks_around(65_532, 8, limits),
            (Some(65_528), None)
        );
        assert_eq!(
            usable_blocks_around(70_000, 4096, limits),
            (Some(61_440), None)
        );
    }

    #[test]
    fn powers_of_two_around_a_value() {
        assert_eq!(power_of_two_neighbours(24, 4096), (Some(16), Some(32)));
        assert_eq!(power_of_two_neighbours(0, 4096), (None, Some(1)));
        assert_eq!(power_of_two_neighbours(3, 4096), (Some(2), Some(4)));
        assert_eq!(power_of_two_neighbours(5000, 4096), (Some(4096), None));
        assert_eq!(power_of_two_neighbours(10_000, 4096), (Some(4096), None));
    }

    #[test]
    fn suggestions_read_as_alternatives() {
        assert_eq!(
            suggest("size", &[Some(992), Some(1024)]),
            "`size = 992` or `size = 1024`"
        );
        assert_eq!(suggest("size", &[None, Some(32)]), "`size = 32`");
    }
}
