//! The columns of each import: official headers (used in templates and exports), the
//! synonyms people write, and the mapping of a table's rows to inputs.

use crate::table::{FileError, NumberedRow, Table};
use lantoa_domain::import::{OrgRowInput, Row};
use lantoa_domain::org::OrgInput;
use lantoa_domain::people::PersonInput;
use lantoa_domain::plans::{CommitmentInput, PlanRowInput};
use lantoa_domain::text::fold;

/// One column of an import: the field, its official header, synonyms, and whether the
/// file must have it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Field name (also the form field name).
    pub field: &'static str,
    /// Official header.
    pub header: &'static str,
    /// Other headers people write, folded.
    pub synonyms: &'static [&'static str],
    /// Whether the file must have this column.
    pub required: bool,
}

const fn col(
    field: &'static str,
    header: &'static str,
    synonyms: &'static [&'static str],
    required: bool,
) -> Column {
    Column {
        field,
        header,
        synonyms,
        required,
    }
}

/// Columns of the people import and export, in file order.
pub const PEOPLE_COLUMNS: &[Column] = &[
    col(
        "full_name",
        "Họ và tên",
        &["ho ten", "ho va ten dang vien", "ho ten dang vien", "ten"],
        true,
    ),
    col("gender", "Giới tính", &["gioi", "phai", "nam nu"], false),
    col(
        "birth_date",
        "Ngày sinh",
        &["nam sinh", "ngay thang nam sinh", "sinh ngay"],
        false,
    ),
    col(
        "categories",
        "Đối tượng",
        &["loai doi tuong", "thanh phan", "doi tuong ca nhan"],
        false,
    ),
    col(
        "member_status",
        "Tình trạng đảng viên",
        &["tinh trang", "trang thai dang vien", "loai dang vien"],
        false,
    ),
    col(
        "party_joined_on",
        "Ngày vào Đảng",
        &[
            "ngay ket nap",
            "ngay ket nap dang",
            "ngay vao dang cong san viet nam",
        ],
        false,
    ),
    col(
        "party_official_on",
        "Ngày chính thức",
        &[
            "ngay cong nhan chinh thuc",
            "ngay chuyen chinh thuc",
            "ngay chinh thuc vao dang",
        ],
        false,
    ),
    col(
        "party_card_no",
        "Số thẻ đảng viên",
        &["so the dang", "so the", "the dang vien"],
        false,
    ),
    col(
        "org_code",
        "Mã đơn vị",
        &["don vi", "ma chi bo", "chi bo", "ma to chuc"],
        true,
    ),
    col(
        "position",
        "Chức vụ",
        &["chuc danh", "chuc vu hien nay"],
        false,
    ),
    col(
        "is_leader",
        "Lãnh đạo, quản lý",
        &["can bo lanh dao quan ly", "lanh dao", "nguoi dung dau"],
        false,
    ),
    col(
        "citizen_id",
        "Số CCCD",
        &[
            "cccd",
            "can cuoc cong dan",
            "so can cuoc",
            "so dinh danh",
            "so dinh danh ca nhan",
            "cmnd cccd",
        ],
        false,
    ),
    col(
        "phone",
        "Điện thoại",
        &["so dien thoai", "sdt", "dt"],
        false,
    ),
    col("email", "Email", &["thu dien tu", "e mail"], false),
    col("note", "Ghi chú", &[], false),
];

/// Columns of the units import, in file order.
pub const ORG_COLUMNS: &[Column] = &[
    col("code", "Mã đơn vị", &["ma", "ma to chuc"], true),
    col(
        "name",
        "Tên đơn vị",
        &["ten", "ten to chuc", "don vi"],
        true,
    ),
    col(
        "kind",
        "Loại đơn vị",
        &["loai", "loai hinh", "loai to chuc"],
        true,
    ),
    col(
        "sector",
        "Lĩnh vực",
        &["nganh", "linh vuc hoat dong", "khoi"],
        false,
    ),
    col(
        "parent_code",
        "Mã đơn vị cấp trên",
        &["cap tren", "ma cap tren", "don vi cap tren", "truc thuoc"],
        false,
    ),
];

