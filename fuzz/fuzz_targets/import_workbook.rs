//! A spreadsheet upload (.xlsx, .ods or .xls: calamine tells them apart by their bytes)
//! read as every kind of import.
#![no_main]

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    lantoa_fuzz::every_import("tep.xlsx", bytes);
});
