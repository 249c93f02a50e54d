//! Durations as people write them in options, `migrator.toml` and
//! headers: `30s`, `500ms`, `2m`, `1h`. Pure, and a leaf: every layer
//! that reads a duration uses this one parser.

use std::time::Duration;

/// The longest duration [`parse_duration`] accepts: a century (36,525
/// days). Anything longer is a typo, not a wait anyone means, and would
/// overflow the clocks that measure it.
pub const MAX_DURATION: Duration = Duration::from_secs(36_525 * 24 * 3600);

/// Parses `30s`, `500ms`, `2m`, `1h`, or a bare number of seconds, up to
/// [`MAX_DURATION`]: the one parser of `--lock-timeout` and of
/// `lock_timeout` in `migrator.toml`. Every error says "is not a duration".
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: expected e.g. 30s, 500ms, 2m, 1h"))?;
    let seconds_per_unit = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1.0,
        "ms" => 0.001,
        "m" | "min" | "mins" => 60.0,
        "h" => 3600.0,
        other => {
            return Err(format!(
                "`{text}` is not a duration: `{other}` is not a unit of time; use ms, s, m or h"
            ));
        }
    };
    let seconds = value * seconds_per_unit;
    // Also keeps `Duration::from_secs_f64` from panicking on huge values.
    if seconds > MAX_DURATION.as_secs_f64() {
        return Err(format!(
            "`{text}` is not a duration to wait: it is longer than a century; \
             to wait for ever, leave the setting out"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let cases = [
            ("30s", 30_000),
            ("500ms", 500),
            ("2m", 120_000),
            ("1h", 3_600_000),
            ("5", 5_000),
            ("1.5s", 1_500),
        ];
        for (text, ms) in cases {
            assert_eq!(
                parse_duration(text).unwrap(),
                Duration::from_millis(ms),
                "{text}"
            );
        }
    }

    #[test]
    fn bad_and_overlong_durations_are_not_durations() {
        // (text, what the error says besides "is not a duration")
        let cases = [
            ("", "expected e.g. 30s"),
            ("s", "expected e.g. 30s"),
            ("-1s", "expected e.g. 30s"),
            ("1.2.3s", "expected e.g. 30s"),
            ("inf", "expected e.g. 30s"),
            ("NaN", "expected e.g. 30s"),
            ("1e3s", "`e3s` is not a unit of time"),
            ("10 years", "`years` is not a unit of time"),
            ("99999999999999999999s", "longer than a century"),
            ("99999999999999999999", "longer than a century"),
            (&"9".repeat(400), "longer than a century"),
            ("876601h", "longer than a century"),
            ("52596001m", "longer than a century"),
            ("3155760000.001s", "longer than a century"),
        ];
        for (text, fragment) in cases {
            let err = parse_duration(text).expect_err(text);
            assert!(err.contains("is not a duration"), "{text}: {err}");
            assert!(err.contains(fragment), "{text}: {err}");
        }
    }

    #[test]
    fn long_durations_up_to_a_century_are_fine() {
        let cases = [
            ("1000h", 3_600_000),
            ("876600h", 3_155_760_000),
            ("52596000m", 3_155_760_000),
            ("3155760000", 3_155_760_000),
            ("0s", 0),
            ("0.0001ms", 0),
        ];
        for (text, seconds) in cases {
            let got = parse_duration(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(got.as_secs(), seconds, "{text}");
        }
        assert_eq!(parse_duration("876600h").unwrap(), MAX_DURATION);
    }
}
