//! Field errors collected while validating a form or a file row, and small checks of
//! personal contact data.

use std::borrow::Cow;

/// Every error found in one form or row, by field name, in the order found. Field names
/// are mostly fixed; a form with one field per row ("outcome_12") names them at run time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(Cow<'static, str>, String)>);

impl FieldErrors {
    /// Records an error on a field.
    pub fn add(&mut self, field: impl Into<Cow<'static, str>>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    /// Adds every error of another set, after these.
    pub fn append(&mut self, mut other: FieldErrors) {
        self.0.append(&mut other.0);
    }

    /// Whether no error was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first error recorded on a field.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// All errors, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(f, m)| (f.as_ref(), m.as_str()))
    }

    /// Every message joined with "; ", as written in an import's "Lỗi" column.
    pub fn joined(&self) -> String {
        self.0
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A text field, trimmed: said to be missing with `missing` when empty, refused over
    /// `max` characters.
    pub fn required_text(
        &mut self,
        field: &'static str,
        text: &str,
        missing: &str,
        max: usize,
    ) -> String {
        let text = text.trim().to_owned();
        if text.is_empty() {
            self.add(field, missing.to_owned());
        } else if text.chars().count() > max {
            self.add(field, format!("Tối đa {max} ký tự"));
        }
        text
    }

    /// A text field that may be left empty, trimmed; refused over `max` characters.
    pub fn optional_text(&mut self, field: &'static str, text: &str, max: usize) -> Option<String> {
        let text = text.trim();
        if text.chars().count() > max {
            self.add(field, format!("Tối đa {max} ký tự"));
        }
        Some(text.to_owned()).filter(|t| !t.is_empty())
    }

    /// A web address that may be left empty: http(s), no spaces, at most `max` characters.
    pub fn web_link(&mut self, field: &'static str, text: &str, max: usize) -> Option<String> {
        let link = self.optional_text(field, text, max)?;
        if !(link.starts_with("https://") || link.starts_with("http://")) || link.contains(' ') {
            self.add(field, "Đường dẫn bắt đầu bằng https:// hoặc http://");
            return None;
        }
        Some(link)
    }

    /// A date typed dd/mm/yyyy, or why not on the field.
    pub fn date(&mut self, field: &'static str, text: &str) -> Option<chrono::NaiveDate> {
        match crate::dates::parse(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// A single error.
    pub fn single(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.add(field, message);
        errors
    }
}

/// Normalises a Vietnamese phone number ("+84 912.345.678" → "0912345678"), or says why not.
pub fn phone(text: &str) -> Result<String, &'static str> {
    let mut digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    if let Some(rest) = digits.strip_prefix("+84") {
        digits = format!("0{rest}");
    }
    if digits.starts_with('0')
        && (10..=11).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        Ok(digits)
    } else {
        Err("Số điện thoại phải có 10 hoặc 11 chữ số, bắt đầu bằng 0")
    }
}

/// Checks a citizen identity number: 12 digits (CCCD) or 9 digits (old CMND).
pub fn citizen_id(text: &str) -> Result<String, &'static str> {
    let id: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if (id.len() == 12 || id.len() == 9) && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err("Số CCCD phải gồm 12 chữ số (hoặc 9 chữ số CMND cũ)")
    }
}

/// Checks the shape of an e-mail address.
pub fn email(text: &str) -> Result<String, &'static str> {
    let email = text.trim().to_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if valid && email.len() <= 254 {
        Ok(email)
    } else {
        Err("Địa chỉ email không hợp lệ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones() {
        assert_eq!(phone("+84 912.345.678"), Ok("0912345678".into()));
        assert_eq!(phone("0273 3872 123"), Ok("02733872123".into()));
        assert!(phone("12345").is_err());
        assert!(phone("09123x5678").is_err());
    }

    #[test]
    fn citizen_ids() {
        assert_eq!(citizen_id("082 123 456 789"), Ok("082123456789".into()));
        assert!(citizen_id("12345678901").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email(" An@Example.VN "), Ok("an@example.vn".into()));
        assert!(email("an@").is_err());
        assert!(email("an example@x.vn").is_err());
    }

    #[test]
    fn errors_join_in_order() {
        let mut errors = FieldErrors::default();
        errors.add("a", "một");
        errors.add("b", "hai");
        assert_eq!(errors.joined(), "một; hai");
        assert_eq!(errors.get("b"), Some("hai"));
    }
}
