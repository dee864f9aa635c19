//! The city's 2025 inspection plan, as key task 7 reports it: ten party organisations
//! inspected on carrying out Conclusion 01 and the year's topic (eight done), twenty
//! leaders supervised on their personal plans and exemplary role (seventeen done); the
//! conclusions, and recommendations of which most were carried out, some still open and a
//! few overdue.

use crate::StoreError;
use crate::audit::Actor;
use crate::inspections;
use chrono::NaiveDate;
use lantoa_domain::inspections::{
    FollowUpInput, InspectionInput, RecommendationInput, ResultInput,
};
use lantoa_domain::{OrgId, PersonId};

/// Units inspected, by code.
const UNITS: [&str; 10] = [
    "DB-P1", "DB-P2", "DB-P4", "DB-P5", "DB-P6", "DB-XDT", "DB-XTA", "PGDDT", "DTTTH", "DB-TTYT",
];

const STRENGTHS: &str = "Cấp ủy ban hành kế hoạch kịp thời, tổ chức học tập chuyên đề đầy đủ; đảng viên xây dựng kế hoạch cá nhân, nhiều mô hình gắn với nhiệm vụ chính trị của đơn vị.";
const SHORTCOMINGS: &str = "Tuyên truyền chủ yếu lồng ghép bằng văn bản; một số kế hoạch cá nhân còn chung chung, chưa gắn với vị trí công tác; việc sơ kết, biểu dương gương điển hình chưa kịp thời.";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn dmy(d: NaiveDate) -> String {
    lantoa_domain::dates::display(d)
}

/// Plans, concludes and follows up the city's inspections of 2025.
pub(super) async fn inspections<C: crate::Writer>(conn: &C) -> Result<(), StoreError> {
    let Ok(year) = crate::campaign::year(conn, 2025).await else {
        return Ok(());
    };
    let actor = Actor::system("demo");
    let mut codes: Vec<String> = UNITS.iter().map(|c| (*c).to_owned()).collect();
    codes.push(super::ROOT_CODE.to_owned());
    let orgs = crate::org::by_codes(conn, &codes).await?;
    let Some(city) = orgs.get(super::ROOT_CODE) else {
        return Ok(());
    };
    let invalid = |e| StoreError::Invalid(e);
    // Ten organisations, two a month from March, on Conclusion 01 and the year's topic.
    let mut planned = Vec::new();
    for (i, code) in UNITS.iter().enumerate() {
        let Some(unit) = orgs.get(*code) else {
            continue;
        };
        let starts = date(2025, 3 + (i / 2) as u32, 5 + (i % 2) as u32 * 12);
        let draft = InspectionInput {
            kind: "kiem_tra".into(),
            focus: if i % 2 == 0 {
                "ket_luan_01"
            } else {
                "chuyen_de_nam"
            }
            .into(),
            content: format!(
                "Việc lãnh đạo, chỉ đạo thực hiện Kết luận 01-KL/TW và Chuyên đề năm 2025 của {}",
                unit.name
            ),
            team: "Ủy ban Kiểm tra Thành ủy (trưởng đoàn), Ban Tuyên giáo Thành ủy".into(),
            starts_on: dmy(starts),
            ends_on: dmy(starts + chrono::Duration::days(10)),
        }
        .validate(year.year)
        .map_err(invalid)?;
        let id = inspections::plan(conn, &actor, city, &year, &draft, unit, None).await?;
        planned.push((id, unit.id, starts, i < 8));
    }
    // Twenty leaders of the units under the city, on their personal plans and example.
    let leaders = inspections::subject_people(conn, city.id).await?;
    for (i, leader) in leaders
        .iter()
        .filter(|p| p.org_id != city.id.0)
        .step_by(3)
        .take(20)
        .enumerate()
    {
        let starts = date(2025, 4 + (i % 7) as u32, 3 + (i % 20) as u32);
        let draft = InspectionInput {
            kind: if i % 3 == 0 {
                "giam_sat_chuyen_de"
            } else {
                "giam_sat_thuong_xuyen"
            }
            .into(),
            focus: if i % 2 == 0 {
                "ke_hoach_ca_nhan"
            } else {
                "vai_tro_neu_guong"
            }
            .into(),
            content: format!(
                "Việc thực hiện kế hoạch cá nhân và vai trò nêu gương của đồng chí {} năm 2025",
                leader.full_name
            ),
            team: "Ủy ban Kiểm tra Thành ủy".into(),
            starts_on: dmy(starts),
            ends_on: dmy(starts + chrono::Duration::days(5)),
        }
        .validate(year.year)
        .map_err(invalid)?;
        let unit = crate::org::get(conn, OrgId(leader.org_id)).await?;
        let id = inspections::plan(
            conn,
            &actor,
            city,
            &year,
            &draft,
            &unit,
            Some(PersonId(leader.id)),
        )
        .await?;
        planned.push((id, unit.id, starts, i < 17));
    }
    let today = date(2025, 12, 31);
    for (n, (id, unit, starts, done)) in planned.into_iter().enumerate() {
        if !done {
            continue;
        }
        let concluded = starts + chrono::Duration::days(20);
        let result = ResultInput {
            concluded_on: dmy(concluded),
            conclusion: "Đối tượng được kiểm tra, giám sát đã thực hiện nghiêm túc các nội dung; cần khắc phục một số hạn chế nêu dưới đây.".into(),
            strengths: STRENGTHS.into(),
            shortcomings: SHORTCOMINGS.into(),
        }
        .validate(starts, today)
        .map_err(invalid)?;
        inspections::record_result(conn, &actor, id, &result).await?;
        // Organisations get a recommendation each; one leader in three does too.
        if n >= UNITS.len() && n % 3 != 0 {
            continue;
        }
        let inspection = inspections::inspection(conn, id).await?;
        let responsible = crate::org::get(conn, unit).await?;
        let recommendation = RecommendationInput {
            content: if n < UNITS.len() {
                "Đổi mới hình thức tuyên truyền, giảm lồng ghép bằng văn bản; bổ sung kế hoạch cá nhân còn chung chung".into()
            } else {
                "Cụ thể hóa kế hoạch cá nhân theo chức trách; báo cáo kết quả với chi bộ".into()
            },
            deadline: dmy(concluded + chrono::Duration::days(60)),
        }
        .validate(concluded)
        .map_err(invalid)?;
        let rid = inspections::recommend(
            conn,
            &actor,
            &inspection,
            city,
            &responsible,
            &recommendation,
        )
        .await?;
        // Most are carried out; every fourth is under way, every seventh not yet begun.
        let status = match n % 7 {
            0 => continue,
            _ if n % 4 == 0 => "dang_khac_phuc",
            _ => "da_khac_phuc",
        };
        let follow = FollowUpInput {
            status: status.into(),
            note: "Đã tổ chức kiểm điểm, bổ sung kế hoạch và báo cáo Ủy ban Kiểm tra Thành ủy"
                .into(),
        }
        .validate()
        .map_err(invalid)?;
        let on = concluded + chrono::Duration::days(45);
        inspections::follow_up(conn, &actor, rid, &follow, on).await?;
        super::backdate_latest(
            conn,
            "recommendation_follow_ups",
            "recommendation_id",
            rid,
            on,
        )
        .await?;
    }
    Ok(())
}
