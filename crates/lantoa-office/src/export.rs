//! Writing XLSX and CSV files: people exports, import templates, and rejected rows with
//! the reason in a "Lỗi" column.

use crate::columns::{Column, ORG_COLUMNS, PEOPLE_COLUMNS, person_cells};
use lantoa_domain::people::PersonInput;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Failure to build a file (only an internal fault: the inputs are plain text).
#[derive(Debug, thiserror::Error)]
#[error("không tạo được tệp: {0}")]
pub struct ExportError(String);

impl ExportError {
    pub(crate) fn new(message: String) -> Self {
        ExportError(message)
    }
}

impl From<XlsxError> for ExportError {
    fn from(e: XlsxError) -> Self {
        ExportError(e.to_string())
    }
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError(e.to_string())
    }
}

/// A workbook of one sheet: a bold header row, then rows of text cells. Everything is
/// written as text so that codes and card numbers keep their leading zeros.
pub fn xlsx(
    sheet: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    let bold = Format::new()
        .set_bold()
        .set_background_color("#E8EEF7")
        .set_text_wrap();
    let text = Format::new().set_num_format("@");
    for (c, title) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *title, &bold)?;
        ws.set_column_width(c as u16, (title.chars().count() as f64 + 4.0).max(14.0))?;
    }
    ws.set_freeze_panes(1, 0)?;
    for (r, row) in rows.into_iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                ws.write_string_with_format(r as u32 + 1, c as u16, value, &text)?;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}

/// A CSV file (UTF-8 with BOM, so spreadsheet programs read the accents right).
pub fn csv(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Vec<u8>, ExportError> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(header)?;
        for row in rows {
            writer.write_record(&row)?;
        }
        writer.flush().map_err(|e| ExportError(e.to_string()))?;
    }
    Ok(out)
}

fn headers(columns: &[Column]) -> Vec<&'static str> {
    columns.iter().map(|c| c.header).collect()
}

/// The people columns' headers.
pub fn people_header() -> Vec<&'static str> {
    headers(PEOPLE_COLUMNS)
}

/// A person as an export row.
pub fn person_row(person: &PersonInput) -> Vec<String> {
    person_cells(person).iter().map(|c| c.to_string()).collect()
}

/// People as .xlsx.
pub fn people_xlsx(people: &[PersonInput]) -> Result<Vec<u8>, ExportError> {
    xlsx("Nhân sự", &people_header(), people.iter().map(person_row))
}

/// People as .csv.
pub fn people_csv(people: &[PersonInput]) -> Result<Vec<u8>, ExportError> {
    csv(&people_header(), people.iter().map(person_row))
}

/// The import template for people: official headers and one example row.
pub fn people_template() -> Result<Vec<u8>, ExportError> {
    let example = PersonInput {
        full_name: "Nguyễn Văn An".into(),
        gender: "Nam".into(),
        birth_date: "02/09/1980".into(),
        categories: "Đảng viên, Công chức".into(),
        member_status: "Chính thức".into(),
        party_joined_on: "19/05/2005".into(),
        party_official_on: "19/05/2006".into(),
        party_card_no: "82001234".into(),
        org_code: "DB-P1-CB1".into(),
        position: "Bí thư Chi bộ".into(),
        is_leader: "Có".into(),
        citizen_id: "082080001234".into(),
        phone: "0912345678".into(),
        email: "nvan@example.vn".into(),
        note: "Dòng ví dụ: xóa trước khi nhập".into(),
    };
    people_xlsx(&[example])
}

/// The import template for plans: official headers and a plan of two commitments.
pub fn plans_template() -> Result<Vec<u8>, ExportError> {
    let header: Vec<&str> = crate::columns::PLAN_COLUMNS
        .iter()
        .map(|c| c.header)
        .collect();
    let person = [
        "2026",
        "Nguyễn Văn An",
        "82001234",
        "DB-P1-CB1",
        "Đảng viên",
        "Tổ trưởng tổ dân phố",
    ];
    let commitments = [
        [
            "Nêu gương",
            "Đi đầu vận động các hộ trong tổ phân loại rác tại nguồn",
            "30 hộ trong tổ phân loại rác",
            "30/06/2026",
        ],
        [
            "Tư tưởng chính trị",
            "Đọc và ghi chép chuyên đề năm, trao đổi tại sinh hoạt chi bộ",
            "Sổ ghi chép; 2 lần phát biểu",
            "",
        ],
    ];
    let rows = commitments.iter().map(|c| {
        person
            .iter()
            .chain(c.iter())
            .map(|cell| (*cell).to_owned())
            .collect::<Vec<String>>()
    });
    xlsx("Kế hoạch cá nhân", &header, rows)
}

