//! The arithmetic of the primes demo: the base primes, and counting the primes of one segment
//! with a sieve of Eratosthenes over odd numbers, a bit each, a cache-sized window at a time.
//! Each window starts from a copy of a repeating pattern in which the multiples of the smallest
//! primes (3 to 17) are already crossed out: those primes would otherwise do a third of the work.
//!
//! Owns nothing but integers: no tasks, no threads, no time. A segment is counted on a worker
//! thread by one `unblock` job, which looks at its count's [`CancelToken`] once per window.

use crate::CancelToken;
use std::sync::OnceLock;

/// Odd numbers one window holds (a bit each: 32 KiB, a level-1 cache).
const WINDOW_ODDS: u64 = 32 * 1024 * 8;

/// The primes whose multiples the pattern crosses out.
const PRESIEVED: [u64; 6] = [3, 5, 7, 11, 13, 17];
/// The pattern's period, in odd numbers: 3 · 5 · 7 · 11 · 13 · 17.
const PERIOD: u64 = 255_255;

/// Bit `i` set iff the odd number `2i + 1` is a multiple of a presieved prime, for `i` up to a
/// period plus a window (so any window's bits are one contiguous run of it), plus a word.
fn pattern() -> &'static [u64] {
    static PATTERN: OnceLock<Vec<u64>> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let bits = PERIOD + WINDOW_ODDS + 64;
        let mut words = vec![0u64; bits.div_ceil(64) as usize];
        for p in PRESIEVED {
            // 2i + 1 ≡ 0 (mod p) at i = (p − 1)/2, then every p.
            let mut i = (p - 1) / 2;
            while i < bits {
                words[(i / 64) as usize] |= 1 << (i % 64);
                i += p;
            }
        }
        words
    })
}

/// Fills `window` with the pattern's bits from odd index `from` on.
fn fill_from_pattern(window: &mut [u64], from: u64) {
    let pattern = pattern();
    let offset = from % PERIOD;
    let (word, shift) = ((offset / 64) as usize, offset % 64);
    for (i, out) in window.iter_mut().enumerate() {
        let low = pattern[word + i] >> shift;
        let high = if shift == 0 {
            0
        } else {
            pattern[word + i + 1] << (64 - shift)
        };
        *out = low | high;
    }
}

/// The primes `p` with `p * p <= limit`: every prime a segment of `[2, limit]` is sieved with;
/// `None` if `stop` was set first (it is looked at before each prime's multiples are crossed).
pub(crate) fn base_primes(limit: u64, stop: &CancelToken) -> Option<Vec<u32>> {
    let root = isqrt(limit);
    let mut composite = vec![false; root as usize + 1];
    let mut primes = Vec::new();
    for n in 2..=root as usize {
        if !composite[n] {
            if stop.is_cancelled() {
                return None;
            }
            primes.push(n as u32);
            for multiple in (n * n..=root as usize).step_by(n) {
                composite[multiple] = true;
            }
        }
    }
    Some(primes)
}

/// ⌊√n⌋, exactly.
pub(crate) fn isqrt(n: u64) -> u64 {
    let mut root = (n as f64).sqrt() as u64;
    while root * root > n {
        root -= 1;
    }
    while (root + 1) * (root + 1) <= n {
        root += 1;
    }
    root
}

