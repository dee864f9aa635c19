//! Files people attach (documents, minutes, photos): which kinds are accepted, told by their
//! content and not only their name, and how their names are kept.
//!
//! A file is accepted when its first bytes are those of its kind (a PDF starts with
//! "%PDF-", a DOCX or XLSX is a ZIP archive, JPEG and PNG have their signatures) and its
//! name ends with that kind's extension, so a renamed program is refused with a clear
//! message instead of being handed to other users.

/// Largest attachment accepted, in bytes (20 MB: a scanned document of a few dozen pages).
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// Kinds of attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Docx,
    Xlsx,
    Jpeg,
    Png,
}

impl FileKind {
    /// Every kind.
    pub const ALL: [FileKind; 5] = [
        FileKind::Pdf,
        FileKind::Docx,
        FileKind::Xlsx,
        FileKind::Jpeg,
        FileKind::Png,
    ];

    /// The media type sent with the file.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }

    /// Extensions the name may end with.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
        }
    }

    /// The kind a stored media type names.
    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.mime() == mime)
    }

    /// Whether a browser may show it in place (PDF and pictures) rather than download it.
    pub fn shows_inline(self) -> bool {
        matches!(self, FileKind::Pdf | FileKind::Jpeg | FileKind::Png)
    }

    fn starts(self, bytes: &[u8]) -> bool {
        match self {
            FileKind::Pdf => bytes.starts_with(b"%PDF-"),
            FileKind::Docx | FileKind::Xlsx => bytes.starts_with(b"PK\x03\x04"),
            FileKind::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            FileKind::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        }
    }

    /// Tells the kind of an uploaded file among `allowed` from its name and content, or
    /// says in Vietnamese why it is refused.
    pub fn detect(name: &str, bytes: &[u8], allowed: &[FileKind]) -> Result<FileKind, String> {
        let accepted = || {
            allowed
                .iter()
                .flat_map(|k| k.extensions().iter().take(1))
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if bytes.is_empty() {
            return Err("Tệp rỗng".into());
        }
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(format!(
                "Tệp lớn quá {} MB",
                MAX_ATTACHMENT_BYTES / 1024 / 1024
            ));
        }
        let extension = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default();
        let Some(kind) = allowed
            .iter()
            .copied()
            .find(|k| k.extensions().contains(&extension.as_str()))
        else {
            return Err(format!("Chỉ nhận tệp {}", accepted()));
        };
        if kind.starts(bytes) {
            Ok(kind)
        } else {
            Err(format!(
                "Tệp «{}» không phải tệp .{extension} thật (có thể đã bị đổi tên hoặc hỏng)",
                clean_name(name)
            ))
        }
    }
}

/// A file name as kept and offered back: the last part of the path a browser may send,
/// without control characters or quotes, at most 150 characters, never empty.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = crate::text::clean(last)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        return "tep".to_owned();
    }
    if cleaned.chars().count() <= 150 {
        return cleaned;
    }
    // Keep the extension when shortening.
    let (stem, ext) = cleaned.rsplit_once('.').unwrap_or((&cleaned, ""));
    let stem: String = stem.chars().take(140).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_by_content_and_name() {
        let docs = [FileKind::Pdf, FileKind::Docx];
        assert_eq!(
            FileKind::detect("KL01.PDF", b"%PDF-1.7 ...", &docs),
            Ok(FileKind::Pdf)
        );
        assert_eq!(
            FileKind::detect("kh46.docx", b"PK\x03\x04....", &docs),
            Ok(FileKind::Docx)
        );
        assert_eq!(
            FileKind::detect("virus.pdf", b"MZ\x90\x00", &docs).unwrap_err(),
            "Tệp «virus.pdf» không phải tệp .pdf thật (có thể đã bị đổi tên hoặc hỏng)"
        );
        assert_eq!(
            FileKind::detect("anh.png", b"\x89PNG\r\n\x1a\n", &docs).unwrap_err(),
            "Chỉ nhận tệp .pdf, .docx"
        );
        assert_eq!(
            FileKind::detect("a.pdf", b"", &docs).unwrap_err(),
            "Tệp rỗng"
        );
    }

    #[test]
    fn names_are_kept_safe() {
        assert_eq!(
            clean_name("C:\\Users\\a\\Kế hoạch 46.docx"),
            "Kế hoạch 46.docx"
        );
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("\"a\".pdf"), "a.pdf");
        assert_eq!(clean_name(""), "tep");
        let long = format!("{}.pdf", "x".repeat(300));
        assert_eq!(clean_name(&long).chars().count(), 144);
    }
}
