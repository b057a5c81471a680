//! [`SieveConfig`]: the validated size, tick and seed of one sieve run, and [`parse_tick`].
//!
//! Owns input validation, so every front-end (Qt, terminal, examples) rejects the same bad values
//! with the same messages.

use std::time::Duration;

/// Grid rows and columns when none are given.
pub const DEFAULT_SIZE: u32 = 40;
/// The tick when none is given: 0.1 s, as in the PySide6 example.
pub const DEFAULT_TICK: Duration = Duration::from_millis(100);
/// The colour seed when none is given.
pub const DEFAULT_SEED: u64 = 42;
/// The most numbers (`rows × cols`) a run may have.
pub const MAX_NUMBERS: u64 = 10_000_000;
/// The shortest tick accepted.
pub const MIN_TICK: Duration = Duration::from_micros(1);
/// The longest tick accepted.
pub const MAX_TICK: Duration = Duration::from_secs(60);

/// Why a sieve configuration was rejected. Messages are meant for the person who typed the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Rows or columns were zero.
    #[error("{what} must be at least 1, got 0")]
    Empty {
        /// `"rows"` or `"cols"`.
        what: &'static str,
    },
    /// The grid has more numbers than [`MAX_NUMBERS`].
    #[error("a {rows}×{cols} grid has {numbers} numbers; at most {max} are supported", numbers = u64::from(*.rows) * u64::from(*.cols), max = MAX_NUMBERS)]
    TooLarge {
        /// Rows asked for.
        rows: u32,
        /// Columns asked for.
        cols: u32,
    },
    /// The tick is outside [`MIN_TICK`]..=[`MAX_TICK`].
    #[error("the tick must be between {min:?} and {max:?}, got {tick:?}", min = MIN_TICK, max = MAX_TICK)]
    TickOutOfRange {
        /// The tick asked for.
        tick: Duration,
    },
    /// The tick text is not a plain decimal number of seconds.
    #[error("{text:?} is not a tick in seconds (write it like 0.1 or 0.001)")]
    TickNotANumber {
        /// The text given.
        text: String,
    },
    /// The tick text has more than 9 decimals (finer than a nanosecond).
    #[error("{text:?} is finer than a nanosecond (at most 9 decimals)")]
    TickTooPrecise {
        /// The text given.
        text: String,
    },
}

/// What one sieve run is: a `rows × cols` grid of the numbers `1..=rows·cols`, a tick, a seed.
///
/// ```
/// use guestloop::sieve::{ConfigError, SieveConfig, parse_tick};
///
/// let config = SieveConfig::new(10, 10)?.with_tick(parse_tick("0.001")?)?.with_seed(7);
/// assert_eq!(config.numbers(), 100);
/// assert!(matches!(SieveConfig::new(0, 5), Err(ConfigError::Empty { what: "rows" })));
/// # Ok::<(), ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SieveConfig {
    rows: u32,
    cols: u32,
    tick: Duration,
    seed: u64,
}

impl Default for SieveConfig {
    /// 40 × 40, a tick of 0.1 s, seed [`DEFAULT_SEED`]: the PySide6 example.
    fn default() -> Self {
        SieveConfig {
            rows: DEFAULT_SIZE,
            cols: DEFAULT_SIZE,
            tick: DEFAULT_TICK,
            seed: DEFAULT_SEED,
        }
    }
}

impl SieveConfig {
    /// A `rows × cols` grid with the default tick and seed.
    ///
    /// # Errors
    /// [`ConfigError::Empty`] for a zero size, [`ConfigError::TooLarge`] past [`MAX_NUMBERS`].
    pub fn new(rows: u32, cols: u32) -> Result<SieveConfig, ConfigError> {
        if rows == 0 {
            return Err(ConfigError::Empty { what: "rows" });
        }
        if cols == 0 {
            return Err(ConfigError::Empty { what: "cols" });
        }
        if u64::from(rows) * u64::from(cols) > MAX_NUMBERS {
            return Err(ConfigError::TooLarge { rows, cols });
        }
        Ok(SieveConfig {
            rows,
            cols,
            ..SieveConfig::default()
        })
    }

