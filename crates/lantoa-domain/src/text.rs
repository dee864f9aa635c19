//! Vietnamese text: NFC normalisation of what users type, and folding for search.
//!
//! Files often arrive in NFD (decomposed accents) and users search without diacritics, so
//! names are stored in NFC and also in a folded form: lowercase ASCII letters and digits
//! separated by single spaces, with đ/Đ folded to d.

use unicode_normalization::UnicodeNormalization;

/// Trims, normalises to NFC and collapses runs of whitespace into one space.
pub fn clean(text: &str) -> String {
    let nfc: String = text.nfc().collect();
    nfc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text in plain ASCII letters, keeping case and punctuation ("Kế hoạch Đợt 1" →
/// "Ke hoach Dot 1"), for places that accept nothing else (a download's fallback name).
pub fn to_ascii(text: &str) -> String {
    text.nfc()
        .map(|c| match c {
            'đ' => "d".to_owned(),
            'Đ' => "D".to_owned(),
            c if c.is_ascii() => c.to_string(),
            c => deunicode::deunicode_char(c).unwrap_or("_").to_owned(),
        })
        .collect()
}

/// Folds text for search: no diacritics, lowercase, đ → d, punctuation dropped, single
/// spaces. `fold("Nguyễn Văn Đức")` is `"nguyen van duc"`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.nfc() {
        let ascii: &str = match ch {
            'đ' | 'Đ' => "d",
            c if c.is_ascii() => {
                let mut buf = [0u8; 4];
                push_folded(&mut out, c.encode_utf8(&mut buf), &mut pending_space);
                continue;
            }
            c => deunicode::deunicode_char(c).unwrap_or(" "),
        };
        push_folded(&mut out, ascii, &mut pending_space);
    }
    out
}

fn push_folded(out: &mut String, ascii: &str, pending_space: &mut bool) {
    for b in ascii.chars() {
        if b.is_ascii_alphanumeric() {
            if *pending_space && !out.is_empty() {
                out.push(' ');
            }
            *pending_space = false;
            out.push(b.to_ascii_lowercase());
        } else {
            *pending_space = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_names() {
        assert_eq!(fold("Nguyễn Văn Đức"), "nguyen van duc");
        assert_eq!(fold("  ĐẶNG   thị  Hồng "), "dang thi hong");
        assert_eq!(fold("Lê-Thị (Bé)"), "le thi be");
        assert_eq!(fold(""), "");
        assert_eq!(to_ascii("Kế hoạch Đợt 1.docx"), "Ke hoach Dot 1.docx");
    }

    #[test]
    fn folds_nfd_like_nfc() {
        let nfd: String = "Nguyễn Văn Đức".nfd().collect();
        assert_ne!(nfd, "Nguyễn Văn Đức");
        assert_eq!(fold(&nfd), "nguyen van duc");
        assert_eq!(clean(&nfd), "Nguyễn Văn Đức");
    }

    #[test]
    fn clean_trims_and_collapses() {
        assert_eq!(clean("  Chi bộ   Khu phố 1\t"), "Chi bộ Khu phố 1");
    }
}
