//! The demo city: the Mỹ Tho city Party committee of the seed report, with about 75
//! grassroots organisations of the kinds and sectors the report names, their cells and
//! neighbourhoods, and about 9 000 people. Built from a fixed seed, so it is the same on
//! every run; later modules add the campaign year's records to this same city.

mod award;
mod inspections;
mod propaganda;
mod tasks;
mod teaching;

use crate::StoreError;
use crate::Writer as _;
use crate::synth::{self, PeopleMaker, Population};
use chrono::NaiveDate;
use lantoa_domain::accounts::Role;
use lantoa_domain::models::{ModelCategory, ModelState};
use lantoa_domain::org::{OrgKind, Sector};
use lantoa_domain::people::{Gender, PersonDraft};
use lantoa_domain::{ClosedList, OrgId, PersonId};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use std::collections::HashMap;

/// Code of the demo's root unit.
pub const ROOT_CODE: &str = "TU-MYTHO";
const SEED: u64 = 2024;

type Unit = (String, String, OrgKind, Sector, Option<String>);

struct Plan {
    units: Vec<Unit>,
    /// Unit code, population, how many people.
    staffing: Vec<(String, Population, usize)>,
    /// Unit code, position title, leader flag: filled by the first people of the unit.
    posts: Vec<(String, &'static str, bool)>,
}

impl Plan {
    fn unit(&mut self, code: &str, name: &str, kind: OrgKind, sector: Sector, parent: &str) {
        self.units.push((
            code.to_owned(),
            name.to_owned(),
            kind,
            sector,
            Some(parent.to_owned()),
        ));
    }

