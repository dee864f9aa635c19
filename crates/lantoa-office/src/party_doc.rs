//! Documents in the Party's layout (Hướng dẫn 36-HD/VPTW): A4, Times New Roman on every
//! font slot; top left the superior body and the issuing body (caps, bold) with "*" under
//! it; top right "ĐẢNG CỘNG SẢN VIỆT NAM" (caps, 15 pt, bold) and the place and date in
//! italics; the document type in caps bold with its summary under it; the body in 14 pt;
//! the signature blocks at the bottom.
//!
//! The caller says what the document holds ([`PartyDocument`], or the [`Certificate`]s of
//! a commendation decision); this module alone knows how it is laid out, so plans,
//! decisions and reports come out the same way.

use crate::export::ExportError;
use chrono::{Datelike, NaiveDate};
use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Run, RunFonts, Table, TableCell,
    TableRow, WidthType,
};

pub use lantoa_domain::settings::DocumentLayout;

/// Who signs, and under which heading.
#[derive(Debug, Clone, Default)]
pub struct Signature {
    /// "NGƯỜI LẬP KẾ HOẠCH", "T/M CHI BỘ".
    pub heading: String,
    /// "BÍ THƯ", or empty.
    pub position: String,
    /// The name, or empty to leave the line for a handwritten one.
    pub name: String,
}

/// A piece of the body.
#[derive(Debug, Clone)]
pub enum Block {
    /// A bold heading ("I. NHỮNG VIỆC LÀM CỤ THỂ").
    Heading(String),
    /// A paragraph, first line indented.
    Text(String),
    /// A "label: value" line.
    Field(String, String),
    /// A bordered table: header row, rows, column widths in per-mille of the text width.
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
        widths: Vec<usize>,
    },
    /// A chart: its caption and its SVG (shown as is on a page, as a PNG in Word).
    Chart { title: String, svg: String },
}

/// What a document holds.
#[derive(Debug, Clone)]
pub struct PartyDocument {
    /// The body above the issuer ("ĐẢNG BỘ PHƯỜNG 5"), or empty.
    pub superior: String,
    /// The issuing body ("CHI BỘ KHU PHỐ 1").
    pub issuer: String,
    /// Number and symbol under the issuer ("15-QĐ/TU"), for numbered documents.
    pub number: Option<String>,
    /// Place of the date line ("Mỹ Tho").
    pub place: String,
    /// Date of the document.
    pub date: NaiveDate,
    /// The type in caps ("KẾ HOẠCH CÁ NHÂN").
    pub title: String,
    /// Lines under the title.
    pub summary: Vec<String>,
    /// The body.
    pub body: Vec<Block>,
    /// Signature at the right.
    pub signature: Signature,
    /// Signature at the left (an approval), if any.
    pub approval: Option<Signature>,
    /// "Nơi nhận" at the bottom left, when there is no approval there.
    pub copies: Vec<String>,
    /// Margins and font (a setting: handbooks differ).
    pub layout: DocumentLayout,
}

/// Half-points.
const BODY: usize = 28;
const HEADER: usize = 26;
const PARTY: usize = 30;
/// A4 in twentieths of a point.
const A4_WIDTH: u32 = 11_906;
const A4_HEIGHT: u32 = 16_838;

fn mm(v: u32) -> i32 {
    (v as f64 * 56.692_913).round() as i32
}

/// The font on every slot (Latin, East Asian, complex scripts), so that Word never
/// substitutes another for Vietnamese letters.
fn fonts(font: &str) -> RunFonts {
    RunFonts::new()
        .ascii(font)
        .hi_ansi(font)
        .east_asia(font)
        .cs(font)
}

fn run(text: &str, size: usize) -> Run {
    // The font comes from the document's defaults (a setting), not from each run.
    Run::new().add_text(text).size(size)
}

fn centred(runs: Vec<Run>) -> Paragraph {
    runs.into_iter().fold(
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().after(0)),
        Paragraph::add_run,
    )
}

/// The document's text, line by line, in reading order (table cells separated by tabs):
/// what a reader of the DOCX reads, for terminals and tests.
pub fn plain_text(doc: &PartyDocument) -> String {
    let mut lines = Vec::new();
    if !doc.superior.is_empty() {
        lines.push(doc.superior.to_uppercase());
    }
    lines.push(doc.issuer.to_uppercase());
    if let Some(n) = &doc.number {
        lines.push(format!("Số {n}"));
    }
    lines.push("ĐẢNG CỘNG SẢN VIỆT NAM".to_owned());
    lines.push(date_line(&doc.place, doc.date));
    lines.push(doc.title.to_uppercase());
    lines.extend(doc.summary.iter().cloned());
    for block in &doc.body {
        match block {
            Block::Heading(t) | Block::Text(t) => lines.push(t.clone()),
            Block::Field(label, value) => lines.push(format!("{label}: {value}")),
            Block::Table { header, rows, .. } => {
                lines.push(header.join("\t"));
                lines.extend(rows.iter().map(|r| r.join("\t")));
            }
            Block::Chart { title, .. } => lines.push(format!("[Biểu đồ: {title}]")),
        }
    }
    if !doc.copies.is_empty() {
        lines.push("Nơi nhận:".to_owned());
        lines.extend(doc.copies.iter().map(|c| format!("- {c}")));
    }
    lines.push(doc.signature.heading.clone());
    lines.join("\n") + "\n"
}

