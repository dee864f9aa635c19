//! What an import of rows is made of and reports, shared by the file readers
//! (`lantoa-office`) and the store that applies the rows.

use crate::org::OrgInput;

/// How an import treats invalid rows and whether it writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportOptions {
    /// Validate only; write nothing.
    pub dry_run: bool,
    /// Write the valid rows even when some are invalid.
    pub skip_invalid: bool,
}

/// A row that was not imported, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectedRow {
    /// Row number in the file (1 = first line of the sheet).
    pub row: usize,
    /// Every reason, joined with "; ".
    pub reasons: String,
}

/// What an import did (or, for a dry run or a refused import, would have done).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportReport {
    /// Data rows read.
    pub read: usize,
    /// Records created.
    pub created: usize,
    /// Records updated.
    pub updated: usize,
    /// Rows identical to the stored record.
    pub unchanged: usize,
    /// Rows refused.
    pub rejected: Vec<RejectedRow>,
    /// Whether anything was written.
    pub written: bool,
}

/// A data row of a file: its number in the sheet and its cells.
#[derive(Debug, Clone)]
pub struct Row<T> {
    /// Row number in the file.
    pub number: usize,
    /// The cells, by field.
    pub input: T,
}

/// A unit row: the unit and its parent's code (empty for a root).
#[derive(Debug, Clone, Default)]
pub struct OrgRowInput {
    /// The unit's fields.
    pub org: OrgInput,
    /// Code of the parent unit.
    pub parent_code: String,
}
