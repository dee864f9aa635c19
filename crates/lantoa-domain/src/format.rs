//! Numbers as Vietnamese readers write them: 16.700, 99,7% and 1,5 MB.

/// Formats an integer with dots between thousands: `16700` → `"16.700"`.
pub fn number(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// Formats `part / whole` as a percentage with one decimal and a decimal comma:
/// `percent(2909, 3044)` → `"95,6%"`. All and none read "100%" and "0%" as reports write
/// them; rounding never makes a shortfall read 100% nor a few read 0%. An empty whole
/// gives `"–"`.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "–".to_owned();
    }
    if part == whole {
        return "100%".to_owned();
    }
    if part == 0 {
        return "0%".to_owned();
    }
    let tenths = ((part as i128 * 1000 + whole as i128 / 2) / whole as i128).clamp(1, 999);
    format!("{},{}%", number((tenths / 10) as i64), (tenths % 10).abs())
}

/// A moment as "HH:MM ngày dd/mm/yyyy", in the server's local time.
pub fn moment(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format("%H:%M ngày %d/%m/%Y")
        .to_string()
}

/// A size in bytes as people read it: `"820 KB"`, `"1,5 MB"`, `"2,3 GB"`.
pub fn file_size(bytes: u64) -> String {
    let kb = bytes as f64 / 1024.0;
    if kb < 1024.0 {
        format!("{} KB", kb.ceil() as i64)
    } else if kb < 1024.0 * 1024.0 {
        format!("{:.1} MB", kb / 1024.0).replace('.', ",")
    } else {
        format!("{:.1} GB", kb / 1024.0 / 1024.0).replace('.', ",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_in_kilobytes_megabytes_and_gigabytes() {
        assert_eq!(file_size(0), "0 KB");
        assert_eq!(file_size(1), "1 KB");
        assert_eq!(file_size(1536 * 1024), "1,5 MB");
        assert_eq!(file_size(5 * 1024 * 1024 * 1024 / 2), "2,5 GB");
    }

    #[test]
    fn thousands_use_dots() {
        assert_eq!(number(0), "0");
        assert_eq!(number(999), "999");
        assert_eq!(number(16_700), "16.700");
        assert_eq!(number(5_600_000), "5.600.000");
        assert_eq!(number(-1234), "-1.234");
    }

    #[test]
    fn percent_uses_decimal_comma() {
        assert_eq!(percent(997, 1000), "99,7%");
        assert_eq!(percent(2909, 3044), "95,6%");
        assert_eq!(percent(1, 1), "100%");
        assert_eq!(percent(0, 5), "0%");
        assert_eq!(percent(9_999, 10_000), "99,9%");
        assert_eq!(percent(1, 10_000), "0,1%");
        assert_eq!(percent(1, 0), "–");
    }
}