/// "Mỹ Tho, ngày 05 tháng 3 năm 2024": days and months under 10 keep a leading zero for
/// days 1–9 and months 1–2, as the guidance writes them.
pub fn date_line(place: &str, date: NaiveDate) -> String {
    let month = if date.month() < 3 {
        format!("{:02}", date.month())
    } else {
        date.month().to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        date.day(),
        date.year()
    )
}

fn borderless(cells: Vec<TableCell>, text_width: usize) -> Table {
    let half = text_width / 2;
    Table::new(vec![TableRow::new(cells)])
        .set_grid(vec![half, text_width - half])
        .width(text_width, WidthType::Dxa)
        .clear_all_border()
}

fn signature_cell(s: &Signature, width: usize) -> TableCell {
    let mut cell = TableCell::new()
        .width(width, WidthType::Dxa)
        .clear_all_border()
        .add_paragraph(centred(vec![run(&s.heading, BODY).bold()]));
    if !s.position.is_empty() {
        cell = cell.add_paragraph(centred(vec![run(&s.position, BODY).bold()]));
    }
    cell = cell.add_paragraph(centred(vec![run("(Ký, ghi rõ họ tên)", BODY).italic()]));
    for _ in 0..3 {
        cell = cell.add_paragraph(centred(vec![run("", BODY)]));
    }
    cell.add_paragraph(centred(vec![run(&s.name, BODY).bold()]))
}

fn body_table(
    header: &[String],
    rows: &[Vec<String>],
    widths: &[usize],
    text_width: usize,
) -> Table {
    let grid: Vec<usize> = widths.iter().map(|w| text_width * w / 1000).collect();
    let cell = |text: &str, width: usize, bold: bool| {
        let mut r = run(text, 26);
        if bold {
            r = r.bold();
        }
        TableCell::new()
            .width(width, WidthType::Dxa)
            .add_paragraph(Paragraph::new().add_run(r))
    };
    let mut table_rows = vec![TableRow::new(
        header
            .iter()
            .zip(&grid)
            .map(|(h, w)| cell(h, *w, true))
            .collect(),
    )];
    for row in rows {
        table_rows.push(TableRow::new(
            row.iter()
                .zip(&grid)
                .map(|(t, w)| cell(t, *w, false))
                .collect(),
        ));
    }
    Table::new(table_rows)
        .set_grid(grid)
        .width(text_width, WidthType::Dxa)
}