    fn staff(&mut self, code: &str, population: Population, count: usize) {
        self.staffing.push((code.to_owned(), population, count));
    }
}

const WARDS: &[(&str, &str, usize)] = &[
    ("P1", "Phường 1", 6),
    ("P2", "Phường 2", 5),
    ("P3", "Phường 3", 5),
    ("P4", "Phường 4", 7),
    ("P5", "Phường 5", 8),
    ("P6", "Phường 6", 7),
    ("P7", "Phường 7", 5),
    ("P8", "Phường 8", 6),
    ("P9", "Phường 9", 6),
    ("P10", "Phường 10", 6),
    ("PTL", "Phường Tân Long", 4),
];
const COMMUNES: &[(&str, &str, usize)] = &[
    ("XDT", "Xã Đạo Thạnh", 6),
    ("XMP", "Xã Mỹ Phong", 6),
    ("XPT", "Xã Phước Thạnh", 5),
    ("XTMC", "Xã Tân Mỹ Chánh", 5),
    ("XTS", "Xã Thới Sơn", 4),
    ("XTA", "Xã Trung An", 6),
];
const AGENCIES: &[(&str, &str)] = &[
    ("VP-UBND", "Chi bộ Văn phòng HĐND và UBND thành phố"),
    ("PGDDT", "Chi bộ Phòng Giáo dục và Đào tạo"),
    ("PYT", "Chi bộ Phòng Y tế"),
    ("PTCKH", "Chi bộ Phòng Tài chính - Kế hoạch"),
    ("PNV", "Chi bộ Phòng Nội vụ"),
    ("PVHTT", "Chi bộ Phòng Văn hóa và Thông tin"),
    ("PTNMT", "Chi bộ Phòng Tài nguyên và Môi trường"),
    ("PQLDT", "Chi bộ Phòng Quản lý đô thị"),
    ("PKT", "Chi bộ Phòng Kinh tế"),
    ("PLDTBXH", "Chi bộ Phòng Lao động - Thương binh và Xã hội"),
    ("TTRA", "Chi bộ Thanh tra thành phố"),
    ("TAND", "Chi bộ Tòa án nhân dân thành phố"),
    ("VKSND", "Chi bộ Viện Kiểm sát nhân dân thành phố"),
    ("CCTHA", "Chi bộ Chi cục Thi hành án dân sự"),
    ("CCT", "Chi bộ Chi cục Thuế khu vực"),
    ("KBNN", "Chi bộ Kho bạc Nhà nước thành phố"),
    ("DTTTH", "Chi bộ Đài Truyền thanh - Truyền hình thành phố"),
    ("TTCT", "Chi bộ Trung tâm Chính trị thành phố"),
    ("TTVHTT", "Chi bộ Trung tâm Văn hóa, Thể thao"),
    ("BHXH", "Chi bộ Bảo hiểm xã hội thành phố"),
    ("BQLDA", "Chi bộ Ban Quản lý dự án đầu tư xây dựng"),
    ("CQD", "Chi bộ Cơ quan Đảng thành phố"),
];
const SCHOOLS: &[(&str, &str)] = &[
    ("THCS-LNH", "Chi bộ Trường THCS Lê Ngọc Hân"),
    ("THCS-XD", "Chi bộ Trường THCS Xuân Diệu"),
    ("THCS-TDT", "Chi bộ Trường THCS Tân Đông"),
    ("THCS-NDC", "Chi bộ Trường THCS Nguyễn Đình Chiểu"),
    ("THCS-PCT", "Chi bộ Trường THCS Phan Châu Trinh"),
    ("THCS-DT", "Chi bộ Trường THCS Đạo Thạnh"),
    ("THCS-MP", "Chi bộ Trường THCS Mỹ Phong"),
    ("TH-TQC", "Chi bộ Trường Tiểu học Thái Quang Cảnh"),
    ("TH-NTMK", "Chi bộ Trường Tiểu học Nguyễn Thị Minh Khai"),
    ("TH-LTT", "Chi bộ Trường Tiểu học Lê Thị Hồng Gấm"),
    ("TH-THD", "Chi bộ Trường Tiểu học Trần Hưng Đạo"),
    ("TH-KD", "Chi bộ Trường Tiểu học Kim Đồng"),
    ("TH-TA", "Chi bộ Trường Tiểu học Trung An"),
    ("TH-TS", "Chi bộ Trường Tiểu học Thới Sơn"),
    ("MN-HM", "Chi bộ Trường Mầm non Họa Mi"),
    ("MN-SM", "Chi bộ Trường Mầm non Sơn Ca"),
    ("MN-HS", "Chi bộ Trường Mầm non Hoa Sen"),
    ("MN-VA", "Chi bộ Trường Mầm non Vàng Anh"),
    ("MN-TM", "Chi bộ Trường Mầm non Tân Mỹ Chánh"),
    ("MN-PT", "Chi bộ Trường Mầm non Phước Thạnh"),
];
const ENTERPRISES: &[(&str, &str)] = &[
    ("DN-CTN", "Chi bộ Công ty Cổ phần Cấp thoát nước"),
    ("DN-CTDT", "Chi bộ Công ty TNHH MTV Công trình đô thị"),
    ("DN-XSKT", "Chi bộ Công ty Xổ số kiến thiết"),
    ("DN-XK", "Chi bộ Công ty Cổ phần Xuất nhập khẩu"),
    ("DN-BX", "Chi bộ Bến xe thành phố"),
];
const FRONT: &[(&str, &str)] = &[
    ("MTTQ", "Ủy ban MTTQ Việt Nam thành phố"),
    ("TD", "Thành đoàn Mỹ Tho"),
    ("HLHPN", "Hội Liên hiệp Phụ nữ thành phố"),
    ("HND", "Hội Nông dân thành phố"),
    ("HCCB", "Hội Cựu chiến binh thành phố"),
    ("LDLD", "Liên đoàn Lao động thành phố"),
];

fn plan() -> Plan {
    let mut p = Plan {
        units: Vec::new(),
        staffing: Vec::new(),
        posts: Vec::new(),
    };
    p.units.push((
        ROOT_CODE.to_owned(),
        "Đảng bộ thành phố Mỹ Tho".to_owned(),
        OrgKind::DistrictCommittee,
        Sector::Administration,
        None,
    ));
    p.unit(
        "BTG",
        "Ban Tuyên giáo Thành ủy",
        OrgKind::Agency,
        Sector::Administration,
        ROOT_CODE,
    );
    p.staff("BTG", Population::StaffMembers, 9);
    p.posts
        .push(("BTG", "Trưởng Ban Tuyên giáo Thành ủy", true).into_owned());
    p.posts
        .push(("BTG", "Phó Trưởng Ban Tuyên giáo Thành ủy", true).into_owned());
    p.unit(
        "UBKT",
        "Ủy ban Kiểm tra Thành ủy",
        OrgKind::Agency,
        Sector::Administration,
        ROOT_CODE,
    );
    for (i, (code, name, cells)) in WARDS.iter().chain(COMMUNES).enumerate() {
        let is_ward = i < WARDS.len();
        let committee = format!("DB-{code}");
        p.unit(
            &committee,
            &format!("Đảng bộ {name}"),
            OrgKind::GrassrootsCommittee,
            Sector::WardCommune,
            ROOT_CODE,
        );
        p.staff(&committee, Population::StaffMembers, 3);
        p.posts.push((committee.clone(), "Bí thư Đảng ủy", true));
        p.posts
            .push((committee.clone(), "Phó Bí thư Thường trực Đảng ủy", true));
        let area = if is_ward { "Khu phố" } else { "Ấp" };
        for n in 1..=*cells {
            let cell = format!("{committee}-CB{n}");
            p.unit(
                &cell,
                &format!("Chi bộ {area} {n}, {name}"),
                OrgKind::Cell,
                Sector::WardCommune,
                &committee,
            );
            p.staff(
                &cell,
                Population::ResidentMembers,
                14 + (n * 5 + i * 3) % 13,
            );
            p.posts.push((cell.clone(), "Bí thư Chi bộ", true));
            let hood = format!("{code}-KP{n}");
            p.unit(
                &hood,
                &format!("{area} {n}, {name}"),
                OrgKind::Neighbourhood,
                Sector::WardCommune,
                &committee,
            );
            p.staff(&hood, Population::Residents, 36 + (n * 7 + i * 5) % 21);
            p.posts.push((
                hood.clone(),
                if is_ward {
                    "Trưởng khu phố"
                } else {
                    "Trưởng ấp"
                },
                false,
            ));
        }
        for (suffix, label, sector, population) in [
            ("CA", "Chi bộ Công an", Sector::Police, Population::Forces),
            ("QS", "Chi bộ Quân sự", Sector::Military, Population::Forces),
            (
                "CQ",
                "Chi bộ Cơ quan",
                Sector::Administration,
                Population::StaffMembers,
            ),
        ] {
            let cell = format!("{committee}-{suffix}");
            let place = match name.split_once(' ') {
                Some((first, rest)) => format!("{} {rest}", first.to_lowercase()),
                None => name.to_string(),
            };
            p.unit(
                &cell,
                &format!("{label} {place}"),
                OrgKind::Cell,
                sector,
                &committee,
            );
            p.staff(&cell, population, 9 + (i * 7) % 8);
            p.posts.push((cell.clone(), "Bí thư Chi bộ", true));
        }
    }
    for (code, name) in AGENCIES {
        p.unit(
            code,
            name,
            OrgKind::GrassrootsCell,
            Sector::Administration,
            ROOT_CODE,
        );
        p.staff(code, Population::StaffMembers, 10 + code.len() % 9);
        p.staff(code, Population::Staff, 4 + code.len() % 5);
        p.posts
            .push((code.to_string(), "Bí thư Chi bộ, Trưởng phòng", true));
    }
    for (i, (code, name)) in SCHOOLS.iter().enumerate() {
        p.unit(
            code,
            name,
            OrgKind::GrassrootsCell,
            Sector::Education,
            ROOT_CODE,
        );
        p.staff(code, Population::StaffMembers, 11 + i % 9);
        p.staff(code, Population::Staff, 12 + i % 11);
        p.posts
            .push((code.to_string(), "Bí thư Chi bộ, Hiệu trưởng", true));
    }
    p.unit(
        "DB-TTYT",
        "Đảng bộ Trung tâm Y tế thành phố",
        OrgKind::GrassrootsCommittee,
        Sector::Health,
        ROOT_CODE,
    );
    p.posts.push((
        "DB-TTYT".to_owned(),
        "Bí thư Đảng ủy, Giám đốc Trung tâm",
        true,
    ));
    p.staff("DB-TTYT", Population::StaffMembers, 3);
    for (n, label) in [
        "Khối Điều trị",
        "Khối Dự phòng",
        "Khối Hành chính",
        "Trạm Y tế phường, xã",
    ]
    .iter()
    .enumerate()
    {
        let cell = format!("DB-TTYT-CB{}", n + 1);
        p.unit(
            &cell,
            &format!("Chi bộ {label}"),
            OrgKind::Cell,
            Sector::Health,
            "DB-TTYT",
        );
        p.staff(&cell, Population::StaffMembers, 18 + n * 3);
        p.staff(&cell, Population::Staff, 25);
        p.posts.push((cell, "Bí thư Chi bộ", true));
    }
    for (code, name) in [
        ("BV-YHCT", "Chi bộ Bệnh viện Y học cổ truyền"),
        ("TTDS", "Chi bộ Trung tâm Dân số"),
    ] {
        p.unit(
            code,
            name,
            OrgKind::GrassrootsCell,
            Sector::Health,
            ROOT_CODE,
        );
        p.staff(code, Population::StaffMembers, 14);
        p.staff(code, Population::Staff, 16);
        p.posts.push((code.to_owned(), "Bí thư Chi bộ", true));
    }
    for (committee, name, sector, cells) in [
        (
            "DB-CA",
            "Đảng bộ Công an thành phố",
            Sector::Police,
            [
                "Đội Cảnh sát hình sự",
                "Đội An ninh",
                "Đội Cảnh sát giao thông",
                "Đội Tham mưu",
                "Đội Cảnh sát quản lý hành chính",
            ]
            .as_slice(),
        ),
        (
            "DB-QS",
            "Đảng bộ Quân sự thành phố",
            Sector::Military,
            ["Ban Chỉ huy", "Đại đội Bộ binh", "Ban Tham mưu"].as_slice(),
        ),
    ] {
        p.unit(
            committee,
            name,
            OrgKind::GrassrootsCommittee,
            sector,
            ROOT_CODE,
        );
        p.staff(committee, Population::Forces, 3);
        p.posts.push((committee.to_owned(), "Bí thư Đảng ủy", true));
        for (n, label) in cells.iter().enumerate() {
            let cell = format!("{committee}-CB{}", n + 1);
            p.unit(
                &cell,
                &format!("Chi bộ {label}"),
                OrgKind::Cell,
                sector,
                committee,
            );
            p.staff(&cell, Population::Forces, 15 + n * 2);
            p.posts.push((cell, "Bí thư Chi bộ", true));
        }
    }
    p.unit(
        "CB-MTTQ",
        "Chi bộ Cơ quan MTTQ và các đoàn thể thành phố",
        OrgKind::GrassrootsCell,
        Sector::FrontAndUnions,
        ROOT_CODE,
    );
    p.staff("CB-MTTQ", Population::StaffMembers, 16);
    p.posts.push((
        "CB-MTTQ".to_owned(),
        "Bí thư Chi bộ, Chủ tịch Ủy ban MTTQ",
        true,
    ));
    for (code, name) in FRONT {
        p.unit(
            code,
            name,
            OrgKind::FrontOrUnion,
            Sector::FrontAndUnions,
            ROOT_CODE,
        );
        p.staff(code, Population::Residents, 40);
        p.posts.push((code.to_string(), "Chủ tịch", true));
    }
    for (code, name) in ENTERPRISES {
        p.unit(
            code,
            name,
            OrgKind::GrassrootsCell,
            Sector::Enterprise,
            ROOT_CODE,
        );
        p.staff(code, Population::StaffMembers, 9 + code.len() % 6);
        p.staff(code, Population::Staff, 15);
        p.posts
            .push((code.to_string(), "Bí thư Chi bộ, Giám đốc", true));
    }
    p
}

trait IntoOwnedPost {
    fn into_owned(self) -> (String, &'static str, bool);
}

impl IntoOwnedPost for (&str, &'static str, bool) {
    fn into_owned(self) -> (String, &'static str, bool) {
        (self.0.to_owned(), self.1, self.2)
    }
}

/// What the demo loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSummary {
    /// Units.
    pub orgs: usize,
    /// People.
    pub people: usize,
    /// The study years.
    pub study: StudySummary,
}

/// The people of the demo, in a fixed order.
fn people(plan: &Plan, today: NaiveDate) -> Vec<PersonDraft> {
    let mut maker = PeopleMaker::new(SEED, today);
    let mut drafts = Vec::new();
    for (code, population, count) in &plan.staffing {
        let posts: Vec<&(String, &str, bool)> =
            plan.posts.iter().filter(|(c, _, _)| c == code).collect();
        for i in 0..*count {
            let (position, leader) = match posts.get(i) {
                Some((_, title, leader)) if *population != Population::Staff => {
                    (Some(*title), *leader)
                }
                _ => (None, false),
            };
            drafts.push(maker.person(*population, code, position, leader));
        }
    }
    // The head of the propaganda board quoted in the seed report.
    if let Some(head) = drafts
        .iter_mut()
        .find(|d| d.position.as_deref() == Some("Trưởng Ban Tuyên giáo Thành ủy"))
    {
        head.full_name = "Nguyễn Văn Đức".to_owned();
        head.gender = Some(Gender::Male);
    }
    drafts
}

/// Loads the demo city into an empty database, in one transaction.
pub async fn load(db: &DatabaseConnection, today: NaiveDate) -> Result<DemoSummary, StoreError> {
    let plan = plan();
    let drafts = people(&plan, today);
    let txn = db.begin_write().await?;
    let orgs = synth::create_orgs(&txn, &crate::audit::Actor::system("demo"), &plan.units).await?;
    let people = synth::insert_people(&txn, &orgs, drafts).await?;
    let study = study_years(&txn, &orgs).await?;
    documents(&txn, &orgs, today).await?;
    plans(&txn).await?;
    ratings(&txn).await?;
    models(&txn, &orgs).await?;
    exemplars(&txn).await?;
    tasks::key_tasks(&txn).await?;
    inspections::inspections(&txn).await?;
    propaganda::propaganda(&txn).await?;
    teaching::teaching(&txn).await?;
    award::award(&txn).await?;
    txn.commit().await?;
    Ok(DemoSummary {
        orgs: orgs.len(),
        people,
        study,
    })
}

/// Dates the latest row of `table` belonging to `owner` (by `owner_column`) at 9:00 on
/// `on`: a report the demo makes was made on its day of the campaign year, not on the day
/// the demo was loaded. Table and column names are ours.
async fn backdate_latest<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    owner_column: &str,
    owner: i64,
    on: NaiveDate,
) -> Result<(), StoreError> {
    let at = on.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc();
    crate::sql::exec(
        conn,
        &format!(
            "UPDATE {table} SET created_at = $1, updated_at = $1 \
             WHERE id = (SELECT MAX(id) FROM {table} WHERE {owner_column} = $2)"
        ),
        vec![at.into(), owner.into()],
    )
    .await?;
    Ok(())
}

