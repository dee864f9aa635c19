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

    /// The first sheet of a workbook. Excel files (.xlsx, .xlsb) are read cell by cell and
    /// kept sparse: a file with one value in A1 and one in XFD1048576 is two cells here,
    /// where a dense range would ask for 17 billion and stop the server. A parser that
    /// panics on a malformed file (calamine overflows on an over-long cell reference) gives
    /// an unreadable file, not a failed request.
    fn read_workbook(bytes: &[u8]) -> Result<Self, FileError> {
        std::panic::catch_unwind(|| Self::read_first_sheet(bytes)).unwrap_or_else(|_| {
            Err(FileError::Unreadable(
                "tệp bảng tính bị hỏng hoặc không đúng định dạng".into(),
            ))
        })
    }

    fn read_first_sheet(bytes: &[u8]) -> Result<Self, FileError> {
        let unreadable = |e: &dyn std::fmt::Display| FileError::Unreadable(e.to_string());
        let mut book =
            calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
        let first = book
            .sheet_names()
            .first()
            .cloned()
            .ok_or(FileError::Empty)?;
        match &mut book {
            calamine::Sheets::Xlsx(xlsx) => {
                let mut reader = xlsx.worksheet_cells_reader(&first);
                let reader = reader.as_mut().map_err(|e| unreadable(e))?;
                Self::from_cells(each_cell(|| reader.next_cell()))
            }
            calamine::Sheets::Xlsb(xlsb) => {
                let mut reader = xlsb.worksheet_cells_reader(&first);
                let reader = reader.as_mut().map_err(|e| unreadable(e))?;
                Self::from_cells(each_cell(|| reader.next_cell()))
            }
            // .xls holds at most 65 536 rows of 256 columns; calamine caps .ods itself.
            _ => {
                let range = book.worksheet_range(&first).map_err(|e| unreadable(&e))?;
                let (first_row, first_column) = range.start().unwrap_or((0, 0));
                Self::from_cells(range.used_cells().map(|(row, column, value)| {
                    let position = (first_row + row as u32, first_column + column as u32);
                    Ok((position, value.clone()))
                }))
            }
        }
    }

    /// Rows from a sheet's cells in any order, each row as wide as its last value from
    /// the sheet's first column holding one; a value further right than
    /// [`MAX_COLUMNS`] columns past it makes the file unusable.
    fn from_cells(
        cells: impl Iterator<Item = Result<((u32, u32), Data), FileError>>,
    ) -> Result<Self, FileError> {
        let mut values: std::collections::BTreeMap<u32, Vec<(u32, String)>> = Default::default();
        for cell in cells {
            let ((row, column), value) = cell?;
            let text = cell_text(&value);
            if !text.is_empty() {
                values.entry(row).or_default().push((column, text));
            }
        }
        let first_column = values
            .values()
            .flatten()
            .map(|(c, _)| *c)
            .min()
            .unwrap_or(0);
        let mut rows = Vec::with_capacity(values.len());
        for (row, cells) in values {
            let width = cells
                .iter()
                .map(|(c, _)| u64::from(c - first_column) + 1)
                .max()
                .unwrap_or(0);
            if width > u64::from(MAX_COLUMNS) {
                return Err(FileError::Unreadable(format!(
                    "dòng {} có ô ở cột thứ {width}, quá xa bên phải (tối đa {MAX_COLUMNS} cột): hãy xoá các cột thừa",
                    row as usize + 1
                )));
            }
            let mut texts = vec![String::new(); width as usize];
            for (column, text) in cells {
                texts[(column - first_column) as usize] = text;
            }
            rows.push((row as usize + 1, texts));
        }
        Ok(Table { rows })
    }
}

/// The cells a calamine cell reader gives one by one (`next` is its `next_cell`), with
/// their positions, until it has no more.
fn each_cell<'a, E: std::fmt::Display>(
    mut next: impl FnMut() -> Result<Option<calamine::Cell<calamine::DataRef<'a>>>, E>,
) -> impl Iterator<Item = Result<((u32, u32), Data), FileError>> {
    std::iter::from_fn(move || match next() {
        Ok(Some(cell)) => Some(Ok((cell.get_position(), cell.get_value().clone().into()))),
        Ok(None) => None,
        Err(e) => Some(Err(FileError::Unreadable(e.to_string()))),
    })
}

/// The widest row a workbook may have, from its first used column: far more than any
/// import's columns, and a bound on what a crafted file can make us hold.
const MAX_COLUMNS: u32 = 1_000;

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

    /// A workbook of one sheet whose `<sheetData>` is `cells`.
    fn workbook(cells: &str) -> Vec<u8> {
        use std::io::Write;
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned(),
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Trang1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_owned(),
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_owned(),
            ),
            (
                "xl/worksheets/sheet1.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{cells}</sheetData></worksheet>"#
                ),
            ),
        ];
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    /// A text cell at `reference`.
    fn text_cell(reference: &str, text: &str) -> String {
        format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn a_sheet_is_read_sparse_from_its_first_used_column() {
        let cells = format!(
            "<row r=\"2\">{}{}</row><row r=\"5\">{}</row>",
            text_cell("B2", "Họ và tên"),
            text_cell("C2", "Mã đơn vị"),
            text_cell("D5", "X1")
        );
        let table = Table::read("a.xlsx", &workbook(&cells)).unwrap();
        assert_eq!(
            table.rows,
            vec![
                (2, vec!["Họ và tên".into(), "Mã đơn vị".into()]),
                (5, vec![String::new(), String::new(), "X1".into()])
            ]
        );
    }

    #[test]
    fn a_value_in_the_sheets_far_corner_is_refused_without_filling_the_sheet() {
        // Dense, A1 to XFD1048576 would be 17 billion cells: the server would stop.
        let cells = format!(
            "<row r=\"1\">{}</row><row r=\"1048576\">{}</row>",
            text_cell("A1", "Họ và tên"),
            text_cell("XFD1048576", "x")
        );
        match Table::read("a.xlsx", &workbook(&cells)) {
            Err(FileError::Unreadable(why)) => {
                assert!(
                    why.contains("dòng 1048576") && why.contains("cột thứ 16384"),
                    "{why}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_the_parser_panics_on_is_unreadable() {
        // Found by the import_workbook fuzz target: a cell reference whose column
        // overflows calamine's arithmetic.
        let bytes = include_bytes!("testdata/overflowing-cell-reference.xlsx");
        assert!(matches!(
            Table::read("a.xlsx", bytes),
            Err(FileError::Unreadable(_))
        ));
        let cells = format!("<row r=\"1\">{}</row>", text_cell("ZZZZZZZZZZ1", "x"));
        assert!(matches!(
            Table::read("a.xlsx", &workbook(&cells)),
            Err(FileError::Unreadable(_))
        ));
    }
}