/// The document as DOCX bytes.
pub fn party_docx(doc: &PartyDocument) -> Result<Vec<u8>, ExportError> {
    let m = &doc.layout;
    let text_width = (A4_WIDTH as i32 - mm(m.left) - mm(m.right)).max(1000) as usize;
    let half = text_width / 2;
    let left = {
        let mut cell = TableCell::new()
            .width(half, WidthType::Dxa)
            .clear_all_border();
        if !doc.superior.is_empty() {
            cell = cell.add_paragraph(centred(vec![run(&doc.superior.to_uppercase(), HEADER)]));
        }
        cell = cell
            .add_paragraph(centred(vec![
                run(&doc.issuer.to_uppercase(), HEADER).bold(),
            ]))
            .add_paragraph(centred(vec![run("*", HEADER)]));
        if let Some(number) = &doc.number {
            cell = cell.add_paragraph(centred(vec![run(&format!("Số {number}"), BODY)]));
        }
        cell
    };
    let right = TableCell::new()
        .width(text_width - half, WidthType::Dxa)
        .clear_all_border()
        .add_paragraph(centred(vec![
            run("ĐẢNG CỘNG SẢN VIỆT NAM", PARTY)
                .bold()
                .underline("single"),
        ]))
        .add_paragraph(centred(vec![run("", HEADER)]))
        .add_paragraph(centred(vec![
            run(&date_line(&doc.place, doc.date), BODY).italic(),
        ]));
    let mut docx = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(PageMargin {
            top: mm(m.top),
            bottom: mm(m.bottom),
            left: mm(m.left),
            right: mm(m.right),
            header: mm(10),
            footer: mm(10),
            gutter: 0,
        })
        .default_fonts(fonts(&doc.layout.font))
        .default_size(BODY)
        .add_table(borderless(vec![left, right], text_width))
        .add_paragraph(centred(vec![run("", BODY)]))
        .add_paragraph(centred(vec![run(&doc.title.to_uppercase(), 32).bold()]));
    for line in &doc.summary {
        docx = docx.add_paragraph(centred(vec![run(line, BODY).bold()]));
    }
    docx = docx.add_paragraph(centred(vec![run("-----", BODY)]));
    for block in &doc.body {
        docx = match block {
            Block::Heading(text) => docx.add_paragraph(
                Paragraph::new()
                    .line_spacing(LineSpacing::new().before(120).after(60))
                    .add_run(run(text, BODY).bold()),
            ),
            Block::Text(text) => docx.add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Both)
                    .indent(
                        None,
                        Some(docx_rs::SpecialIndentType::FirstLine(567)),
                        None,
                        None,
                    )
                    .add_run(run(text, BODY)),
            ),
            Block::Field(label, value) => docx.add_paragraph(
                Paragraph::new()
                    .add_run(run(&format!("{label}: "), BODY))
                    .add_run(run(value, BODY)),
            ),
            Block::Table {
                header,
                rows,
                widths,
            } => docx.add_table(body_table(header, rows, widths, text_width)),
            Block::Chart { title, svg } => {
                let png = crate::chart_png::chart_png(svg)?;
                // Twentieths of a point to EMU: 635; the chart takes the text's width.
                let width = text_width as u32 * 635;
                let height =
                    (u64::from(width) * u64::from(png.height) / u64::from(png.width.max(1))) as u32;
                let picture = docx_rs::Pic::new_with_dimensions(png.bytes, png.width, png.height)
                    .size(width, height);
                docx.add_paragraph(centred(vec![Run::new().add_image(picture)]))
                    .add_paragraph(centred(vec![run(title, 24).italic()]))
            }
        };
    }
    docx = docx.add_paragraph(centred(vec![run("", BODY)]));
    let approval = match &doc.approval {
        Some(s) => signature_cell(s, half),
        None => {
            let mut cell = TableCell::new()
                .width(half, WidthType::Dxa)
                .clear_all_border();
            if !doc.copies.is_empty() {
                cell = cell
                    .add_paragraph(Paragraph::new().add_run(run("Nơi nhận:", 24).bold().italic()));
                for copy in &doc.copies {
                    cell =
                        cell.add_paragraph(Paragraph::new().add_run(run(&format!("- {copy}"), 22)));
                }
            }
            cell
        }
    };
    docx = docx.add_table(borderless(
        vec![approval, signature_cell(&doc.signature, text_width - half)],
        text_width,
    ));
    pack(docx)
}

fn pack(docx: Docx) -> Result<Vec<u8>, ExportError> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| ExportError::new(e.to_string()))?;
    Ok(bytes.into_inner())
}

/// A certificate (giấy khen, bằng khen…) for one person or collective of a decision.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// "BAN THƯỜNG VỤ ĐẢNG ỦY …": who gives it.
    pub issuer: String,
    /// "GIẤY KHEN".
    pub form: String,
    /// The person or collective.
    pub recipient: String,
    /// Their post or unit, or empty.
    pub about: String,
    /// "Đã có thành tích …".
    pub reason: String,
    /// "Quyết định số 15-QĐ/TU".
    pub decision: String,
    /// Place of the date line.
    pub place: String,
    pub date: NaiveDate,
    pub signature: Signature,
}

