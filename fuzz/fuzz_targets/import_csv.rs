//! A CSV upload (UTF-8 or not, BOM or not, comma or semicolon) read as every kind of import.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    lantoa_fuzz::every_import("tep.csv", bytes);
});
