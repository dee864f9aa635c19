//! Dates as people type them (dd/mm/yyyy and the other forms accepted) and Excel serials:
//! no panic, and a date read back from how it is shown is the same date.
#![no_main]

use lantoa_domain::dates;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes)
        && let Ok(date) = dates::parse(text)
    {
        assert_eq!(dates::parse(&dates::display(date)), Ok(date), "{text:?}");
        let _ = dates::in_document(date);
    }
    if bytes.len() == 8 {
        let serial = f64::from_le_bytes(bytes.try_into().unwrap_or_default());
        let _ = dates::from_excel_serial(serial);
    }
});