/// Certificates, one landscape A4 page each, in the Party's fonts: ready to print on the
/// pre-printed paper or plain.
pub fn certificates_docx(certificates: &[Certificate]) -> Result<Vec<u8>, ExportError> {
    let margin = mm(20);
    let text_width = (A4_HEIGHT as i32 - 2 * margin).max(1000) as usize;
    let mut docx = Docx::new()
        .page_size(A4_HEIGHT, A4_WIDTH)
        .page_orient(docx_rs::PageOrientationType::Landscape)
        .page_margin(PageMargin {
            top: margin,
            bottom: margin,
            left: margin,
            right: margin,
            header: mm(10),
            footer: mm(10),
            gutter: 0,
        })
        .default_fonts(fonts(&DocumentLayout::default().font))
        .default_size(BODY);
    let gap = || centred(vec![run("", BODY)]);
    for (i, c) in certificates.iter().enumerate() {
        let mut first = run("ĐẢNG CỘNG SẢN VIỆT NAM", PARTY).bold();
        if i > 0 {
            first = Run::new()
                .add_break(docx_rs::BreakType::Page)
                .size(PARTY)
                .add_text("ĐẢNG CỘNG SẢN VIỆT NAM")
                .bold();
        }
        docx = docx
            .add_paragraph(centred(vec![first]))
            .add_paragraph(centred(vec![run(&c.issuer.to_uppercase(), BODY).bold()]))
            .add_paragraph(gap())
            .add_paragraph(centred(vec![run("TẶNG", BODY).bold()]))
            .add_paragraph(centred(vec![
                run(&c.form.to_uppercase(), 64).bold().color("C00000"),
            ]))
            .add_paragraph(gap())
            .add_paragraph(centred(vec![
                run("Cho: ", BODY),
                run(&c.recipient, 40).bold(),
            ]));
        if !c.about.is_empty() {
            docx = docx.add_paragraph(centred(vec![run(&c.about, BODY).italic()]));
        }
        docx = docx
            .add_paragraph(gap())
            .add_paragraph(centred(vec![run(&c.reason, BODY)]))
            .add_paragraph(gap());
        let half = text_width / 2;
        let left = TableCell::new()
            .width(half, WidthType::Dxa)
            .clear_all_border()
            .add_paragraph(centred(vec![run("", BODY)]))
            .add_paragraph(centred(vec![run(&c.decision, 24)]));
        let right = TableCell::new()
            .width(text_width - half, WidthType::Dxa)
            .clear_all_border()
            .add_paragraph(centred(vec![
                run(&date_line(&c.place, c.date), BODY).italic(),
            ]))
            .add_paragraph(centred(vec![run(&c.signature.heading, BODY).bold()]))
            .add_paragraph(centred(vec![run(&c.signature.position, BODY).bold()]))
            .add_paragraph(gap())
            .add_paragraph(gap())
            .add_paragraph(gap())
            .add_paragraph(centred(vec![run(&c.signature.name, BODY).bold()]));
        docx = docx.add_table(borderless(vec![left, right], text_width));
    }
    pack(docx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_line_reads_as_the_guidance_writes_it() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            date_line("Mỹ Tho", d(2024, 12, 15)),
            "Mỹ Tho, ngày 15 tháng 12 năm 2024"
        );
        assert_eq!(
            date_line("Mỹ Tho", d(2024, 2, 5)),
            "Mỹ Tho, ngày 05 tháng 02 năm 2024"
        );
        assert_eq!(
            date_line("Mỹ Tho", d(2024, 3, 5)),
            "Mỹ Tho, ngày 05 tháng 3 năm 2024"
        );
    }

    #[test]
    fn a_document_is_a_docx_with_its_text_in_times_new_roman() {
        let doc = PartyDocument {
            superior: "Đảng bộ Phường 5".into(),
            issuer: "Chi bộ Khu phố 1".into(),
            number: None,
            copies: Vec::new(),
            place: "Mỹ Tho".into(),
            date: NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(),
            title: "Kế hoạch cá nhân".into(),
            summary: vec!["Học tập và làm theo năm 2024".into()],
            body: vec![
                Block::Field("Họ và tên".into(), "Nguyễn Hồng Tuyết".into()),
                Block::Heading("I. NHỮNG VIỆC LÀM CỤ THỂ".into()),
                Block::Table {
                    header: vec!["TT".into(), "Việc làm".into()],
                    rows: vec![vec!["1".into(), "Đi đầu vận động".into()]],
                    widths: vec![100, 900],
                },
                Block::Text("Tôi xin cam kết.".into()),
            ],
            signature: Signature {
                heading: "NGƯỜI LẬP KẾ HOẠCH".into(),
                position: String::new(),
                name: "Nguyễn Hồng Tuyết".into(),
            },
            approval: Some(Signature {
                heading: "XÁC NHẬN CỦA CHI BỘ".into(),
                ..Default::default()
            }),
            layout: DocumentLayout::default(),
        };
        let bytes = party_docx(&doc).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("word/document.xml").unwrap(),
            &mut text,
        )
        .unwrap();
        for expected in [
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "CHI BỘ KHU PHỐ 1",
            "Mỹ Tho, ngày 05 tháng 3 năm 2024",
            "KẾ HOẠCH CÁ NHÂN",
            "Nguyễn Hồng Tuyết",
            "Đi đầu vận động",
        ] {
            assert!(text.contains(expected), "{expected} in the document");
        }
        // The font is the document's default on every slot (the layout's setting).
        let mut styles = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("word/styles.xml").unwrap(),
            &mut styles,
        )
        .unwrap();
        for slot in ["w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"] {
            assert!(
                styles.contains(&format!("{slot}=\"Times New Roman\"")),
                "{slot} in {styles:.1500}"
            );
        }
    }
}
