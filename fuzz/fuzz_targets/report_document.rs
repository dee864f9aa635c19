//! The year-end report's inputs as written into a Party document: any heading, prose,
//! table cells, signer and layout font become a whole Word file (a ZIP from its first local
//! header to its end-of-directory record), and its text can be read back for terminals.
#![no_main]

use lantoa_office::party_doc::{Block, PartyDocument, Signature, party_docx, plain_text};

libfuzzer_sys::fuzz_target!(|input: &str| {
    // The fields, separated by NUL: what people typed into the report's form.
    let mut parts = input.split('\0').map(str::to_owned);
    let mut next = || parts.next().unwrap_or_default();
    let (issuer, title, leadership, limitations, cell, signer, font) =
        (next(), next(), next(), next(), next(), next(), next());
    let document = PartyDocument {
        superior: "ĐẢNG BỘ TỈNH".into(),
        issuer,
        number: Some(next()),
        place: next(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default(),
        title,
        summary: vec![next()],
        body: vec![
            Block::Heading(next()),
            Block::Text(leadership.clone()),
            Block::Field(next(), limitations),
            Block::Table {
                header: vec![cell.clone(), next()],
                rows: vec![vec![next(), cell]],
                widths: vec![500, 500],
            },
        ],
        signature: Signature {
            heading: "T/M BAN THƯỜNG VỤ".into(),
            position: next(),
            name: signer,
        },
        approval: None,
        copies: vec![next()],
        layout: lantoa_domain::settings::DocumentLayout {
            font,
            ..Default::default()
        },
    };
    let docx = party_docx(&document).expect("a document is written");
    assert!(docx.starts_with(b"PK\x03\x04"));
    let tail = &docx[docx.len().saturating_sub(22 + 65_535)..];
    assert!(tail.windows(4).any(|w| w == b"PK\x05\x06"), "a whole ZIP");
    // The title is written in capitals, as the guidance sets it.
    assert!(plain_text(&document).contains(&document.title.trim().to_uppercase()));
});
