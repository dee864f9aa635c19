//! Files people exchange with Lan Tỏa: spreadsheets and CSV in, XLSX and CSV out, and
//! documents in the Party's layout (DOCX), and uploaded pictures written anew.
//!
//! Pure functions from bytes to rows and from rows to bytes: reading finds the header row
//! wherever it is, matches headers without case or diacritics (with the synonyms people
//! write), and keeps every row's number in the file so errors can point at it.

pub mod chart_png;
pub mod columns;
pub mod export;
pub mod party_doc;
pub mod photo;
pub mod report_book;
pub mod table;

pub use columns::{org_rows, people_rows};
pub use table::{FileError, Table};
