//! Vietnamese folding for search: any text folds to lowercase ASCII words separated by
//! single spaces, and folding twice changes nothing more.
#![no_main]

use lantoa_domain::text;

libfuzzer_sys::fuzz_target!(|input: &str| {
    let folded = text::fold(input);
    assert!(folded.is_ascii(), "{input:?} → {folded:?}");
    assert!(!folded.contains("  "), "{input:?} → {folded:?}");
    assert_eq!(folded.trim(), folded, "{input:?}");
    assert!(
        !folded.chars().any(|c| c.is_ascii_uppercase()),
        "{folded:?}"
    );
    assert_eq!(text::fold(&folded), folded, "{input:?}");
    let _ = text::clean(input);
    assert!(text::to_ascii(input).is_ascii(), "{input:?}");
});
