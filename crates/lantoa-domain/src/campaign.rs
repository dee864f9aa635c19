//! The campaign's guiding documents (văn bản chỉ đạo): their kinds, how their number and
//! symbol read ("Số 46-KH/TU": sequence, type code, issuing body), and the checks a
//! document passes before it is stored.
//!
//! A document's symbol names its type: "01-KL/TW" is a kết luận, "46-KH/TU" a kế hoạch.
//! When the user picks no kind, the symbol's code gives it; when the picked kind
//! contradicts the code, the form says so rather than storing a mislabelled document.

use crate::closed_list;
use crate::validation::FieldErrors;
use chrono::NaiveDate;

closed_list!(
    /// Kinds of guiding documents.
    DocumentKind {
        Conclusion = ("ket_luan", "Kết luận"),
        Directive = ("chi_thi", "Chỉ thị"),
        Resolution = ("nghi_quyet", "Nghị quyết"),
        Plan = ("ke_hoach", "Kế hoạch"),
        Guidance = ("huong_dan", "Hướng dẫn"),
        Regulation = ("quy_dinh", "Quy định"),
        Decision = ("quyet_dinh", "Quyết định"),
        Notice = ("thong_bao", "Thông báo"),
        Report = ("bao_cao", "Báo cáo"),
        Letter = ("cong_van", "Công văn"),
        Other = ("khac", "Khác"),
    }
);

impl DocumentKind {
    /// The type code Party documents write in their symbol ("KH" in "46-KH/TU").
    pub fn symbol_code(self) -> Option<&'static str> {
        Some(match self {
            DocumentKind::Conclusion => "KL",
            DocumentKind::Directive => "CT",
            DocumentKind::Resolution => "NQ",
            DocumentKind::Plan => "KH",
            DocumentKind::Guidance => "HD",
            DocumentKind::Regulation => "QĐi",
            DocumentKind::Decision => "QĐ",
            DocumentKind::Notice => "TB",
            DocumentKind::Report => "BC",
            DocumentKind::Letter => "CV",
            DocumentKind::Other => return None,
        })
    }

    /// The kind a symbol's type code names: "46-KH/TU" → kế hoạch. Case and the letter Đ
    /// written as D do not matter; "QĐi" (quy định) is told from "QĐ" (quyết định).
    pub fn from_symbol(symbol: &str) -> Option<Self> {
        use crate::ClosedList;
        let code = symbol_type_code(symbol)?;
        let folded = crate::text::fold(&code);
        Self::ALL.iter().copied().find(|kind| {
            kind.symbol_code()
                .is_some_and(|c| crate::text::fold(c) == folded)
        })
    }
}

/// The type code of a symbol: the letters between the first '-' and the '/' ("KH" in
/// "46-KH/TU", "QĐi" in "Số 05-QĐi/TW").
fn symbol_type_code(symbol: &str) -> Option<String> {
    let (_, rest) = symbol.split_once('-')?;
    let (code, _) = rest.split_once('/')?;
    let code = code.trim();
    (!code.is_empty() && code.chars().all(char::is_alphabetic)).then(|| code.to_owned())
}

/// A document as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentInput {
    /// "01-KL/TW"; a leading "Số" is dropped.
    pub symbol: String,
    /// A `DocumentKind` code, or empty to take it from the symbol.
    pub kind: String,
    /// Who issued it: "Bộ Chính trị", "Ban Thường vụ Thành ủy Mỹ Tho".
    pub issuer: String,
    /// dd/mm/yyyy.
    pub issued_on: String,
    pub title: String,
    pub summary: String,
    /// Campaign year numbers it applies to.
    pub years: Vec<i32>,
    /// Topic ids it guides.
    pub topics: Vec<i64>,
}

/// A checked document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentDraft {
    pub symbol: String,
    pub kind: DocumentKind,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub title: String,
    pub summary: Option<String>,
    pub years: Vec<i32>,
    pub topics: Vec<i64>,
}

/// The number and symbol as stored: cleaned, without the word "Số", spaces around '-' and
/// '/' removed ("số 46 - KH/TU" → "46-KH/TU").
pub fn clean_symbol(text: &str) -> String {
    let cleaned = crate::text::clean(text);
    let without_prefix = match cleaned.split_once([' ', ':']) {
        Some((first, rest)) if crate::text::fold(first) == "so" => {
            rest.trim_start_matches([' ', ':'])
        }
        _ => cleaned.as_str(),
    };
    let mut out = String::with_capacity(without_prefix.len());
    for part in without_prefix.split(' ') {
        if out.ends_with(['-', '/']) || part.starts_with(['-', '/']) || out.is_empty() {
            out.push_str(part);
        } else {
            out.push(' ');
            out.push_str(part);
        }
    }
    out
}

