//! Reading a sheet (.xlsx, .xls, .ods) or a CSV file into rows of text cells.

use calamine::{Data, Reader};
use std::io::Cursor;

/// Why a file cannot be used at all (as opposed to bad rows inside it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The bytes are not a readable spreadsheet or CSV.
    #[error("không đọc được tệp: {0}")]
    Unreadable(String),
    /// The file has no sheet or no row.
    #[error("tệp không có dữ liệu")]
    Empty,
    /// No row looks like the header.
    #[error("không tìm thấy dòng tiêu đề (cần các cột: {0})")]
    NoHeader(String),
    /// Required columns are missing.
    #[error("thiếu cột bắt buộc: {0}")]
    MissingColumns(String),
}

/// A row's number in the file (from 1) and its cells as text.
pub type NumberedRow = (usize, Vec<String>);

/// The cells of a file as text, each row with its number in the file (from 1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Rows with their numbers; empty rows are left out.
    pub rows: Vec<NumberedRow>,
}

/// Which kind of file, from its name (or its first bytes when the name says nothing).
fn is_csv(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_lowercase();
    if lower.ends_with(".csv") || lower.ends_with(".txt") {
        return true;
    }
    if lower.ends_with(".xlsx")
        || lower.ends_with(".xls")
        || lower.ends_with(".ods")
        || lower.ends_with(".xlsm")
    {
        return false;
    }
    // ZIP (xlsx, ods) and OLE (xls) files start with magic numbers; text does not.
    !(bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]))
}

impl Table {
    /// Reads the first sheet of a workbook, or a CSV file (UTF-8 with or without BOM,
    /// separated by commas or semicolons).
    pub fn read(name: &str, bytes: &[u8]) -> Result<Self, FileError> {
        let table = if is_csv(name, bytes) {
            Self::read_csv(bytes)?
        } else {
            Self::read_workbook(bytes)?
        };
        if table.rows.is_empty() {
            return Err(FileError::Empty);
        }
        Ok(table)
    }

    fn read_csv(bytes: &[u8]) -> Result<Self, FileError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes)
            .map_err(|_| FileError::Unreadable("tệp CSV phải được lưu với mã UTF-8".to_owned()))?;
        let sample: Vec<&str> = text.lines().take(30).collect();
        let semicolons: usize = sample.iter().map(|l| l.matches(';').count()).sum();
        let commas: usize = sample.iter().map(|l| l.matches(',').count()).sum();
        let delimiter = if semicolons > commas { b';' } else { b',' };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(text.as_bytes());
        let mut rows = Vec::new();
        // Row numbers come from byte offsets (the reader's own line count skips blank
        // lines), counted incrementally so a large file stays linear.
        let (mut counted_to, mut line) = (0usize, 1usize);
        for record in reader.records() {
            let record = record.map_err(|e| FileError::Unreadable(e.to_string()))?;
            let mut offset = record
                .position()
                .map(|p| p.byte() as usize)
                .unwrap_or(0)
                .min(text.len());
            while matches!(text.as_bytes().get(offset), Some(b'\n' | b'\r')) {
                offset += 1;
            }
            line += text.as_bytes()[counted_to..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            counted_to = offset;
            let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
            if cells.iter().any(|c| !c.is_empty()) {
                rows.push((line, cells));
            }
        }
        Ok(Table { rows })
    }

    fn read_workbook(bytes: &[u8]) -> Result<Self, FileError> {
        let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| FileError::Unreadable(e.to_string()))?;
        let range = book
            .worksheet_range_at(0)
            .ok_or(FileError::Empty)?
            .map_err(|e| FileError::Unreadable(e.to_string()))?;
        let (first_row, _) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, row) in range.rows().enumerate() {
            let cells: Vec<String> = row.iter().map(cell_text).collect();
            if cells.iter().any(|c| !c.is_empty()) {
                rows.push((first_row as usize + i + 1, cells));
            }
        }
        Ok(Table { rows })
    }
}

/// A cell as the text a person sees: dates as dd/mm/yyyy, whole numbers without ".0".
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "có" } else { "không" }.to_owned(),
        Data::DateTime(dt) => lantoa_domain::dates::from_excel_serial(dt.as_f64())
            .map(lantoa_domain::dates::display)
            .unwrap_or_else(|_| dt.as_f64().to_string()),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons() {
        let bytes = "\u{feff}Họ và tên;Mã đơn vị\n\nAn;X1\n".as_bytes();
        let table = Table::read("a.csv", bytes).unwrap();
        assert_eq!(
            table.rows,
            vec![
                (1, vec!["Họ và tên".into(), "Mã đơn vị".into()]),
                (3, vec!["An".into(), "X1".into()])
            ]
        );
    }

    #[test]
    fn garbage_is_unreadable() {
        assert!(matches!(
            Table::read("a.xlsx", b"PK\x03\x04garbage"),
            Err(FileError::Unreadable(_))
        ));
        assert!(matches!(
            Table::read("a.csv", &[0xff, 0xfe, 0x00]),
            Err(FileError::Unreadable(_))
        ));
        assert_eq!(Table::read("a.csv", b"\n\n"), Err(FileError::Empty));
    }
}
