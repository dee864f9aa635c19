//! What the fuzz targets share: an uploaded file read as every kind of import, each row
//! checked as the import checks it. Nothing here may panic, whatever the bytes.

use lantoa_office::columns;
use lantoa_office::table::Table;

/// The day imports are checked against (birth dates, activity dates).
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default()
}

/// Reads `bytes` as the file `name` and as every kind of import, validating each row:
/// errors are expected, panics are bugs.
pub fn every_import(name: &str, bytes: &[u8]) {
    let Ok(table) = Table::read(name, bytes) else {
        return;
    };
    if let Ok(rows) = columns::people_rows(&table) {
        for row in rows {
            let _ = row.input.validate(today());
        }
    }
    if let Ok(rows) = columns::org_rows(&table) {
        for row in rows {
            let _ = row.input.org.validate();
        }
    }
    if let Ok(rows) = columns::attendance_rows(&table) {
        for row in rows {
            let _ = lantoa_domain::study::AttendanceStatus::parse(&row.input.status);
        }
    }
    let _ = columns::plan_rows(&table);
    if let Ok(rows) = columns::propaganda_rows(&table) {
        for row in rows {
            let _ = row.input.validate(today());
        }
    }
}
