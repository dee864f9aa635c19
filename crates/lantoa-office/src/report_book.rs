//! The year-end report's workbook: every table of the report on a sheet of its own, numbers
//! as numbers (so that staff can sum and chart them again), with native Excel charts where
//! a chart helps (propaganda by month and by channel, models by sector, study per unit).

use crate::export::ExportError;
use lantoa_domain::findings::Finding;
use lantoa_domain::report::{Count, Figures};
use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet};

/// Writes a sheet: a bold header row, then the rows; cells that are whole numbers are
/// written as numbers.
fn table(ws: &mut Worksheet, header: &[&str], rows: &[Vec<String>]) -> Result<(), ExportError> {
    let bold = Format::new().set_bold().set_text_wrap();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, if c == 0 { 45 } else { 16 })?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell.parse::<i64>() {
                Ok(n) if c > 0 => ws.write_number(r, c, n as f64)?,
                _ => ws.write_string(r, c, cell)?,
            };
        }
    }
    Ok(())
}

fn counts(list: &[Count]) -> Vec<Vec<String>> {
    list.iter()
        .map(|c| vec![c.label.clone(), c.n.to_string()])
        .collect()
}

/// A chart of the sheet's first two columns over `rows` rows.
fn chart(kind: ChartType, sheet: &str, title: &str, rows: usize, values_col: u16) -> Chart {
    let mut chart = Chart::new(kind);
    chart
        .add_series()
        .set_categories((sheet, 1, 0, rows as u32, 0))
        .set_values((sheet, 1, values_col, rows as u32, values_col))
        .set_name(title);
    chart.title().set_name(title);
    chart.legend().set_hidden();
    chart
}

/// The workbook of a report's figures and findings.
pub fn report_xlsx(f: &Figures, findings: &[Finding]) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let period = f.period().label();

    let s = &f.study;
    let p = &f.plans;
    let m = &f.models;
    let c = &f.commendations;
    let summary = vec![
        vec!["Đảng viên phải học tập".into(), s.eligible.to_string()],
        vec!["Đảng viên đã học tập".into(), s.studied.to_string()],
        vec!["Buổi học tập, quán triệt".into(), s.sessions.to_string()],
        vec!["Lượt người dân".into(), s.citizens.to_string()],
        vec![
            "Phải xây dựng kế hoạch cá nhân".into(),
            p.required.to_string(),
        ],
        vec!["Đã xây dựng kế hoạch".into(), p.submitted.to_string()],
        vec!["Kế hoạch được duyệt".into(), p.approved.to_string()],
        vec!["Mô hình tiêu biểu".into(), m.total.to_string()],
        vec![
            "Cơ sở đảng có mô hình".into(),
            m.grassroots_with_model.to_string(),
        ],
        vec!["Cơ sở đảng".into(), m.grassroots.to_string()],
        vec![
            "Gương điển hình được đề cử".into(),
            f.exemplars.nominated.to_string(),
        ],
        vec!["Quyết định khen thưởng".into(), c.decisions.to_string()],
        vec!["Tập thể được khen".into(), c.collectives.to_string()],
        vec!["Cá nhân được khen".into(), c.individuals.to_string()],
        vec![
            "Hoạt động tuyên truyền".into(),
            f.propaganda.activities.to_string(),
        ],
        vec![
            "Trong đó chỉ bằng văn bản".into(),
            f.propaganda.documents.to_string(),
        ],
        vec!["Nhiệm vụ trọng tâm".into(), f.tasks.total.to_string()],
        vec!["Nhiệm vụ hoàn thành".into(), f.tasks.done.to_string()],
        vec![
            "Cuộc kiểm tra, giám sát theo kế hoạch".into(),
            f.inspections.planned.to_string(),
        ],
        vec!["Cuộc đã thực hiện".into(), f.inspections.done.to_string()],
        vec![
            "Kiến nghị chưa khắc phục xong".into(),
            f.inspections.open.to_string(),
        ],
        vec![
            "Tác phẩm dự giải thưởng".into(),
            f.award.entries.to_string(),
        ],
    ];
    let ws = book.add_worksheet();
    ws.set_name("Tổng hợp")?;
    table(
        ws,
        &[&format!("{} — {period}", f.unit_name), "Số liệu"],
        &summary,
    )?;

    let units: Vec<Vec<String>> = f
        .children
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.eligible.to_string(),
                c.studied.to_string(),
                c.plan_required.to_string(),
                c.plan_approved.to_string(),
                c.models.to_string(),
                c.activities.to_string(),
                c.documents.to_string(),
                c.silent_months.to_string(),
            ]
        })
        .collect();
    let ws = book.add_worksheet();
    ws.set_name("Đơn vị trực thuộc")?;
    table(
        ws,
        &[
            "Đơn vị",
            "Đảng viên phải học",
            "Đã học tập",
            "Phải có kế hoạch",
            "Kế hoạch được duyệt",
            "Mô hình",
            "Hoạt động tuyên truyền",
            "Chỉ bằng văn bản",
            "Tháng không tuyên truyền",
        ],
        &units,
    )?;
    ws.set_freeze_panes(1, 1)?;

    let months: Vec<Vec<String>> = f
        .propaganda
        .by_month
        .iter()
        .take(f.months())
        .enumerate()
        .map(|(i, n)| vec![format!("Tháng {}", i + 1), n.to_string()])
        .collect();
    let charted: [(&str, &str, Vec<Vec<String>>, ChartType); 4] = [
        (
            "Tuyên truyền theo tháng",
            "Tháng",
            months,
            ChartType::Column,
        ),
        (
            "Tuyên truyền theo hình thức",
            "Hình thức",
            counts(&f.propaganda.by_channel),
            ChartType::Bar,
        ),
        (
            "Mô hình theo khối",
            "Khối",
            counts(&m.by_sector),
            ChartType::Bar,
        ),
        (
            "Khen thưởng theo đối tượng",
            "Đối tượng",
            counts(&c.by_category),
            ChartType::Pie,
        ),
    ];
    for (name, first, rows, kind) in charted {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        table(ws, &[first, "Số lượng"], &rows)?;
        if !rows.is_empty() {
            ws.insert_chart(1, 3, &chart(kind, name, name, rows.len(), 1))?;
        }
    }

    let found: Vec<Vec<String>> = findings
        .iter()
        .map(|x| {
            use lantoa_domain::ClosedList;
            vec![x.rule.label().to_owned(), x.text.clone()]
        })
        .collect();
    let ws = book.add_worksheet();
    ws.set_name("Hạn chế")?;
    table(ws, &["Nội dung", "Số liệu cho thấy"], &found)?;
    ws.set_column_width(1, 120)?;
    Ok(book.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_its_sheet_and_numbers_stay_numbers() {
        let mut f = Figures {
            unit_name: "Đảng bộ thành phố Mỹ Tho".into(),
            first_year: 2024,
            last_year: 2024,
            ..Default::default()
        };
        f.propaganda.by_month = vec![3; 12];
        f.propaganda.activities = 36;
        let bytes = report_xlsx(&f, &[]).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut workbook = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/workbook.xml").unwrap(), &mut workbook)
            .unwrap();
        for sheet in [
            "Tổng hợp",
            "Đơn vị trực thuộc",
            "Tuyên truyền theo tháng",
            "Mô hình theo khối",
            "Hạn chế",
        ] {
            assert!(workbook.contains(sheet), "{sheet}");
        }
        assert!(zip.by_name("xl/charts/chart1.xml").is_ok());
    }
}