/// How many primes lie in `[low, high)`, given every prime up to √(high − 1) in `base`; `None`
/// if `stop` was set before the last window (a window is 2¹⁹ numbers, about a millisecond of
/// work in a debug build).
pub(crate) fn count_primes_in(
    low: u64,
    high: u64,
    base: &[u32],
    stop: &CancelToken,
) -> Option<u64> {
    if high <= low {
        return Some(0);
    }
    let mut count = u64::from(low <= 2 && 2 < high);
    // Odd numbers first_odd, first_odd + 2, …, below high; 1 is not prime.
    let first_odd = (low.max(3)) | 1;
    if first_odd >= high {
        return Some(count);
    }
    let odds = (high - first_odd).div_ceil(2);
    // The presieved primes themselves are crossed out in the pattern: count them back.
    count += PRESIEVED
        .iter()
        .filter(|&&p| first_odd <= p && p < high)
        .count() as u64;
    // For each other base prime, the index (in odds from first_odd) of its next multiple to mark.
    let mut next: Vec<(u64, u64)> = base
        .iter()
        .map(|&p| u64::from(p))
        .filter(|&p| p > PRESIEVED[PRESIEVED.len() - 1] && p * p < high)
        .map(|p| {
            let start = (p * p).max(first_odd.div_ceil(p) * p);
            let start = if start % 2 == 0 { start + p } else { start };
            (p, (start - first_odd) / 2)
        })
        .collect();
    let mut window = vec![0u64; (WINDOW_ODDS / 64) as usize];
    // The odd index (odd number 2i + 1) of first_odd: where the pattern starts.
    let first_index = (first_odd - 1) / 2;
    let mut window_start = 0;
    while window_start < odds {
        if stop.is_cancelled() {
            return None;
        }
        let window_len = WINDOW_ODDS.min(odds - window_start);
        fill_from_pattern(&mut window, first_index + window_start);
        let end = window_start + window_len;
        for (p, index) in &mut next {
            let mut i = *index;
            while i < end {
                let bit = i - window_start;
                window[(bit / 64) as usize] |= 1 << (bit % 64);
                i += *p;
            }
            *index = i;
        }
        let marked: u64 = window_words(&window, window_len)
            .map(|word| u64::from(word.count_ones()))
            .sum();
        count += window_len - marked;
        window_start = end;
    }
    Some(count)
}

/// The words of a window that hold its first `len` bits, the last one masked to them.
fn window_words(window: &[u64], len: u64) -> impl Iterator<Item = u64> + '_ {
    let full = (len / 64) as usize;
    let rest = len % 64;
    let last = (rest > 0).then(|| window[full] & ((1u64 << rest) - 1));
    window[..full].iter().copied().chain(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts by trial division: slow, obviously right.
    fn naive(low: u64, high: u64) -> u64 {
        (low..high)
            .filter(|&n| n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
            .count() as u64
    }

    /// Counts `[low, high)` with a token nobody sets.
    fn count(low: u64, high: u64, base: &[u32]) -> u64 {
        count_primes_in(low, high, base, &CancelToken::new()).expect("never cancelled")
    }

    #[test]
    fn a_set_token_stops_the_count_before_its_first_window() {
        let base = base_primes(1 << 24, &CancelToken::new()).unwrap();
        let stop = CancelToken::new();
        stop.cancel();
        assert_eq!(count_primes_in(2, 1 << 24, &base, &stop), None);
        assert_eq!(
            count_primes_in(0, 2, &base, &stop),
            Some(0),
            "no window: no check"
        );
        assert_eq!(base_primes(1 << 24, &stop), None, "nor the base primes");
    }

    #[test]
    fn square_roots_are_exact_at_the_edges() {
        for n in [
            0,
            1,
            2,
            3,
            4,
            15,
            16,
            17,
            99_999_999_999,
            100_000_000_000,
            u64::MAX / 4,
        ] {
            let root = isqrt(n);
            assert!(root * root <= n && (root + 1) * (root + 1) > n, "{n}");
        }
    }

    #[test]
    fn segments_count_what_trial_division_counts() {
        let base = base_primes(200_000, &CancelToken::new()).unwrap();
        for (low, high) in [
            (0, 1),
            (0, 3),
            (2, 3),
            (0, 100),
            (1, 2),
            (3, 4),
            (90, 97),
            (90, 98),
            (10_000, 10_100),
            (99_000, 101_000),
            (0, 200_000),
            (123_457, 123_458),
        ] {
            assert_eq!(count(low, high, &base), naive(low, high), "[{low}, {high})");
        }
    }

    #[test]
    fn windows_join_up_across_a_segment() {
        let base = base_primes(3_000_000, &CancelToken::new()).unwrap();
        let whole = count(0, 3_000_000, &base);
        let split: u64 = (0..3_000_000)
            .step_by(777_777)
            .map(|low| count(low, (low + 777_777).min(3_000_000), &base))
            .sum();
        assert_eq!(whole, 216_816); // π(3·10⁶), as tables give it
        assert_eq!(split, whole);
    }
}