    /// The same grid with another tick.
    ///
    /// # Errors
    /// [`ConfigError::TickOutOfRange`] outside [`MIN_TICK`]..=[`MAX_TICK`].
    pub fn with_tick(self, tick: Duration) -> Result<SieveConfig, ConfigError> {
        if !(MIN_TICK..=MAX_TICK).contains(&tick) {
            return Err(ConfigError::TickOutOfRange { tick });
        }
        Ok(SieveConfig { tick, ..self })
    }

    /// The same grid with another colour seed.
    pub fn with_seed(self, seed: u64) -> SieveConfig {
        SieveConfig { seed, ..self }
    }

    /// Grid rows.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Grid columns.
    pub fn cols(&self) -> u32 {
        self.cols
    }

    /// The time between two ticks.
    pub fn tick(&self) -> Duration {
        self.tick
    }

    /// The seed of the markers' colours.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many numbers the grid holds: `rows × cols`.
    pub fn numbers(&self) -> u32 {
        // Fits: `new` capped the product at MAX_NUMBERS.
        self.rows * self.cols
    }
}

/// Parses a tick given in seconds as plain decimal text (`"0.1"`, `"1"`, `"0.001"`), exactly:
/// no floating point is involved, so `"0.1"` is exactly 100 ms. Range checks are
/// [`SieveConfig::with_tick`]'s job.
///
/// ```
/// use guestloop::sieve::parse_tick;
/// use std::time::Duration;
///
/// assert_eq!(parse_tick("0.1"), Ok(Duration::from_millis(100)));
/// assert!(parse_tick("NaN").is_err());
/// assert!(parse_tick("-0.1").is_err());
/// ```
///
/// # Errors
/// [`ConfigError::TickNotANumber`] for anything but digits with at most one `.`;
/// [`ConfigError::TickTooPrecise`] for more than 9 decimals.
pub fn parse_tick(text: &str) -> Result<Duration, ConfigError> {
    let not_a_number = || ConfigError::TickNotANumber {
        text: text.to_owned(),
    };
    let trimmed = text.trim();
    let (whole, fraction) = trimmed.split_once('.').unwrap_or((trimmed, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return Err(not_a_number());
    }
    if fraction.len() > 9 {
        return Err(ConfigError::TickTooPrecise {
            text: text.to_owned(),
        });
    }
    // More than 20 digits of seconds overflows; such a tick is out of range anyway.
    let secs: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| ConfigError::TickOutOfRange {
            tick: Duration::MAX,
        })?
    };
    let nanos: u32 = format!("{fraction:0<9}")
        .parse()
        .map_err(|_| not_a_number())?;
    Ok(Duration::new(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_parse_exactly_and_bad_text_is_named() {
        assert_eq!(parse_tick("1"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_tick("0.001"), Ok(Duration::from_millis(1)));
        assert_eq!(parse_tick(".5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_tick("2."), Ok(Duration::from_secs(2)));
        assert_eq!(parse_tick("0.000000001"), Ok(Duration::from_nanos(1)));
        for bad in [
            "", ".", "abc", "nan", "inf", "-1", "+1", "1e-3", "0,1", "1.2.3",
        ] {
            assert_eq!(
                parse_tick(bad),
                Err(ConfigError::TickNotANumber {
                    text: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
        assert!(matches!(
            parse_tick("0.0000000001"),
            Err(ConfigError::TickTooPrecise { .. })
        ));
        assert!(matches!(
            parse_tick("99999999999999999999999"),
            Err(ConfigError::TickOutOfRange { .. })
        ));
    }

    #[test]
    fn sizes_and_ticks_are_range_checked_with_readable_messages() {
        assert_eq!(
            SieveConfig::new(3, 0).unwrap_err().to_string(),
            "cols must be at least 1, got 0"
        );
        assert_eq!(
            SieveConfig::new(5000, 5000).unwrap_err().to_string(),
            "a 5000×5000 grid has 25000000 numbers; at most 10000000 are supported"
        );
        let config = SieveConfig::new(1000, 1000).unwrap();
        assert_eq!(config.numbers(), 1_000_000);
        assert_eq!(
            config.with_tick(Duration::ZERO).unwrap_err().to_string(),
            "the tick must be between 1µs and 60s, got 0ns"
        );
        assert!(config.with_tick(Duration::from_secs(61)).is_err());
        assert!(config.with_tick(MIN_TICK).is_ok());
    }
}