/// The import template for propaganda: official headers and example rows of two channels.
pub fn propaganda_template() -> Result<Vec<u8>, ExportError> {
    let header: Vec<&str> = crate::columns::PROPAGANDA_COLUMNS
        .iter()
        .map(|c| c.header)
        .collect();
    let rows = [
        [
            "DB-P1",
            "19/05/2026",
            "Hội nghị, lớp học tập",
            "Chuyên đề năm 2026",
            "Hội nghị học tập Chuyên đề năm 2026",
            "1",
            "320",
            "",
        ],
        [
            "DB-P1",
            "20/05/2026",
            "Mạng xã hội",
            "Gương điển hình",
            "Bài viết «Người giữ lửa khu phố» trên trang của phường",
            "1",
            "2.400",
            "https://www.facebook.com/",
        ],
    ]
    .iter()
    .map(|r| r.iter().map(|c| (*c).to_owned()).collect::<Vec<String>>())
    .collect::<Vec<_>>();
    xlsx("Hoạt động tuyên truyền", &header, rows)
}

/// The import template for units: official headers and example rows.
pub fn orgs_template() -> Result<Vec<u8>, ExportError> {
    let rows = vec![
        vec![
            "DB-P1".into(),
            "Đảng bộ Phường 1".into(),
            "Đảng bộ cơ sở".into(),
            "Phường, xã".into(),
            "TU-MYTHO".into(),
        ],
        vec![
            "DB-P1-CB1".into(),
            "Chi bộ Khu phố 1".into(),
            "Chi bộ trực thuộc".into(),
            "Phường, xã".into(),
            "DB-P1".into(),
        ],
    ];
    xlsx("Đơn vị", &headers(ORG_COLUMNS), rows)
}

/// The rejected rows of an import as found in the file, with a "Lỗi" column first.
pub fn rejected_xlsx(
    header: &[String],
    rows: &[(usize, Vec<String>, String)],
) -> Result<Vec<u8>, ExportError> {
    let mut full_header: Vec<&str> = vec!["Dòng", "Lỗi"];
    full_header.extend(header.iter().map(String::as_str));
    xlsx(
        "Dòng bị lỗi",
        &full_header,
        rows.iter().map(|(number, cells, reason)| {
            let mut row = vec![number.to_string(), reason.clone()];
            row.extend(cells.iter().cloned());
            row
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Table, people_rows};

    #[test]
    fn export_reads_back() {
        let person = PersonInput {
            full_name: "Trần Thị Bé".into(),
            categories: "Người dân".into(),
            org_code: "KP1".into(),
            party_card_no: String::new(),
            citizen_id: "082190001234".into(),
            ..Default::default()
        };
        for (name, bytes) in [
            (
                "p.xlsx",
                people_xlsx(std::slice::from_ref(&person)).unwrap(),
            ),
            ("p.csv", people_csv(std::slice::from_ref(&person)).unwrap()),
        ] {
            let rows = people_rows(&Table::read(name, &bytes).unwrap()).unwrap();
            assert_eq!(rows.len(), 1, "{name}");
            assert_eq!(rows[0].number, 2);
            assert_eq!(rows[0].input, person, "{name}");
        }
    }

    #[test]
    fn plans_template_reads_back_as_two_valid_commitments() {
        let rows =
            crate::columns::plan_rows(&Table::read("k.xlsx", &plans_template().unwrap()).unwrap())
                .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].input.full_name, "Nguyễn Văn An");
        let inputs: Vec<lantoa_domain::plans::CommitmentInput> = rows
            .iter()
            .map(|r| lantoa_domain::plans::CommitmentInput {
                area: lantoa_domain::plans::CommitmentArea::from_file(&r.input.commitment.area)
                    .map(|a| lantoa_domain::ClosedList::code(a).to_owned())
                    .unwrap_or_default(),
                ..r.input.commitment.clone()
            })
            .collect();
        assert_eq!(
            lantoa_domain::plans::check_commitments(&inputs, 2026)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn template_validates() {
        let rows =
            people_rows(&Table::read("t.xlsx", &people_template().unwrap()).unwrap()).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert!(rows[0].input.validate(today).is_ok());
    }
}
