//! The value parsers of the options that take numbers.
//!
//! clap's own parsers would read `-1` as an unknown flag, or print Rust's
//! "invalid digit found in string": these options accept a leading minus
//! sign (`allow_negative_numbers`) so that it is refused here, with the
//! reason, in the one-line form every bad input gets.

/// Why a number on the command line is refused, or the number.
fn whole_number(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let wanted = if min == 0 {
        "must be a non-negative integer".to_owned()
    } else if min == 1 {
        "must be a positive integer".to_owned()
    } else {
        format!("must be an integer of at least {min}")
    };
    let value: i128 = text.parse().map_err(|_| wanted.clone())?;
    if value < i128::from(min) {
        return Err(wanted);
    }
    if value > i128::from(max) {
        return Err(format!("must be at most {max}"));
    }
    u64::try_from(value).map_err(|_| wanted)
}

/// A seed.
pub(crate) fn whole_u64(text: &str) -> Result<u64, String> {
    whole_number(text, 0, u64::MAX)
}

/// A number of days.
pub(crate) fn whole_u32(text: &str) -> Result<u32, String> {
    whole_number(text, 0, u64::from(u32::MAX)).map(|n| n as u32)
}

/// A count that cannot be zero.
pub(crate) fn positive_u32(text: &str) -> Result<u32, String> {
    whole_number(text, 1, u64::from(u32::MAX)).map(|n| n as u32)
}

/// A number of seconds that cannot be zero.
pub(crate) fn positive_u64(text: &str) -> Result<u64, String> {
    whole_number(text, 1, u64::MAX)
}

/// A size or a count (the bench checks its own limits).
pub(crate) fn whole_usize(text: &str) -> Result<usize, String> {
    whole_number(text, 0, usize::MAX as u64).map(|n| n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minus_sign_is_refused_with_the_reason() {
        assert_eq!(whole_u64("-1"), Err("must be a non-negative integer".to_owned()));
        assert_eq!(positive_u32("0"), Err("must be a positive integer".to_owned()));
        assert_eq!(positive_u64("x"), Err("must be a positive integer".to_owned()));
        assert_eq!(
            whole_number("1", 2, 9),
            Err("must be an integer of at least 2".to_owned())
        );
    }

    #[test]
    fn a_number_above_the_type_is_refused_with_its_limit() {
        assert_eq!(whole_u32("4294967296"), Err("must be at most 4294967295".to_owned()));
        assert_eq!(whole_u32("4294967295"), Ok(u32::MAX));
        assert_eq!(whole_usize("0"), Ok(0));
        assert_eq!(whole_u64("18446744073709551615"), Ok(u64::MAX));
    }
}
