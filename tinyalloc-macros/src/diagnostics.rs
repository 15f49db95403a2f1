//! Pieces of error messages shared by the macros: the values to suggest instead of a
//! wrong one.

/// The multiples of `step` on either side of `value`; the lower one only when it is
/// not zero.
pub(crate) fn nearest_multiples(value: u128, step: u128) -> (Option<u128>, u128) {
    let below = value / step * step;
    let above = below + step;
    ((below != 0).then_some(below), above)
}

/// The powers of two on either side of `value` (which is not one itself), each only
/// when it lies in `1..=max`.
pub(crate) fn power_of_two_neighbours(value: u128, max: u128) -> (Option<u128>, Option<u128>) {
    if value == 0 {
        return (None, Some(1));
    }
    let above = value.checked_next_power_of_two();
    let below = above.map_or(1 << 127, |above| above / 2);
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
    fn multiples_around_a_value() {
        assert_eq!(nearest_multiples(1000, 32), (Some(992), 1024));
        assert_eq!(nearest_multiples(20, 32), (None, 32));
    }

    #[test]
    fn powers_of_two_around_a_value() {
        assert_eq!(power_of_two_neighbours(24, 4096), (Some(16), Some(32)));
        assert_eq!(power_of_two_neighbours(0, 4096), (None, Some(1)));
        assert_eq!(power_of_two_neighbours(3, 4096), (Some(2), Some(4)));
        assert_eq!(power_of_two_neighbours(5000, 4096), (Some(4096), None));
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
