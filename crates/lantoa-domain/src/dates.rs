//! Dates as Vietnamese users write them (dd/mm/yyyy) and as files deliver them.
//!
//! Parsing never guesses: a day that does not exist (31/02/1980) is an error, and so is a
//! date after today for things that already happened (birth, joining the Party).

use chrono::{Datelike, NaiveDate};

/// Why a piece of text is not an acceptable date. `Display` is the Vietnamese message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The text is not in any accepted format.
    Format,
    /// The format is right but the day does not exist (31/02/1980).
    NoSuchDay,
    /// The date lies after today.
    Future,
    /// Implausibly old (before 1900).
    TooOld,
}

impl std::fmt::Display for DateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DateError::Format => "ngày không đúng định dạng (dd/mm/yyyy)",
            DateError::NoSuchDay => "ngày không tồn tại",
            DateError::Future => "ngày ở tương lai",
            DateError::TooOld => "ngày trước năm 1900",
        })
    }
}

/// Parses a date written as dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy or yyyy-mm-dd.
pub fn parse(text: &str) -> Result<NaiveDate, DateError> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateError::Format);
    }
    let (year, month, day) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 && parts[0].len() <= 2 && parts[1].len() <= 2 {
        (parts[2], parts[1], parts[0])
    } else {
        return Err(DateError::Format);
    };
    let (Ok(y), Ok(m), Ok(d)) = (
        year.parse::<i32>(),
        month.parse::<u32>(),
        day.parse::<u32>(),
    ) else {
        return Err(DateError::Format);
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(DateError::NoSuchDay);
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::NoSuchDay)
}

/// The date of an Excel serial day number (1900 date system, as spreadsheets store dates).
pub fn from_excel_serial(serial: f64) -> Result<NaiveDate, DateError> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return Err(DateError::Format);
    }
    // Day 0 is 30/12/1899 once Excel's fictitious 29/02/1900 is accounted for.
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or(DateError::Format)?;
    base.checked_add_days(chrono::Days::new(serial.floor() as u64))
        .ok_or(DateError::Format)
}

/// Checks that a date of something that already happened is plausible.
pub fn check_past(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, DateError> {
    if date > today {
        Err(DateError::Future)
    } else if date.year() < 1900 {
        Err(DateError::TooOld)
    } else {
        Ok(date)
    }
}

/// dd/mm/yyyy, as shown on pages and in files.
pub fn display(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// "ngày 13-8-2021", as Party documents cite dates.
pub fn in_document(date: NaiveDate) -> String {
    format!("ngày {}-{}-{}", date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn accepts_every_usual_format() {
        for text in [
            "13/08/2021",
            "13/8/2021",
            "13-08-2021",
            "2021-08-13",
            " 13.8.2021 ",
        ] {
            assert_eq!(parse(text), Ok(ymd(2021, 8, 13)), "{text}");
        }
    }

    #[test]
    fn refuses_days_that_do_not_exist() {
        assert_eq!(parse("31/02/1980"), Err(DateError::NoSuchDay));
        assert_eq!(parse("29/02/2023"), Err(DateError::NoSuchDay));
        assert_eq!(parse("29/02/2024"), Ok(ymd(2024, 2, 29)));
        assert_eq!(parse("13/13/2021"), Err(DateError::NoSuchDay));
    }

    #[test]
    fn refuses_garbage() {
        for text in ["", "abc", "1980", "13/08/21", "2021/8", "1/2/3/4"] {
            assert_eq!(parse(text), Err(DateError::Format), "{text}");
        }
    }

    #[test]
    fn excel_serials() {
        assert_eq!(from_excel_serial(44421.0), Ok(ymd(2021, 8, 13)));
        assert_eq!(from_excel_serial(29221.0), Ok(ymd(1980, 1, 1)));
        assert!(from_excel_serial(-3.0).is_err());
    }

    #[test]
    fn future_is_an_error() {
        let today = ymd(2026, 11, 27);
        assert_eq!(check_past(ymd(2026, 11, 28), today), Err(DateError::Future));
        assert_eq!(check_past(ymd(1899, 1, 1), today), Err(DateError::TooOld));
        assert!(check_past(today, today).is_ok());
    }

    #[test]
    fn displays() {
        assert_eq!(display(ymd(2021, 8, 3)), "03/08/2021");
        assert_eq!(in_document(ymd(2021, 8, 13)), "ngày 13-8-2021");
    }
}
