//! Closed lists: enums whose values have a stable code (stored in the database and files)
//! and a Vietnamese label (shown to users), both declared once.

use crate::text::fold;

/// A closed list of values with a stable code and a Vietnamese label.
pub trait ClosedList: Sized + Copy + 'static {
    /// Every value, in the order users see them.
    const ALL: &'static [Self];
    /// Stable code, stored in the database and used in API and files.
    fn code(self) -> &'static str;
    /// Vietnamese label shown to users.
    fn label(self) -> &'static str;

    /// The value with this stored code.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }

    /// The value a person typed in a file or form: its label or its code, compared
    /// without case or diacritics ("Chinh thuc", "chính thức" and "chinh-thuc" all match).
    fn from_user_text(text: &str) -> Option<Self> {
        let wanted = fold(text);
        if wanted.is_empty() {
            return None;
        }
        let without_note = |label: &str| fold(label.split(" (").next().unwrap_or(label));
        Self::ALL.iter().copied().find(|v| {
            fold(v.label()) == wanted
                || without_note(v.label()) == wanted
                || fold(&v.code().replace(['_', '-'], " ")) == wanted
        })
    }
}

/// Declares an enum with its codes and Vietnamese labels.
///
/// Only data is generated here (the enum and two lookup tables): no control flow is hidden.
#[macro_export]
macro_rules! closed_list {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(
                #[serde(rename = $code)]
                #[doc = $label]
                $variant
            ),+
        }

        impl $crate::list::ClosedList for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }
            fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::list::ClosedList::label(*self))
            }
        }
    };
}