/// Columns of an attendance file: who (as in the people file) and the mark.
pub const ATTENDANCE_COLUMNS: &[Column] = &[
    PEOPLE_COLUMNS[0],
    PEOPLE_COLUMNS[7],
    PEOPLE_COLUMNS[8],
    col(
        "status",
        "Điểm danh",
        &[
            "tinh trang tham du",
            "co mat",
            "tham du",
            "ket qua diem danh",
        ],
        true,
    ),
];

/// Columns of the plans import: one row per commitment, the person and year repeated on
/// each row of their plan.
pub const PLAN_COLUMNS: &[Column] = &[
    col("year", "Năm", &["nam ke hoach", "ke hoach nam"], true),
    PEOPLE_COLUMNS[0],
    PEOPLE_COLUMNS[7],
    col(
        "org_code",
        "Mã đơn vị",
        &["don vi", "ma chi bo", "chi bo", "ma to chuc"],
        false,
    ),
    col(
        "party_post",
        "Chức vụ Đảng",
        &["chuc vu dang", "chuc vu trong dang"],
        false,
    ),
    col(
        "government_post",
        "Chức vụ chính quyền, đoàn thể",
        &["chuc vu chinh quyen", "chuc vu doan the", "chuc vu"],
        false,
    ),
    col(
        "area",
        "Lĩnh vực",
        &["noi dung dang ky", "nhom noi dung", "linh vuc dang ky"],
        true,
    ),
    col(
        "action",
        "Việc làm cụ thể",
        &[
            "viec lam",
            "viec dang ky",
            "noi dung viec lam",
            "noi dung cam ket",
            "cam ket",
        ],
        true,
    ),
    col(
        "measure",
        "Cách đo kết quả",
        &[
            "ket qua",
            "san pham",
            "chi tieu",
            "ket qua can dat",
            "do luong",
        ],
        true,
    ),
    col(
        "deadline",
        "Thời hạn",
        &["han hoan thanh", "thoi gian hoan thanh", "thoi gian"],
        false,
    ),
];

/// Columns of the propaganda import: one row per activity.
pub const PROPAGANDA_COLUMNS: &[Column] = &[
    col(
        "org_code",
        "Mã đơn vị",
        &["ma don vi thuc hien", "don vi", "ma chi bo", "ma to chuc"],
        true,
    ),
    col(
        "held_on",
        "Ngày",
        &[
            "ngay thuc hien",
            "ngay to chuc",
            "thoi gian",
            "ngay phat",
            "ngay dang",
        ],
        true,
    ),
    col(
        "channel",
        "Hình thức",
        &[
            "hinh thuc tuyen truyen",
            "kenh",
            "kenh tuyen truyen",
            "loai hinh",
        ],
        true,
    ),
    col("topic", "Chủ đề", &["chuyen de", "noi dung chu de"], false),
    col(
        "title",
        "Tên hoạt động",
        &[
            "ten",
            "noi dung",
            "tieu de",
            "ten tin bai",
            "ten hoat dong tuyen truyen",
        ],
        true,
    ),
    col(
        "quantity",
        "Số lượng",
        &[
            "so luong",
            "so buoi",
            "so tin bai",
            "so ban",
            "so luot phat",
        ],
        false,
    ),
    col(
        "reach",
        "Số lượt người",
        &[
            "luot nguoi",
            "so nguoi tham du",
            "so luot",
            "luot xem",
            "so nguoi",
        ],
        false,
    ),
    col(
        "link",
        "Đường dẫn",
        &["link", "minh chung", "duong link"],
        false,
    ),
];

fn matches(column: &Column, header: &str) -> bool {
    let folded = fold(header);
    !folded.is_empty()
        && (folded == fold(column.header) || column.synonyms.contains(&folded.as_str()))
}