/// The full-term topic 2021–2026.
pub const TERM_TOPIC: &str = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về ý chí tự lực, tự cường và khát vọng phát triển đất nước phồn vinh, hạnh phúc";
/// The 2024 topic of the seed.
pub const TOPIC_2024: &str = "Thực hiện phát huy vai trò nêu gương của cán bộ, đảng viên, nhất là cán bộ lãnh đạo, quản lý các cấp";
/// The 2025 topic, tied to Conclusion 21.
pub const TOPIC_2025: &str = "Chuyên đề năm 2025 gắn với thực hiện Kết luận số 21-KL/TW của Ban Chấp hành Trung ương Đảng khóa XIII";
/// Citizens' attendances (lượt) at the 2024 sessions: "hơn 16.700 lượt người dân".
pub const CITIZENS_2024: i64 = 16_742;

/// The guiding documents the seed names (entered by the city committee for the whole city,
/// with no file: the demo does not invent their text), and one ward's own plan.
async fn documents<C: crate::Writer>(
    conn: &C,
    orgs: &[crate::org::Org],
    today: NaiveDate,
) -> Result<(), StoreError> {
    use lantoa_domain::campaign::DocumentInput;
    let actor = crate::audit::Actor::system("demo");
    let years = crate::campaign::years(conn).await?;
    let topic = |year: i32| {
        years
            .iter()
            .find(|y| y.year == year)
            .and_then(|y| y.topics.first())
            .map(|t| t.id)
    };
    let city_wide = [
        (
            ROOT_CODE,
            "01-KL/TW",
            "Bộ Chính trị",
            "18/05/2021",
            "Kết luận của Bộ Chính trị về tiếp tục thực hiện Chỉ thị số 05-CT/TW ngày 15/5/2016 về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            vec![2024, 2025],
            vec![topic(2024), topic(2025)],
        ),
        (
            ROOT_CODE,
            "46-KH/TU",
            "Ban Thường vụ Thành ủy Mỹ Tho",
            "13/08/2021",
            "Kế hoạch thực hiện Kết luận số 01-KL/TW của Bộ Chính trị trên địa bàn thành phố Mỹ Tho",
            vec![2024, 2025],
            vec![topic(2024), topic(2025)],
        ),
        (
            ROOT_CODE,
            "21-KL/TW",
            "Ban Chấp hành Trung ương Đảng khóa XIII",
            "25/10/2021",
            "Kết luận về đẩy mạnh xây dựng, chỉnh đốn Đảng và hệ thống chính trị; kiên quyết ngăn chặn, đẩy lùi, xử lý nghiêm cán bộ, đảng viên suy thoái",
            vec![2025],
            vec![topic(2025)],
        ),
        (
            "DB-P5",
            "09-KH/ĐU",
            "Ban Thường vụ Đảng ủy Phường 5",
            "20/02/2024",
            "Kế hoạch học tập, quán triệt chuyên đề năm 2024 trong Đảng bộ Phường 5",
            vec![2024],
            vec![topic(2024)],
        ),
    ];
    for (unit, symbol, issuer, date, title, years, topics) in city_wide {
        let Some(org) = orgs.iter().find(|o| o.code == unit) else {
            continue;
        };
        let draft = DocumentInput {
            symbol: symbol.into(),
            issuer: issuer.into(),
            issued_on: date.into(),
            title: title.into(),
            years,
            topics: topics.into_iter().flatten().collect(),
            ..Default::default()
        }
        .validate(today)
        .map_err(StoreError::Invalid)?;
        crate::campaign::create_document(conn, &actor, org.id, &draft, None).await?;
    }
    Ok(())
}

