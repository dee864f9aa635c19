//! The courses of 2024 and 2025 in which the political centre and the education office
//! taught the campaign's content (key task 5 of 2025), and a few schools' own lessons.

use crate::StoreError;
use crate::audit::Actor;
use crate::teaching;
use lantoa_domain::teaching::CourseInput;

/// Unit, name, audience, content, classes, learners, hours, from, to (day/month).
type SeedCourse = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
    u32,
    u32,
    &'static str,
    &'static str,
);

const COURSES: [SeedCourse; 7] = [
    (
        "TTCT",
        "Lớp bồi dưỡng lý luận chính trị cho đảng viên mới",
        "dang_vien_moi",
        "Bài 2: Tư tưởng Hồ Chí Minh; Bài 9: Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        3,
        142,
        10,
        "03/03",
        "14/03",
    ),
    (
        "TTCT",
        "Lớp bồi dưỡng nhận thức về Đảng",
        "cam_tinh_dang",
        "Bài 1: Chủ nghĩa Mác – Lênin, tư tưởng Hồ Chí Minh",
        4,
        196,
        5,
        "07/04",
        "12/04",
    ),
    (
        "TTCT",
        "Lớp trung cấp lý luận chính trị – hành chính",
        "can_bo_dang_vien",
        "Học phần Tư tưởng Hồ Chí Minh; chuyên đề năm",
        1,
        68,
        30,
        "15/05",
        "30/11",
    ),
    (
        "PGDDT",
        "Môn Đạo đức lớp 1–5",
        "tieu_hoc",
        "Bài học «Làm theo lời Bác dạy»; kể chuyện Bác Hồ",
        212,
        7410,
        35,
        "05/09",
        "31/12",
    ),
    (
        "PGDDT",
        "Giáo dục công dân lớp 6–9",
        "thcs",
        "Chủ đề tự hào truyền thống, tư tưởng Hồ Chí Minh về đạo đức",
        118,
        4820,
        18,
        "05/09",
        "31/12",
    ),
    (
        "PGDDT",
        "Hoạt động trải nghiệm «Kể chuyện Bác Hồ» ở trường mầm non",
        "mam_non",
        "Kể chuyện, hát về Bác",
        96,
        2860,
        8,
        "05/09",
        "31/12",
    ),
    (
        "PGDDT",
        "Bồi dưỡng chính trị hè cho cán bộ quản lý, giáo viên",
        "can_bo_dang_vien",
        "Chuyên đề năm; học tập và làm theo Bác trong ngành giáo dục",
        6,
        1135,
        8,
        "20/07",
        "31/07",
    ),
];

/// Records the courses of 2024 and 2025 (a few more learners the second year).
pub(super) async fn teaching<C: crate::Writer>(conn: &C) -> Result<(), StoreError> {
    let actor = Actor::system("demo");
    let units = crate::org::by_codes(conn, &["TTCT".to_owned(), "PGDDT".to_owned()]).await?;
    for y in [2024, 2025] {
        let Ok(year) = crate::campaign::year(conn, y).await else {
            continue;
        };
        for (code, name, audience, content, classes, learners, hours, from, to) in COURSES {
            let Some(unit) = units.get(code) else {
                continue;
            };
            let learners = if y == 2025 {
                learners + learners / 20
            } else {
                learners
            };
            let draft = CourseInput {
                name: format!("{name} năm {y}"),
                audience: audience.into(),
                content: content.into(),
                classes: classes.to_string(),
                learners: learners.to_string(),
                hours: hours.to_string(),
                starts_on: format!("{from}/{y}"),
                ends_on: format!("{to}/{y}"),
            }
            .validate(y)
            .map_err(StoreError::Invalid)?;
            teaching::create(conn, &actor, unit, &year, &draft).await?;
        }
    }
    Ok(())
}