/// Finds the header row (the one among the first 30 that names the most columns; titles
/// above it are common) and the position of each column in it.
fn locate(table: &Table, columns: &[Column]) -> Result<(usize, Vec<Option<usize>>), FileError> {
    let mut best: Option<(usize, usize)> = None;
    for (index, (_, cells)) in table.rows.iter().enumerate().take(30) {
        let score = columns
            .iter()
            .filter(|c| cells.iter().any(|cell| matches(c, cell)))
            .count();
        if score >= 2 && best.is_none_or(|(_, s)| score > s) {
            best = Some((index, score));
        }
    }
    let required: Vec<&str> = columns
        .iter()
        .filter(|c| c.required)
        .map(|c| c.header)
        .collect();
    let Some((index, _)) = best else {
        return Err(FileError::NoHeader(required.join(", ")));
    };
    let cells = &table.rows[index].1;
    let positions: Vec<Option<usize>> = columns
        .iter()
        .map(|c| cells.iter().position(|cell| matches(c, cell)))
        .collect();
    let missing: Vec<&str> = columns
        .iter()
        .zip(&positions)
        .filter(|(c, p)| c.required && p.is_none())
        .map(|(c, _)| c.header)
        .collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns(missing.join(", ")));
    }
    Ok((index, positions))
}

/// The rows after the header, each as (row number, value of each column in `columns` order).
fn records(table: &Table, columns: &[Column]) -> Result<Vec<NumberedRow>, FileError> {
    let (header, positions) = locate(table, columns)?;
    Ok(table.rows[header + 1..]
        .iter()
        .map(|(number, cells)| {
            let values = positions
                .iter()
                .map(|p| p.and_then(|i| cells.get(i)).cloned().unwrap_or_default())
                .collect();
            (*number, values)
        })
        .collect())
}

/// Header row and data rows of a table as found, for the rejected-rows file.
pub fn header_and_rows(
    table: &Table,
    columns: &[Column],
) -> Result<(Vec<String>, Vec<NumberedRow>), FileError> {
    let (header, _) = locate(table, columns)?;
    Ok((
        table.rows[header].1.clone(),
        table.rows[header + 1..].to_vec(),
    ))
}

/// A date cell that arrived as an Excel serial number (a date typed in a cell formatted as
/// a number) becomes dd/mm/yyyy; anything else is left for the validator.
fn date_cell(text: String) -> String {
    match text.parse::<f64>() {
        Ok(serial) if (1000.0..100_000.0).contains(&serial) => {
            lantoa_domain::dates::from_excel_serial(serial)
                .map(lantoa_domain::dates::display)
                .unwrap_or(text)
        }
        _ => text,
    }
}

/// The people rows of a table.
pub fn people_rows(table: &Table) -> Result<Vec<Row<PersonInput>>, FileError> {
    Ok(records(table, PEOPLE_COLUMNS)?
        .into_iter()
        .map(|(number, v)| {
            let mut v = v.into_iter();
            let mut next = || v.next().unwrap_or_default();
            let input = PersonInput {
                full_name: next(),
                gender: next(),
                birth_date: date_cell(next()),
                categories: next(),
                member_status: next(),
                party_joined_on: date_cell(next()),
                party_official_on: date_cell(next()),
                party_card_no: next(),
                org_code: next(),
                position: next(),
                is_leader: next(),
                citizen_id: next(),
                phone: next(),
                email: next(),
                note: next(),
            };
            Row { number, input }
        })
        .collect())
}

/// The unit rows of a table.
pub fn org_rows(table: &Table) -> Result<Vec<Row<OrgRowInput>>, FileError> {
    Ok(records(table, ORG_COLUMNS)?
        .into_iter()
        .map(|(number, v)| {
            let mut v = v.into_iter();
            let mut next = || v.next().unwrap_or_default();
            let org = OrgInput {
                code: next(),
                name: next(),
                kind: next(),
                sector: next(),
            };
            Row {
                number,
                input: OrgRowInput {
                    org,
                    parent_code: next(),
                },
            }
        })
        .collect())
}

