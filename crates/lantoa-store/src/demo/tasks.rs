//! The seven key tasks the city committee's standing board set for 2025 in the seed's
//! closing part, led by the units it names, with the progress their units reported: most
//! done, the inspection task late and one still under way past its deadline.

use crate::StoreError;
use crate::audit::Actor;
use crate::org::Org;
use crate::tasks;
use lantoa_domain::tasks::{KeyTaskInput, ProgressInput};

/// Number, content, documents, lead, coordinating units, deadline, target.
type SeedTask = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
);

const TASKS: [SeedTask; 7] = [
    (
        "1",
        "Lãnh đạo, chỉ đạo thực hiện nghiêm Kết luận 01-KL/TW của Bộ Chính trị và Kế hoạch 46-KH/TU về Chuyên đề toàn khóa 2021–2026, Chuyên đề năm 2025 gắn với thực hiện Kết luận 21-KL/TW và Nghị quyết Đại hội Đảng bộ các cấp nhiệm kỳ 2020–2025",
        "Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị; Kế hoạch số 46-KH/TU ngày 13/8/2021 của Ban Thường vụ Thành ủy",
        "BTG",
        &["DB-P1", "DB-P5", "DB-XTA"],
        "30/06/2025",
        "100% tổ chức cơ sở đảng ban hành kế hoạch thực hiện Chuyên đề năm 2025",
    ),
    (
        "2",
        "Tuyên truyền trong đoàn viên, hội viên và nhân dân những nội dung cốt lõi của tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với tuyên truyền gương điển hình, mô hình hay, cách làm sáng tạo",
        "",
        "BTG",
        &["MTTQ", "TD", "HLHPN"],
        "31/12/2025",
        "Mỗi chi bộ, chi đoàn, chi hội có ít nhất một buổi sinh hoạt chuyên đề về gương điển hình",
    ),
    (
        "3",
        "Xây dựng kế hoạch học tập và làm theo Bác gắn với cam kết tu dưỡng, rèn luyện, phấn đấu theo chuyên đề năm và từng đối tượng",
        "Hướng dẫn của Ban Tuyên giáo Thành ủy về xây dựng kế hoạch cá nhân năm 2025",
        "BTG",
        &["DB-P1", "DB-P5"],
        "31/03/2025",
        "100% đảng viên có kế hoạch cá nhân được chi bộ duyệt",
    ),
    (
        "4",
        "Nâng cao chất lượng, duy trì các chuyên trang, chuyên mục, tin, bài tuyên truyền, cổ vũ, phát hiện và nhân rộng điển hình tiên tiến, gương người tốt việc tốt",
        "",
        "DTTTH",
        &["BTG"],
        "31/12/2025",
        "Chuyên mục phát sóng đều đặn hằng tháng; ít nhất 24 tin, bài về gương điển hình, mô hình trong năm",
    ),
    (
        "5",
        "Đưa nội dung cốt lõi về tư tưởng, đạo đức, phong cách Hồ Chí Minh vào chương trình giảng dạy cho cán bộ, đảng viên và học sinh các cấp học",
        "",
        "PGDDT",
        &["TTCT"],
        "31/05/2025",
        "100% trường học và lớp bồi dưỡng lý luận chính trị có nội dung về tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    ),
    (
        "6",
        "Phát động Giải thưởng sáng tác, quảng bá tác phẩm văn học, nghệ thuật, báo chí về chủ đề «Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh» giai đoạn 2023–2025",
        "",
        "BTG",
        &["PVHTT", "TD"],
        "30/09/2025",
        "Tổ chức chấm và trao giải đợt 2023–2025",
    ),
    (
        "7",
        "Tăng cường kiểm tra, giám sát việc thực hiện Kết luận 01-KL/TW và Chuyên đề năm 2025, chú trọng việc thực hiện kế hoạch cá nhân và vai trò nêu gương của cán bộ lãnh đạo, người đứng đầu; kịp thời biểu dương, khen thưởng tập thể, cá nhân tiêu biểu",
        "",
        "UBKT",
        &["BTG", "CQD"],
        "30/11/2025",
        "Kiểm tra, giám sát ít nhất 10 tổ chức đảng và 20 cán bộ lãnh đạo",
    ),
];

/// A report: task number, reporting unit, date (year, month, day), status, percent,
/// narrative.
type SeedReport = (
    i32,
    &'static str,
    (i32, u32, u32),
    &'static str,
    &'static str,
    &'static str,
);

const REPORTS: &[SeedReport] = &[
    (
        1,
        "DB-P5",
        (2025, 3, 20),
        "dang_thuc_hien",
        "70",
        "Đảng ủy phường 5 đã ban hành kế hoạch; 10/14 chi bộ trực thuộc đã xây dựng kế hoạch thực hiện chuyên đề",
    ),
    (
        1,
        "BTG",
        (2025, 6, 25),
        "hoan_thanh",
        "100",
        "75/75 tổ chức cơ sở đảng đã ban hành kế hoạch thực hiện Chuyên đề năm 2025",
    ),
    (
        2,
        "TD",
        (2025, 5, 19),
        "dang_thuc_hien",
        "50",
        "Các chi đoàn sinh hoạt chủ đề «Học tập và làm theo Bác» dịp kỷ niệm ngày sinh Chủ tịch Hồ Chí Minh",
    ),
    (
        2,
        "BTG",
        (2025, 12, 20),
        "hoan_thanh",
        "100",
        "Các chi bộ, chi đoàn, chi hội đều tổ chức sinh hoạt chuyên đề về gương điển hình",
    ),
    (
        3,
        "BTG",
        (2025, 3, 28),
        "hoan_thanh",
        "100",
        "Đảng viên đã xây dựng kế hoạch cá nhân và được chi bộ duyệt; số liệu theo dõi trên Lan Tỏa",
    ),
    (
        4,
        "DTTTH",
        (2025, 6, 30),
        "dang_thuc_hien",
        "45",
        "Duy trì chuyên mục «Học tập và làm theo Bác» mỗi tháng; phát 11 tin, bài về gương điển hình",
    ),
    (
        4,
        "DTTTH",
        (2025, 12, 29),
        "hoan_thanh",
        "100",
        "Phát 26 tin, bài về gương điển hình, mô hình; chuyên mục phát sóng đủ 12 tháng",
    ),
    (
        5,
        "PGDDT",
        (2025, 5, 30),
        "hoan_thanh",
        "100",
        "Các trường lồng ghép nội dung vào môn Đạo đức, Giáo dục công dân và hoạt động ngoài giờ",
    ),
    (
        6,
        "BTG",
        (2025, 9, 26),
        "hoan_thanh",
        "100",
        "Đã chấm chung khảo và tổng kết, trao giải đợt 2023–2025",
    ),
    (
        7,
        "UBKT",
        (2025, 9, 15),
        "dang_thuc_hien",
        "60",
        "Đã kiểm tra 6 tổ chức đảng và giám sát 12 cán bộ lãnh đạo",
    ),
    (
        7,
        "UBKT",
        (2025, 11, 25),
        "cham",
        "80",
        "Đã kiểm tra 8/10 tổ chức đảng, giám sát 17/20 cán bộ lãnh đạo; 2 cuộc kiểm tra lùi sang quý I/2026",
    ),
];

/// Sets the seven tasks of 2025 and reports their progress, dated as the seed's year ran.
pub(super) async fn key_tasks<C: crate::Writer>(conn: &C) -> Result<(), StoreError> {
    let Ok(year) = crate::campaign::year(conn, 2025).await else {
        return Ok(());
    };
    let actor = Actor::system("demo");
    let mut codes = vec![super::ROOT_CODE.to_owned()];
    for (_, _, _, lead, coordinating, _, _) in TASKS {
        codes.push(lead.to_owned());
        codes.extend(coordinating.iter().map(|c| (*c).to_owned()));
    }
    let orgs = crate::org::by_codes(conn, &codes).await?;
    let unit = |code: &str| -> Result<&Org, StoreError> {
        orgs.get(code)
            .ok_or_else(|| StoreError::invalid("demo", format!("no unit {code}")))
    };
    let city = unit(super::ROOT_CODE)?;
    let mut ids = Vec::new();
    for (number, content, documents, lead, coordinating, deadline, target) in TASKS {
        let draft = KeyTaskInput {
            number: number.into(),
            content: content.into(),
            documents: documents.into(),
            deadline: deadline.into(),
            target: target.into(),
        }
        .validate(year.year)
        .map_err(StoreError::Invalid)?;
        let coordinating: Vec<Org> = coordinating
            .iter()
            .map(|c| unit(c).cloned())
            .collect::<Result<_, _>>()?;
        let id = tasks::create(
            conn,
            &actor,
            city,
            &year,
            &draft,
            unit(lead)?,
            &coordinating,
        )
        .await?;
        ids.push(id);
    }
    for (number, code, (y, m, d), status, percent, narrative) in REPORTS {
        let task = ids[(*number - 1) as usize];
        let draft = ProgressInput {
            status: (*status).into(),
            percent: (*percent).into(),
            narrative: (*narrative).into(),
        }
        .validate()
        .map_err(StoreError::Invalid)?;
        tasks::report(conn, &actor, task, unit(code)?.id, &draft, None).await?;
        let on = chrono::NaiveDate::from_ymd_opt(*y, *m, *d).unwrap_or_default();
        super::backdate_latest(conn, "key_task_updates", "key_task_id", task, on).await?;
    }
    Ok(())
}