/// Commitments the demo's plans hold: (area, action, measure), four variants per position.
const DEMO_COMMITMENTS: [[(&str, &str, &str); 4]; 3] = [
    [
        (
            "tu_tuong_chinh_tri",
            "Đọc và ghi chép đầy đủ các chuyên đề, tham gia sinh hoạt chi bộ đúng kỳ",
            "Sổ ghi chép; dự đủ 12/12 kỳ sinh hoạt",
        ),
        (
            "dao_duc_loi_song",
            "Giữ lối sống giản dị, không sử dụng xe công, tài sản công vào việc riêng",
            "Không có phản ánh của nhân dân, đồng nghiệp",
        ),
        (
            "tac_phong",
            "Đi làm đúng giờ, trả lời văn bản của người dân đúng hạn, thái độ niềm nở",
            "100% hồ sơ giải quyết đúng hạn",
        ),
        (
            "tu_tuong_chinh_tri",
            "Tìm hiểu và kể lại một câu chuyện về Bác tại buổi sinh hoạt chi bộ",
            "Một bài nói chuyện trong năm",
        ),
    ],
    [
        (
            "nhiem_vu",
            "Hoàn thành các chỉ tiêu công việc được giao trong năm đúng tiến độ",
            "Chỉ tiêu được giao đạt 100%",
        ),
        (
            "neu_guong",
            "Gương mẫu vận động gia đình chấp hành tốt quy định của khu phố",
            "Gia đình đạt danh hiệu gia đình văn hóa",
        ),
        (
            "nhiem_vu",
            "Đề xuất ít nhất một cách làm mới giúp rút ngắn thời gian xử lý hồ sơ",
            "Một sáng kiến được đơn vị ghi nhận",
        ),
        (
            "neu_guong",
            "Đi đầu tham gia phong trào hiến đất, góp công làm đường giao thông nông thôn",
            "Số ngày công đóng góp",
        ),
    ],
    [
        (
            "neu_guong",
            "Tham gia giúp đỡ ít nhất một hộ khó khăn trong khu phố",
            "Một hộ được hỗ trợ thường xuyên",
        ),
        (
            "tac_phong",
            "Không để tồn đọng công việc quá hạn, báo cáo kết quả hằng tháng với chi bộ",
            "Báo cáo hằng tháng đủ 12 kỳ",
        ),
        (
            "khac",
            "Tham gia hiến máu tình nguyện và các hoạt động từ thiện của địa phương",
            "Ít nhất một lần trong năm",
        ),
        (
            "dao_duc_loi_song",
            "Tự phê bình và sửa hạn chế về tác phong nóng vội đã được chi bộ góp ý",
            "Chi bộ ghi nhận có chuyển biến",
        ),
    ],
];

/// Personal plans of the demo's two years: 2024 finished, 2025 on its way.
async fn plans<C: crate::Writer>(conn: &C) -> Result<(), StoreError> {
    let years = crate::campaign::years(conn).await?;
    for year in years.iter().filter(|y| matches!(y.year, 2024 | 2025)) {
        member_plans(conn, year, year.year == 2024, None).await?;
    }
    Ok(())
}

/// Members' personal plans of a year, set-wise (a few statements, whatever the number of
/// members), for the members whose ids lie in `people` (all when `None`). A `finished` year
/// gives every member a plan, approved, reviewed and assessed, then locked (the seed's
/// 100%); a year on its way has some drafts, some waiting for approval, one returned in
/// twenty, most approved and some reviewed at mid-year — and 15% of members have none yet,
/// so the follow-up lists have work. The demo and `lantoa generate` both use it.
pub(crate) async fn member_plans<C: crate::Writer>(
    conn: &C,
    year: &crate::campaign::CampaignYear,
    finished: bool,
    people: Option<(i64, i64)>,
) -> Result<(), StoreError> {
    use crate::sql;
    let y = year.year;
    let at = |m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .map(|t| t.and_utc())
    };
    let range = |column: &str| match people {
        Some((first, last)) => format!(" AND {column} BETWEEN {first} AND {last}"),
        None => String::new(),
    };
    let members = format!(
        "FROM people p WHERE p.member_status IN ('chinh_thuc', 'du_bi'){}",
        range("p.id")
    );
    if finished {
        sql::exec(
            conn,
            &format!(
                "INSERT INTO plans (kind, person_id, org_id, year_id, state, government_post, entered_by_staff, self_assessment, \
                 assessment, submitted_at, approved_at, assessed_at, created_at, updated_at) \
                 SELECT 'ca_nhan', p.id, p.org_id, $1, 'khoa', p.position, $2, $3, $4, $5, $6, $7, $5, $7 {members}"
            ),
            vec![
                year.id.into(),
                false.into(),
                "Đã thực hiện nghiêm túc các nội dung đăng ký; có chuyển biến rõ về tác phong và tinh thần phục vụ.".into(),
                "Chi bộ thống nhất: hoàn thành các nội dung đã đăng ký.".into(),
                at(2, 20).into(),
                at(3, 5).into(),
                at(12, 15).into(),
            ],
        )
        .await?;
    } else {
        sql::exec(
            conn,
            &format!(
                "INSERT INTO plans (kind, person_id, org_id, year_id, state, government_post, entered_by_staff, submitted_at, approved_at, created_at, updated_at) \
                 SELECT 'ca_nhan', p.id, p.org_id, $1, \
                 CASE WHEN p.id % 20 = 3 THEN 'nhap' WHEN p.id % 20 IN (4, 5) THEN 'da_nop' WHEN p.id % 20 = 6 THEN 'tra_lai' \
                      WHEN p.id % 20 >= 17 THEN 'so_ket' ELSE 'da_duyet' END, \
                 p.position, $2, CASE WHEN p.id % 20 = 3 THEN NULL ELSE $3 END, CASE WHEN p.id % 20 >= 7 THEN $4 ELSE NULL END, $3, $4 \
                 {members} AND p.id % 20 NOT IN (0, 1, 2)"
            ),
            vec![year.id.into(), false.into(), at(2, 25).into(), at(3, 10).into()],
        )
        .await?;
    }
    // With a range of people, the plans are found by person (`+` keeps the planners off
    // the year's index, which would read every plan of the year for each range).
    let plans_of_year = match people {
        Some(_) => format!("FROM plans WHERE +year_id = $1{}", range("person_id")),
        None => "FROM plans WHERE year_id = $1".to_owned(),
    };
    let now = chrono::Utc::now();
    for topic in &year.topics {
        sql::exec(
            conn,
            &format!(
                "INSERT INTO plan_topics (plan_id, topic_id, created_at, updated_at) SELECT id, $2, $3, $3 {plans_of_year}"
            ),
            vec![year.id.into(), topic.id.into(), now.into()],
        )
        .await?;
    }
    // With each commitment its review: a finished year's, or the mid-year one where the
    // plan reached that step.
    let review = if finished {
        "'dang_thuc_hien', 'Đang thực hiện theo tiến độ', 'da_thuc_hien', 'Đã hoàn thành, chi bộ ghi nhận'"
    } else {
        "CASE WHEN state = 'so_ket' THEN 'dang_thuc_hien' END, \
         CASE WHEN state = 'so_ket' THEN 'Đã làm được một phần' END, NULL, NULL"
    };
    let positions = if finished { 3 } else { 2 };
    for (position, variants) in DEMO_COMMITMENTS.iter().enumerate().take(positions) {
        for (variant, (area, action, measure)) in variants.iter().enumerate() {
            sql::exec(
                conn,
                &format!(
                    "INSERT INTO plan_commitments (plan_id, position, area, action, measure, deadline, \
                     mid_progress, mid_evidence, end_progress, end_evidence, created_at, updated_at) \
                     SELECT id, $2, $3, $4, $5, $6, {review}, $7, $7 {plans_of_year} AND person_id % 4 = $8"
                ),
                vec![
                    year.id.into(),
                    (position as i32).into(),
                    (*area).into(),
                    (*action).into(),
                    (*measure).into(),
                    NaiveDate::from_ymd_opt(y, 12, 31).into(),
                    now.into(),
                    (variant as i64).into(),
                ],
            )
            .await?;
        }
    }
    Ok(())
}