/// The attendance rows of a table.
pub fn attendance_rows(
    table: &Table,
) -> Result<Vec<Row<lantoa_domain::study::AttendanceRowInput>>, FileError> {
    Ok(records(table, ATTENDANCE_COLUMNS)?
        .into_iter()
        .map(|(number, v)| {
            let mut v = v.into_iter();
            let mut next = || v.next().unwrap_or_default();
            let input = lantoa_domain::study::AttendanceRowInput {
                full_name: next(),
                party_card_no: next(),
                org_code: next(),
                status: next(),
            };
            Row { number, input }
        })
        .collect())
}

/// The plan rows of a table.
pub fn plan_rows(table: &Table) -> Result<Vec<Row<PlanRowInput>>, FileError> {
    Ok(records(table, PLAN_COLUMNS)?
        .into_iter()
        .map(|(number, v)| {
            let mut v = v.into_iter();
            let mut next = || v.next().unwrap_or_default();
            let input = PlanRowInput {
                year: next(),
                full_name: next(),
                party_card_no: next(),
                org_code: next(),
                party_post: next(),
                government_post: next(),
                commitment: CommitmentInput {
                    area: next(),
                    action: next(),
                    measure: next(),
                    deadline: date_cell(next()),
                },
            };
            Row { number, input }
        })
        .collect())
}

/// The propaganda rows of a table.
pub fn propaganda_rows(
    table: &Table,
) -> Result<Vec<Row<lantoa_domain::propaganda::ActivityInput>>, FileError> {
    Ok(records(table, PROPAGANDA_COLUMNS)?
        .into_iter()
        .map(|(number, v)| {
            let mut v = v.into_iter();
            let mut next = || v.next().unwrap_or_default();
            let input = lantoa_domain::propaganda::ActivityInput {
                org_code: next(),
                held_on: date_cell(next()),
                channel: next(),
                topic: next(),
                title: next(),
                quantity: next(),
                reach: next(),
                link: next(),
            };
            Row { number, input }
        })
        .collect())
}

/// A person's input as the cells of an export row, in [`PEOPLE_COLUMNS`] order.
pub fn person_cells(p: &PersonInput) -> [&str; 15] {
    [
        &p.full_name,
        &p.gender,
        &p.birth_date,
        &p.categories,
        &p.member_status,
        &p.party_joined_on,
        &p.party_official_on,
        &p.party_card_no,
        &p.org_code,
        &p.position,
        &p.is_leader,
        &p.citizen_id,
        &p.phone,
        &p.email,
        &p.note,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 1, r.iter().map(|s| s.to_string()).collect()))
                .collect(),
        }
    }

    #[test]
    fn header_below_titles_with_synonyms_in_any_case() {
        let t = table(&[
            &["DANH SÁCH ĐẢNG VIÊN"],
            &["Chi bộ Khu phố 1"],
            &["STT", "HỌ TÊN", "Năm sinh", "Chi bộ", "SĐT"],
            &["1", "Nguyễn Văn An", "44421", "CB1", "0912345678"],
        ]);
        let rows = people_rows(&t).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].number, 4);
        assert_eq!(rows[0].input.full_name, "Nguyễn Văn An");
        assert_eq!(rows[0].input.birth_date, "13/08/2021");
        assert_eq!(rows[0].input.org_code, "CB1");
        assert_eq!(rows[0].input.phone, "0912345678");
    }

    #[test]
    fn missing_required_column_is_named() {
        let t = table(&[&["Họ và tên", "Ngày sinh"], &["An", "01/01/1980"]]);
        assert_eq!(
            people_rows(&t).unwrap_err(),
            FileError::MissingColumns("Mã đơn vị".into())
        );
        let t = table(&[&["a", "b"], &["c", "d"]]);
        assert!(matches!(people_rows(&t), Err(FileError::NoHeader(_))));
    }

    #[test]
    fn org_rows_keep_parent() {
        let t = table(&[
            &["Mã đơn vị", "Tên đơn vị", "Loại", "Mã đơn vị cấp trên"],
            &["CB1", "Chi bộ 1", "Chi bộ trực thuộc", "DB"],
        ]);
        let rows = org_rows(&t).unwrap();
        assert_eq!(rows[0].input.parent_code, "DB");
        assert_eq!(rows[0].input.org.kind, "Chi bộ trực thuộc");
    }
}