impl DocumentInput {
    /// Checks a document: a number and symbol, a kind (picked, or read from the symbol) that
    /// agrees with the symbol, an issuer, a date not after `today`, a title, one campaign
    /// year at least. Every error at once. Topics are checked against the years by the
    /// store, which knows them.
    pub fn validate(&self, today: NaiveDate) -> Result<DocumentDraft, FieldErrors> {
        use crate::ClosedList;
        let mut errors = FieldErrors::default();
        let symbol = clean_symbol(&self.symbol);
        if symbol.is_empty() {
            errors.add("symbol", "Chưa nhập số, ký hiệu văn bản (ví dụ 46-KH/TU)");
        } else if symbol.chars().count() > 60 {
            errors.add("symbol", "Số, ký hiệu dài quá 60 ký tự");
        }
        let from_symbol = DocumentKind::from_symbol(&symbol);
        let kind = match (self.kind.trim(), from_symbol) {
            ("", Some(kind)) => Some(kind),
            ("", None) => {
                errors.add("kind", "Chọn loại văn bản");
                None
            }
            (code, _) => match DocumentKind::from_code(code) {
                None => {
                    errors.add("kind", "Chọn loại văn bản trong danh sách");
                    None
                }
                Some(kind) => {
                    if let Some(named) = from_symbol.filter(|named| *named != kind) {
                        errors.add(
                            "kind",
                            format!(
                                "Ký hiệu «{symbol}» là {} ({}), không phải {}",
                                named.label().to_lowercase(),
                                named.symbol_code().unwrap_or_default(),
                                kind.label().to_lowercase()
                            ),
                        );
                    }
                    Some(kind)
                }
            },
        };
        let issuer = crate::text::clean(&self.issuer);
        if issuer.is_empty() {
            errors.add("issuer", "Chưa nhập cơ quan ban hành (ví dụ Bộ Chính trị)");
        }
        let issued_on = match crate::dates::parse(&self.issued_on) {
            Ok(d) if d > today => {
                errors.add(
                    "issued_on",
                    format!("Ngày ban hành {} chưa tới", crate::dates::display(d)),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.add("issued_on", e.to_string());
                None
            }
        };
        let title = crate::text::clean(&self.title);
        if title.is_empty() {
            errors.add("title", "Chưa nhập trích yếu (tên) văn bản");
        }
        if self.years.is_empty() {
            errors.add("years", "Chọn ít nhất một năm áp dụng");
        }
        let summary = Some(crate::text::clean(&self.summary)).filter(|s| !s.is_empty());
        match (kind, issued_on, errors.is_empty()) {
            (Some(kind), Some(issued_on), true) => {
                let mut years = self.years.clone();
                years.sort_unstable();
                years.dedup();
                let mut topics = self.topics.clone();
                topics.sort_unstable();
                topics.dedup();
                Ok(DocumentDraft {
                    symbol,
                    kind,
                    issuer,
                    issued_on,
                    title,
                    summary,
                    years,
                    topics,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn input() -> DocumentInput {
        DocumentInput {
            symbol: "Số 46-KH/TU".into(),
            issuer: "Ban Thường vụ Thành ủy Mỹ Tho".into(),
            issued_on: "13/8/2021".into(),
            title: "Kế hoạch thực hiện Kết luận 01-KL/TW".into(),
            years: vec![2024, 2021, 2024],
            ..Default::default()
        }
    }

    #[test]
    fn the_symbol_names_the_kind() {
        assert_eq!(
            DocumentKind::from_symbol("01-KL/TW"),
            Some(DocumentKind::Conclusion)
        );
        assert_eq!(
            DocumentKind::from_symbol("09-kh/đu"),
            Some(DocumentKind::Plan)
        );
        assert_eq!(
            DocumentKind::from_symbol("05-QĐi/TW"),
            Some(DocumentKind::Regulation)
        );
        assert_eq!(
            DocumentKind::from_symbol("123-QD/TU"),
            Some(DocumentKind::Decision)
        );
        assert_eq!(DocumentKind::from_symbol("Luật 2013"), None);
        assert_eq!(clean_symbol("  số 46 - KH / TU "), "46-KH/TU");
        assert_eq!(clean_symbol("Số: 01-KL/TW"), "01-KL/TW");
    }

    #[test]
    fn a_document_is_checked_before_it_is_stored() {
        let draft = input().validate(today()).unwrap();
        assert_eq!(draft.symbol, "46-KH/TU");
        assert_eq!(draft.kind, DocumentKind::Plan);
        assert_eq!(draft.years, vec![2021, 2024]);
        assert_eq!(
            draft.issued_on,
            NaiveDate::from_ymd_opt(2021, 8, 13).unwrap()
        );

        let wrong_kind = DocumentInput {
            kind: "ket_luan".into(),
            ..input()
        };
        let errors = wrong_kind.validate(today()).unwrap_err();
        assert_eq!(
            errors.get("kind"),
            Some("Ký hiệu «46-KH/TU» là kế hoạch (KH), không phải kết luận")
        );

        let empty = DocumentInput {
            symbol: "Luật".into(),
            issued_on: "01/01/2030".into(),
            issuer: " ".into(),
            title: String::new(),
            years: vec![],
            ..input()
        };
        let errors = empty.validate(today()).unwrap_err();
        for field in ["kind", "issuer", "issued_on", "title", "years"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