/// 2024 yearly quality ratings of the demo.
async fn ratings<C: crate::Writer>(conn: &C) -> Result<(), StoreError> {
    match crate::campaign::year(conn, 2024).await {
        Ok(y2024) => member_ratings(conn, &y2024, None).await,
        Err(_) => Ok(()),
    }
}

/// A year's quality ratings, decided, for every member who had a plan (whose id lies in
/// `people`, all when `None`): a spread of scores (most "tốt", about a fifth "xuất sắc",
/// some "hoàn thành", one in a hundred "không hoàn thành"), the level from the bands of
/// Quy định 366. Set-wise, one statement.
pub(crate) async fn member_ratings<C: crate::Writer>(
    conn: &C,
    year: &crate::campaign::CampaignYear,
    people: Option<(i64, i64)>,
) -> Result<(), StoreError> {
    use lantoa_domain::ratings::Bands;
    let b = Bands::QD_366;
    let score = "(CASE WHEN p.id % 100 = 7 THEN 450 ELSE 620 + (p.id * 37) % 360 END)";
    let of_year = match people {
        Some((first, last)) => format!("+pl.year_id = $1 AND p.id BETWEEN {first} AND {last}"),
        None => "pl.year_id = $1".to_owned(),
    };
    let now = chrono::Utc::now();
    crate::sql::exec(
        conn,
        &format!(
            "INSERT INTO ratings (person_id, org_id, year_id, period, period_label, score, level, regulation, step, created_at, updated_at) \
             SELECT p.id, pl.org_id, $1, 'nam', '', {score}, \
             CASE WHEN {score} >= {} THEN 'xuat_sac' WHEN {score} >= {} THEN 'tot' WHEN {score} >= {} THEN 'hoan_thanh' ELSE 'khong_hoan_thanh' END, \
             $2, 'quyet_dinh', $3, $3 FROM plans pl JOIN people p ON p.id = pl.person_id WHERE {of_year}",
            b.excellent, b.good, b.done
        ),
        vec![year.id.into(), b.regulation.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// Models of 2024 named in the seed: (name, sector, category, where: a unit name fragment).
const SEED_MODELS: &[(&str, Sector, ModelCategory, &str)] = &[
    (
        "Nghe chuyện Bác – học theo Bác, làm theo Bác mỗi tuần",
        Sector::Education,
        ModelCategory::Propaganda,
        "Trường",
    ),
    (
        "Lấy dân làm gốc",
        Sector::WardCommune,
        ModelCategory::PartyBuilding,
        "Phường 1",
    ),
    (
        "Tuyến hẻm xanh gắn với du lịch",
        Sector::WardCommune,
        ModelCategory::Propaganda,
        "Phường 5",
    ),
    (
        "Móc khóa an ninh trật tự trong khu dân cư",
        Sector::Police,
        ModelCategory::Other,
        "Công an",
    ),
    (
        "Hạn chế thanh toán bằng tiền mặt",
        Sector::Administration,
        ModelCategory::AdministrativeReform,
        "Kho bạc",
    ),
    (
        "Phụ nữ chung tay bảo vệ môi trường",
        Sector::FrontAndUnions,
        ModelCategory::Propaganda,
        "Phường 6",
    ),
    (
        "Xây dựng trường học hạnh phúc gắn với học tập và làm theo Bác",
        Sector::Education,
        ModelCategory::PartyBuilding,
        "Trường",
    ),
];

/// Whether a unit's name names a place: "Đảng bộ Phường 1" names "Phường 1", "Đảng bộ
/// Phường 10" does not.
fn names(name: &str, place: &str) -> bool {
    name.match_indices(place).any(|(at, _)| {
        !name[at + place.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// The other models' names, by the sector they are registered in.
pub(crate) fn model_name(sector: Sector, n: usize) -> String {
    let names: &[&str] = match sector {
        Sector::FrontAndUnions => &[
            "Chi hội phụ nữ tiết kiệm giúp nhau thoát nghèo",
            "Thanh niên tình nguyện sáng chủ nhật xanh",
            "Cựu chiến binh gương mẫu giữ gìn an ninh khu phố",
            "Nông dân chung sức xây dựng nông thôn mới",
            "Mặt trận lắng nghe ý kiến nhân dân",
            "Công đoàn chăm lo đoàn viên khó khăn",
        ],
        Sector::Education => &[
            "Mỗi thầy cô một tấm gương đạo đức, tự học và sáng tạo",
            "Tủ sách Bác Hồ trong lớp học",
        ],
        Sector::Health => &[
            "Thầy thuốc như mẹ hiền",
            "Khám bệnh miễn phí cho người nghèo",
        ],
        Sector::Police | Sector::Military => &[
            "Vì nhân dân phục vụ",
            "Dân vận khéo trong bảo đảm an ninh trật tự",
        ],
        Sector::WardCommune => &[
            "Khu phố văn minh, không rác thải nhựa",
            "Đảng viên gắn bó với dân, giúp hộ khó khăn",
            "Tổ tự quản an ninh trật tự",
        ],
        Sector::Enterprise => &["Người lao động tiết kiệm, sáng tạo"],
        _ => &[
            "Công sở văn minh, thân thiện",
            "Một cửa thân thiện, giải quyết thủ tục đúng hẹn",
            "Cán bộ đi đầu, đơn vị làm theo",
        ],
    };
    names[n % names.len()].to_owned()
}

/// The models of 2024 — exactly 132, registered in the subtrees of exactly 69 of the 70
/// grassroots organisations, the seed's named models among them, many in the
/// socio-political organisations — their evaluations, recognition and some replications;
/// and in 2025 the models carried on and a few new ones.
async fn models<C: crate::Writer>(conn: &C, orgs: &[crate::org::Org]) -> Result<(), StoreError> {
    let years = crate::campaign::years(conn).await?;
    let (Some(y2024), Some(y2025)) = (
        years.iter().find(|y| y.year == 2024),
        years.iter().find(|y| y.year == 2025),
    ) else {
        return Ok(());
    };
    let mut grassroots: Vec<&crate::org::Org> =
        orgs.iter().filter(|o| o.kind.is_grassroots()).collect();
    grassroots.sort_by(|a, b| a.path.cmp(&b.path));
    // One grassroots organisation (none the seed names) registers nothing: the list "chưa
    // có mô hình" has work.
    if let Some(idle) = grassroots.iter().rposition(|g| {
        !SEED_MODELS
            .iter()
            .any(|(_, _, _, place)| names(&g.name, place))
    }) {
        grassroots.remove(idle);
    }
    let child_of = |unit: &crate::org::Org| {
        orgs.iter()
            .find(|o| o.parent_id == Some(unit.id) && o.kind == OrgKind::Cell)
    };
    let now = chrono::Utc::now();
    let mut placed = [false; SEED_MODELS.len()];
    let mut models_2024: Vec<(i64, OrgId, ModelState)> = Vec::new();
    let mut n = 0usize;
    for (i, unit) in grassroots.iter().enumerate() {
        let count = if i < 63 { 2 } else { 1 };
        for k in 0..count {
            n += 1;
            let registrant = if k == 1 {
                child_of(unit).unwrap_or(unit)
            } else {
                unit
            };
            let wanted = SEED_MODELS
                .iter()
                .enumerate()
                .find(|(j, (_, _, _, place))| {
                    !placed[*j] && (names(&registrant.name, place) || names(&unit.name, place))
                });
            let (name, sector, category) = match wanted {
                Some((j, (name, sector, category, _))) => {
                    placed[j] = true;
                    ((*name).to_owned(), *sector, *category)
                }
                None => {
                    // Two in five models belong to the socio-political organisations.
                    let sector = if n % 5 < 2 {
                        Sector::FrontAndUnions
                    } else {
                        registrant.sector
                    };
                    (
                        model_name(sector, n),
                        sector,
                        ModelCategory::ALL[n % ModelCategory::ALL.len()],
                    )
                }
            };
            let state = match n % 10 {
                0 => ModelState::NotAchieved,
                1 | 2 => ModelState::Evaluated,
                _ => ModelState::Recognised,
            };
            let id = insert_model(
                conn,
                registrant.id,
                y2024.id,
                &name,
                sector,
                category,
                state,
                None,
                now,
            )
            .await?;
            if state != ModelState::Registered {
                crate::sql::exec(
                    conn,
                    "INSERT INTO model_evaluations (model_id, evaluated_on, results, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
                    vec![
                        id.into(),
                        NaiveDate::from_ymd_opt(2024, 11, 30).into(),
                        "Đạt các chỉ tiêu đăng ký; được nhân dân đồng tình hưởng ứng".into(),
                        now.into(),
                    ],
                )
                .await?;
            }
            models_2024.push((id, registrant.id, state));
        }
    }
    // Some recognised models spread to the next grassroots organisation.
    let recognised: Vec<&(i64, OrgId, ModelState)> = models_2024
        .iter()
        .filter(|(_, _, s)| *s == ModelState::Recognised)
        .collect();
    for (i, (id, owner, _)) in recognised.iter().enumerate().filter(|(i, _)| i % 8 == 0) {
        let Some(adopter) = grassroots
            .iter()
            .map(|g| g.id)
            .find(|g| g != owner && (g.0 as usize + i).is_multiple_of(3))
        else {
            continue;
        };
        crate::sql::exec(
            conn,
            "INSERT INTO model_replications (model_id, org_id, adopted_on, adapted_name, results, created_at, updated_at) \
             SELECT id, $2, $3, name, $4, $5, $5 FROM models WHERE id = $1",
            vec![
                (*id).into(),
                adopter.0.into(),
                NaiveDate::from_ymd_opt(2025, 3, 1).into(),
                "Áp dụng ở đơn vị, bước đầu có kết quả".into(),
                now.into(),
            ],
        )
        .await?;
        crate::sql::exec(
            conn,
            "UPDATE models SET state = $2 WHERE id = $1",
            vec![(*id).into(), ModelState::Replicated.code().into()],
        )
        .await?;
    }
    // 2025: the recognised models carried on by their units, and a few new ones.
    let mut carried = 0;
    for (i, (id, owner, state)) in models_2024.iter().enumerate() {
        if !state.recognised() || i % 2 == 1 {
            continue;
        }
        carried += 1;
        let Some(earlier) = crate::sql::one::<EarlierModel, _>(
            conn,
            "SELECT name, sector, category FROM models WHERE id = $1",
            vec![(*id).into()],
        )
        .await?
        else {
            continue;
        };
        let name = earlier.name;
        let sector = Sector::from_code(&earlier.sector).unwrap_or(Sector::Other);
        let category = ModelCategory::from_code(&earlier.category).unwrap_or(ModelCategory::Other);
        insert_model(
            conn,
            *owner,
            y2025.id,
            &name,
            sector,
            category,
            if carried % 3 == 0 {
                ModelState::InProgress
            } else {
                ModelState::Registered
            },
            Some(*id),
            now,
        )
        .await?;
    }
    for unit in grassroots.iter().take(12) {
        insert_model(
            conn,
            unit.id,
            y2025.id,
            &model_name(unit.sector, unit.id.0 as usize),
            unit.sector,
            ModelCategory::AdministrativeReform,
            ModelState::Registered,
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

#[derive(sea_orm::FromQueryResult)]
struct EarlierModel {
    name: String,
    sector: String,
    category: String,
}

/// The columns a model is written with, in the order of [`ModelRow::values`].
pub(crate) const MODEL_COLUMNS: &str = "org_id, year_id, name, name_folded, sector, category, description, started_on, goals, \
     carriers, is_public, continued_from, state, recognised_on, created_at, updated_at";

/// A model the demo or `lantoa generate` registers.
pub(crate) struct ModelRow<'a> {
    pub unit: OrgId,
    pub year_id: i64,
    /// The campaign year it started in; recognised ones were recognised that December.
    pub year: i32,
    pub name: &'a str,
    pub sector: Sector,
    pub category: ModelCategory,
    pub state: ModelState,
    pub continued_from: Option<i64>,
}

impl ModelRow<'_> {
    /// The values of [`MODEL_COLUMNS`].
    pub(crate) fn values(&self, now: chrono::DateTime<chrono::Utc>) -> Vec<sea_orm::Value> {
        let name = self.name;
        vec![
            self.unit.0.into(),
            self.year_id.into(),
            name.into(),
            lantoa_domain::text::fold(name).into(),
            self.sector.code().into(),
            self.category.code().into(),
            format!("{name}: đảng viên đi đầu, vận động quần chúng cùng thực hiện; kết quả được đánh giá định kỳ.").into(),
            NaiveDate::from_ymd_opt(self.year, 2, 1).into(),
            "Mục tiêu đo được theo từng quý; báo cáo kết quả khi sơ kết, tổng kết".into(),
            "Chi bộ và các đoàn thể của đơn vị".into(),
            self.state.recognised().into(),
            self.continued_from.into(),
            self.state.code().into(),
            self.state
                .recognised()
                .then(|| NaiveDate::from_ymd_opt(self.year, 12, 15))
                .flatten()
                .into(),
            now.into(),
            now.into(),
        ]
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_model<C: ConnectionTrait>(
    conn: &C,
    unit: OrgId,
    year_id: i64,
    name: &str,
    sector: Sector,
    category: ModelCategory,
    state: ModelState,
    continued_from: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i64, StoreError> {
    let row = ModelRow {
        unit,
        year_id,
        year: if continued_from.is_some() { 2025 } else { 2024 },
        name,
        sector,
        category,
        state,
        continued_from,
    };
    Ok(crate::sql::scalar(
        conn,
        &format!(
            "INSERT INTO models ({MODEL_COLUMNS}) VALUES ({}) RETURNING id AS value",
            crate::sql::placeholders(conn.get_database_backend(), 1, 16)
        ),
        row.values(now),
    )
    .await?)
}

/// What exemplary people did, as nominations tell it.
pub(crate) const EXEMPLAR_DEEDS: [&str; 6] = [
    "Nhiều năm vận động bà con hiến đất mở rộng hẻm, tự bỏ công sức cùng tổ dân phố làm đường",
    "Nhặt được ví tiền có nhiều giấy tờ và tiền mặt, tìm trả lại tận tay người đánh rơi",
    "Tổ chức lớp học tình thương miễn phí cho trẻ em khó khăn trong khu phố",
    "Đi đầu phân loại rác tại nguồn, vận động các hộ trong tổ cùng thực hiện",
    "Kịp thời phát hiện, cùng công an khu vực ngăn chặn một vụ trộm cắp tài sản",
    "Đóng góp sáng kiến rút ngắn thời gian giải quyết thủ tục hành chính cho người dân",
];

/// 2024 nominations of exemplary people: mostly party members, few union members and
/// citizens (the weakness the seed names), most commended after a month or two, some not
/// retained, a few still waiting; and the city's exemplar of each month from September.
async fn exemplars<C: crate::Writer>(conn: &C) -> Result<(), StoreError> {
    use chrono::{Duration, TimeZone, Utc};
    use lantoa_domain::exemplars::{ExemplarField, ExemplarState, category_of};
    use lantoa_domain::people::{Categories, MemberStatus};
    let Ok(y2024) = crate::campaign::year(conn, 2024).await else {
        return Ok(());
    };
    #[derive(sea_orm::FromQueryResult)]
    struct Candidate {
        id: i64,
        org_id: i64,
        full_name: String,
        categories: i64,
        member_status: Option<String>,
    }
    let people: Vec<Candidate> = crate::sql::all(
        conn,
        "SELECT id, org_id, full_name, categories, member_status FROM people \
         WHERE (member_status IN ('chinh_thuc', 'du_bi') AND id % 97 = 3) \
         OR (member_status IS NULL AND id % 409 = 11) ORDER BY id",
        vec![],
    )
    .await?;
    let now = Utc::now();
    let mut featured = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let category = category_of(
            Categories::from_bits(p.categories),
            p.member_status.as_deref().and_then(MemberStatus::from_code),
        );
        let field = ExemplarField::ALL[i % ExemplarField::ALL.len()];
        let state = match i % 9 {
            0 => ExemplarState::Rejected,
            1 => ExemplarState::Verified,
            _ => ExemplarState::Commended,
        };
        let nominated_at = Utc
            .with_ymd_and_hms(2024, 2 + (i % 8) as u32, 1 + (i % 27) as u32, 8, 0, 0)
            .single()
            .unwrap_or(now);
        let decided_at = state
            .decided()
            .then(|| nominated_at + Duration::days(20 + (i as i64 * 7) % 60));
        let id = crate::sql::scalar(
            conn,
            "INSERT INTO exemplars (org_id, year_id, kind, person_id, name, name_folded, about, category, field, achievement, \
             source, state, is_public, nominated_at, decided_at, created_at, updated_at) \
             VALUES ($1, $2, 'ca_nhan', $3, $4, $5, NULL, $6, $7, $8, 'can_bo', $9, $13, $10, $11, $12, $12) RETURNING id AS value",
            vec![
                p.org_id.into(),
                y2024.id.into(),
                p.id.into(),
                p.full_name.clone().into(),
                lantoa_domain::text::fold(&p.full_name).into(),
                category.code().into(),
                field.code().into(),
                EXEMPLAR_DEEDS[i % EXEMPLAR_DEEDS.len()].into(),
                state.code().into(),
                nominated_at.into(),
                decided_at.into(),
                now.into(),
                (state == ExemplarState::Commended).into(),
            ],
        )
        .await?;
        if state == ExemplarState::Commended && featured.len() < 4 {
            featured.push(id);
        }
    }
    let root = crate::sql::scalar(
        conn,
        "SELECT id AS value FROM orgs WHERE parent_id IS NULL ORDER BY id LIMIT 1",
        vec![],
    )
    .await?;
    // The city Standing Committee's certificates of merit for the year.
    let city = crate::org::get(conn, OrgId(root)).await?;
    let commended: Vec<i64> = crate::commendations::eligible(conn, &city, &y2024)
        .await?
        .iter()
        .filter(|x| x.state == ExemplarState::Commended)
        .map(|x| x.id)
        .collect();
    let decision = lantoa_domain::commendations::DecisionDraft {
        form: lantoa_domain::commendations::CommendationForm::Certificate,
        signed_on: NaiveDate::from_ymd_opt(2024, 12, 20).unwrap_or_default(),
        number: None,
        signer_name: "Nguyễn Văn Thành".into(),
        signer_post: "Phó Bí thư Thường trực".into(),
        reason: "Đã có thành tích tiêu biểu trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2024".into(),
    };
    crate::commendations::issue(
        conn,
        &crate::audit::Actor::system("demo"),
        &city,
        &y2024,
        &decision,
        &commended,
    )
    .await?;
    // The verified ones wait in proposals for a certificate of merit, each unit's to the
    // nearest organisation that may give one.
    let powers = lantoa_domain::commendations::Powers::default();
    let mut by_unit: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for x in crate::proposals::proposable(conn, &city, &y2024).await? {
        by_unit.entry(x.org_id.0).or_default().push(x.id);
    }
    for (unit, ids) in by_unit {
        let unit = crate::org::get(conn, OrgId(unit)).await?;
        let mut chain = crate::org::lineage(conn, &unit).await?;
        chain.reverse();
        let form = lantoa_domain::commendations::CommendationForm::Certificate;
        let Some(to) = lantoa_domain::commendations::reviewer_of(&chain, |o| o.kind, form, &powers)
        else {
            continue;
        };
        let draft = lantoa_domain::commendations::ProposalDraft {
            form,
            reason: "Có việc làm tốt, được đoàn viên, hội viên và nhân dân ghi nhận năm 2024"
                .into(),
        };
        crate::proposals::propose(
            conn,
            &crate::audit::Actor::system("demo"),
            &unit,
            to,
            &y2024,
            &draft,
            &ids,
        )
        .await?;
    }
    for (month, id) in ["2024-09", "2024-10", "2024-11", "2024-12"]
        .iter()
        .zip(featured)
    {
        crate::sql::exec(
            conn,
            "INSERT INTO exemplar_features (org_id, month, exemplar_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
            vec![root.into(), (*month).into(), id.into(), now.into()],
        )
        .await?;
    }
    Ok(())
}

/// What the demo's study years hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StudySummary {
    /// 2024 sessions.
    pub sessions: usize,
    /// Members eligible in 2024, and of them present at a 2024 session.
    pub coverage: lantoa_domain::study::Coverage,
}

/// 2024 and 2025: topics, a 2024 session in every unit under the city committee (and one
/// of the committee itself for its own members), attendance that gives the city 99,7%, the
/// citizens' lượt of the report; the first 2025 sessions.
async fn study_years<C: crate::Writer>(
    conn: &C,
    orgs: &[crate::org::Org],
) -> Result<StudySummary, StoreError> {
    use crate::{campaign, study};
    use lantoa_domain::study::{AttendanceStatus, AudienceKind, Coverage, SessionInput};
    let actor = crate::audit::Actor::system("demo");
    let y2024 = campaign::create_year(conn, &actor, 2024, TERM_TOPIC).await?;
    campaign::add_topic(
        conn,
        &actor,
        y2024,
        TOPIC_2024,
        "Nêu gương của cán bộ, đảng viên; trách nhiệm người đứng đầu",
    )
    .await?;
    let y2025 = campaign::create_year(conn, &actor, 2025, TERM_TOPIC).await?;
    campaign::add_topic(
        conn,
        &actor,
        y2025,
        TOPIC_2025,
        "Tinh gọn tổ chức bộ máy; nêu gương trong thực hiện Kết luận 21-KL/TW",
    )
    .await?;
    let year_2024 = campaign::year(conn, 2024).await?;
    let year_2025 = campaign::year(conn, 2025).await?;
    let Some(root) = orgs.iter().find(|o| o.parent_id.is_none()) else {
        return Ok(StudySummary::default());
    };
    // The units holding sessions: the committee and every unit directly under it.
    let mut hosts: Vec<&crate::org::Org> = vec![root];
    hosts.extend(orgs.iter().filter(|o| o.parent_id == Some(root.id)));
    let session_input = |i: usize, year: i32, topic: i64, title: &str| SessionInput {
        title: title.to_owned(),
        kind: if i.is_multiple_of(3) {
            "sinh_hoat_chuyen_de"
        } else {
            "hoi_nghi"
        }
        .to_owned(),
        format: match i % 10 {
            0 => "truc_tuyen",
            1 | 2 => "ket_hop",
            _ => "truc_tiep",
        }
        .to_owned(),
        date: format!("{:02}/{:02}/{year}", 1 + (i * 7) % 28, 3 + i % 3),
        starts: "07:30".to_owned(),
        ends: "11:00".to_owned(),
        place: "Hội trường đơn vị".to_owned(),
        speaker: "Báo cáo viên Ban Tuyên giáo Thành ủy".to_owned(),
        topics: vec![topic],
        ..Default::default()
    };
    let mut sessions: Vec<(&crate::org::Org, i64)> = Vec::new();
    for (i, host) in hosts.iter().enumerate() {
        let input = session_input(
            i,
            2024,
            year_2024.topics[0].id,
            "Hội nghị học tập, quán triệt chuyên đề năm 2024",
        );
        let draft = input.validate(2024).map_err(StoreError::Invalid)?;
        sessions.push((
            host,
            study::create_session(conn, &actor, host.id, &year_2024, &draft).await?,
        ));
    }
    // Every eligible member, with the host of their unit: the committee's own members at
    // its session, the others at the session of the unit under it that holds theirs.
    #[derive(sea_orm::FromQueryResult)]
    struct Member {
        id: i64,
        path: String,
    }
    let members: Vec<Member> = crate::sql::all(
        conn,
        "SELECT p.id, o.path FROM people p JOIN orgs o ON o.id = p.org_id \
         WHERE p.member_status IN ('chinh_thuc', 'du_bi') ORDER BY p.id",
        vec![],
    )
    .await?;
    let eligible = members.len() as i64;
    // The fewest absent members that still make the city's coverage read 99,7%.
    let absent = (0..eligible)
        .find(|m| lantoa_domain::format::percent(eligible - m, eligible) == "99,7%")
        .unwrap_or(0);
    let absent_every = if absent > 0 {
        eligible / absent
    } else {
        i64::MAX
    };
    let mut by_session: HashMap<i64, Vec<(PersonId, Option<AttendanceStatus>)>> = HashMap::new();
    let mut absent_left = absent;
    for (i, member) in members.iter().enumerate() {
        let host = sessions
            .iter()
            .skip(1)
            .find(|(h, _)| crate::org::Subtree::of_path(&h.path).contains(&member.path))
            .or(sessions.first());
        let Some((_, session)) = host else { continue };
        let status = if absent_left > 0 && (i as i64) % absent_every == absent_every / 2 {
            absent_left -= 1;
            if i % 2 == 0 {
                AttendanceStatus::Excused
            } else {
                AttendanceStatus::Absent
            }
        } else {
            AttendanceStatus::Present
        };
        by_session
            .entry(*session)
            .or_default()
            .push((PersonId(member.id), Some(status)));
    }
    // Citizens: wards and communes hold their sessions with the people of their area.
    let citizen_hosts: Vec<i64> = sessions
        .iter()
        .filter(|(h, _)| h.sector == Sector::WardCommune)
        .map(|(_, s)| *s)
        .collect();
    let share = CITIZENS_2024 / citizen_hosts.len().max(1) as i64;
    for (i, session_id) in sessions.iter().map(|(_, s)| *s).enumerate() {
        let session = study::session(conn, session_id).await?;
        if let Some(marks) = by_session.get(&session_id) {
            study::save_attendance(conn, &actor, &session, marks).await?;
        }
        if let Some(position) = citizen_hosts.iter().position(|s| *s == session_id) {
            let citizens = if position + 1 == citizen_hosts.len() {
                CITIZENS_2024 - share * (citizen_hosts.len() as i64 - 1)
            } else {
                share
            };
            let counts = [
                (AudienceKind::Citizens, citizens),
                (AudienceKind::YouthUnion, 20 + (i as i64 * 7) % 30),
                (AudienceKind::Associations, 40 + (i as i64 * 11) % 50),
            ];
            study::save_counted(conn, &actor, &session, &counts).await?;
        }
    }
    // 2025 has begun: its first sessions in a few units, without attendance yet.
    for (i, host) in hosts.iter().skip(1).take(8).enumerate() {
        let draft = session_input(
            i,
            2025,
            year_2025.topics[0].id,
            "Hội nghị quán triệt chuyên đề năm 2025",
        )
        .validate(2025)
        .map_err(StoreError::Invalid)?;
        study::create_session(conn, &actor, host.id, &year_2025, &draft).await?;
    }
    Ok(StudySummary {
        sessions: sessions.len(),
        coverage: Coverage {
            eligible,
            studied: eligible - absent,
        },
    })
}

/// A demo account: its username, a password made for this start, and what it may do.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Username.
    pub username: &'static str,
    /// Password, new at every start of the demo.
    pub password: String,
    /// Role.
    pub role: Role,
    /// Unit code of the grant; `None` for the whole system.
    pub unit: Option<&'static str>,
}

/// The person a demo account belongs to: the first of this unit whose position starts so.
type DemoPerson = Option<(&'static str, &'static str)>;

/// The demo accounts: one of each role, on the city, a ward and one of its cells, and
/// staff of another ward to show that scopes do not overlap: username, role, unit code of
/// the grant, person.
const DEMO_ACCOUNTS: &[(&str, Role, Option<&str>, DemoPerson)] = &[
    ("quantri", Role::SystemAdmin, None, None),
    (
        "lanhdao.thanhuy",
        Role::Leader,
        Some(ROOT_CODE),
        Some(("BTG", "Trưởng Ban")),
    ),
    ("quantri.p5", Role::UnitAdmin, Some("DB-P5"), None),
    ("canbo.p5", Role::Staff, Some("DB-P5"), None),
    ("canbo.p1", Role::Staff, Some("DB-P1"), None),
    (
        "dangvien.p5",
        Role::Member,
        Some("DB-P5-CB1"),
        Some(("DB-P5-CB1", "")),
    ),
];

/// Creates the demo accounts that do not exist yet and gives every one of them a new random
/// password, returned to be printed: the demo never has a password known in advance.
pub async fn accounts<C: crate::Writer>(conn: &C) -> Result<Vec<DemoAccount>, StoreError> {
    use crate::accounts::{self, Grant};
    #[derive(sea_orm::FromQueryResult)]
    struct Found {
        id: i64,
    }
    let actor = crate::audit::Actor::system("demo");
    let mut out = Vec::new();
    for (username, role, unit, person) in DEMO_ACCOUNTS {
        let password = crate::secret::new_code();
        let hash = accounts::hash_password(&password)?;
        let org = match unit {
            Some(code) => Some(
                crate::org::get_by_code(conn, code)
                    .await?
                    .ok_or(StoreError::NotFound)?,
            ),
            None => None,
        };
        match accounts::find_for_login(conn, username).await? {
            Some(existing) => {
                accounts::set_password(conn, &actor, existing.id, &hash, None).await?;
            }
            None => {
                let person_id = match person {
                    Some((code, position)) => crate::sql::one::<Found, C>(
                        conn,
                        "SELECT p.id FROM people p JOIN orgs o ON o.id = p.org_id \
                         WHERE o.code = $1 AND COALESCE(p.position, '') LIKE $2 ORDER BY p.id LIMIT 1",
                        vec![(*code).into(), format!("{position}%").into()],
                    )
                    .await?
                    .map(|f| f.id),
                    None => None,
                };
                let grant = Grant {
                    org_id: org.as_ref().map(|o| o.id),
                    role: *role,
                };
                accounts::create(conn, &actor, username, &hash, person_id, &[grant]).await?;
            }
        }
        out.push(DemoAccount {
            username,
            password,
            role: *role,
            unit: *unit,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_city_has_the_seeds_shape() {
        let plan = plan();
        let grassroots = plan.units.iter().filter(|u| u.2.is_grassroots()).count();
        assert!(
            (70..=80).contains(&grassroots),
            "{grassroots} grassroots organisations"
        );
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let people = people(&plan, today);
        assert!(
            (8_000..=10_000).contains(&people.len()),
            "{} people",
            people.len()
        );
        assert_eq!(people, super::people(&plan, today), "the same on every run");
        let codes: std::collections::HashSet<&str> =
            plan.units.iter().map(|u| u.0.as_str()).collect();
        assert_eq!(codes.len(), plan.units.len(), "unit codes are unique");
        assert!(people.iter().all(|p| codes.contains(p.org_code.as_str())));
    }
}
