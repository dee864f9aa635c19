//! Datasets at the sizes Lan Tỏa must serve, for the load benchmark and for trying a
//! deployment before the real data arrives: `lantoa generate --scale city|province|nation`.
//!
//! The tree follows the two-tier organisation since 07/2025 (DOMAIN.md): the nation's 34
//! provinces, their 3 321 communes and wards, about 15 grassroots organisations under each
//! (three in ten a chi bộ cơ sở holding its members, the others a đảng bộ cơ sở with 3–12
//! cells of 12–28 members), about 5,7 million members, 52 000 grassroots organisations and
//! 270 000 cells. A province is the first province alone, a city its first ward.
//!
//! Each campaign year has what the module areas record, in the proportions of the demo city:
//! two grassroots conferences and four cell meetings a year (about 34 million attendance
//! rows nationally, 0,3% of members never present), citizens counted at ward conferences,
//! every member's plan (all locked in a finished year, on their way in the current one) with
//! topics and commitments, quality ratings of finished years, about two models per
//! grassroots organisation, exemplary people (one member in a hundred) with the communes'
//! commendations, and propaganda activities every month. Key tasks, inspections, the award
//! and teaching are per committee and small at any scale: they are left out.
//!
//! Units, people, sessions and models are made here (deterministic for a seed) and written
//! with [`bulk::load`] under ids numbered here; the rows that follow from them (attendance,
//! plans, ratings, exemplars, propaganda) are written set-wise by the database, province by
//! province. The roll-up triggers are dropped during the load and the counts forgotten
//! after it, so the first page read counts each figure once.

use crate::campaign::CampaignYear;
use crate::demo::{self, ModelRow};
use crate::synth::{PeopleMaker, Population, Rng};
use crate::{StoreError, bulk, sql};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use lantoa_domain::models::{ModelCategory, ModelState};
use lantoa_domain::org::{OrgKind, Sector};
use lantoa_domain::people::PersonDraft;
use lantoa_domain::{ClosedList, OrgId};
use sea_orm::{DatabaseConnection, Value};

/// How big a dataset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One ward: about 15 grassroots organisations, 1 700 members.
    City,
    /// One province: about 97 communes, 1 500 grassroots organisations, 165 000 members.
    Province,
    /// The nation: 34 provinces, about 52 000 grassroots organisations, 5,7 million members.
    Nation,
}

impl Scale {
    /// `city`, `province` or `nation`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "city" => Some(Self::City),
            "province" => Some(Self::Province),
            "nation" => Some(Self::Nation),
            _ => None,
        }
    }

    /// The code of the dataset's top unit.
    pub fn root_code(self) -> &'static str {
        match self {
            Self::City => "T01-X001",
            Self::Province => "T01",
            Self::Nation => "TW",
        }
    }

    /// The code of a grassroots organisation with cells, the same at every scale.
    pub fn grassroots_code(self) -> &'static str {
        "T01-X001-C01"
    }

    fn provinces(self) -> usize {
        if self == Self::Nation {
            PROVINCES.len()
        } else {
            1
        }
    }

    /// The 3 321 communes spread over the 34 provinces: 97 each, one more in the first 23.
    fn communes(self, province: usize) -> usize {
        match self {
            Self::City => 1,
            _ => 97 + usize::from(province < 23),
        }
    }
}

/// The 34 provinces and cities since 07/2025; the centrally run cities first.
const PROVINCES: [&str; 34] = [
    "thành phố Hà Nội",
    "thành phố Huế",
    "thành phố Hải Phòng",
    "thành phố Đà Nẵng",
    "Thành phố Hồ Chí Minh",
    "thành phố Cần Thơ",
    "tỉnh Lai Châu",
    "tỉnh Điện Biên",
    "tỉnh Sơn La",
    "tỉnh Lạng Sơn",
    "tỉnh Quảng Ninh",
    "tỉnh Thanh Hóa",
    "tỉnh Nghệ An",
    "tỉnh Hà Tĩnh",
    "tỉnh Cao Bằng",
    "tỉnh Tuyên Quang",
    "tỉnh Lào Cai",
    "tỉnh Thái Nguyên",
    "tỉnh Phú Thọ",
    "tỉnh Bắc Ninh",
    "tỉnh Hưng Yên",
    "tỉnh Ninh Bình",
    "tỉnh Quảng Trị",
    "tỉnh Quảng Ngãi",
    "tỉnh Gia Lai",
    "tỉnh Khánh Hòa",
    "tỉnh Lâm Đồng",
    "tỉnh Đắk Lắk",
    "tỉnh Đồng Nai",
    "tỉnh Tây Ninh",
    "tỉnh Vĩnh Long",
    "tỉnh Đồng Tháp",
    "tỉnh Cà Mau",
    "tỉnh An Giang",
];

/// The sectors of grassroots organisations under a commune, by weight.
const GRASSROOTS_SECTORS: [(Sector, u64); 8] = [
    (Sector::WardCommune, 40),
    (Sector::Education, 20),
    (Sector::Administration, 14),
    (Sector::Health, 8),
    (Sector::Enterprise, 6),
    (Sector::Police, 5),
    (Sector::Military, 5),
    (Sector::FrontAndUnions, 2),
];

/// The indexes of people whose keys come in random order, dropped during the load and
/// made again after it by sorting.
const RANDOM_ORDER_INDEXES: [&str; 4] = [
    "people_name_folded_idx",
    "people_party_card_no_key",
    "people_phone_idx",
    "people_email_idx",
];

/// What a dataset holds, as counted while it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    /// Units.
    pub orgs: u64,
    /// People, members or not.
    pub people: u64,
    /// Study sessions.
    pub sessions: u64,
    /// Attendance rows.
    pub attendance: u64,
    /// Models.
    pub models: u64,
}

/// A unit about to be written, numbered here.
#[derive(Debug, Clone)]
struct Unit {
    id: i64,
    code: String,
    name: String,
    kind: OrgKind,
    sector: Sector,
    parent_id: Option<i64>,
    path: String,
    depth: i32,
}

const SESSION_COLUMNS: [&str; 13] = [
    "id",
    "org_id",
    "year_id",
    "title",
    "kind",
    "format",
    "starts_at",
    "ends_at",
    "place",
    "speaker",
    "checkin_code",
    "created_at",
    "updated_at",
];

const UNIT_COLUMNS: [&str; 11] = [
    "id",
    "code",
    "name",
    "name_folded",
    "kind",
    "sector",
    "parent_id",
    "path",
    "depth",
    "created_at",
    "updated_at",
];

impl Unit {
    fn root(id: i64, code: &str, name: String, kind: OrgKind, sector: Sector) -> Self {
        Self {
            id,
            code: code.to_owned(),
            name,
            kind,
            sector,
            parent_id: None,
            path: format!("/{id}/"),
            depth: 0,
        }
    }

    fn child(&self, id: i64, code: String, name: String, kind: OrgKind, sector: Sector) -> Self {
        Self {
            id,
            code,
            name,
            kind,
            sector,
            parent_id: Some(self.id),
            path: format!("{}{id}/", self.path),
            depth: self.depth + 1,
        }
    }

    fn values(&self, now: DateTime<Utc>) -> Vec<Value> {
        vec![
            self.id.into(),
            self.code.clone().into(),
            self.name.clone().into(),
            lantoa_domain::text::fold(&self.name).into(),
            self.kind.code().into(),
            self.sector.code().into(),
            self.parent_id.into(),
            self.path.clone().into(),
            self.depth.into(),
            now.into(),
            now.into(),
        ]
    }
}

/// Numbers handed out for the rows written with their own ids.
struct Ids {
    org: i64,
    person: i64,
    session: i64,
    model: i64,
}

/// One province made here, before it is written: its units, its people (id, draft, unit
/// id) and each campaign year's sessions and models.
#[derive(Default)]
struct Made {
    units: Vec<Unit>,
    people: Vec<(i64, PersonDraft, i64)>,
    years: Vec<YearMade>,
}

/// A campaign year's rows of one province, with the id span of each kind.
struct YearMade {
    year: CampaignYear,
    sessions: Vec<Vec<Value>>,
    session_span: (i64, i64),
    models: Vec<Vec<Value>>,
    model_span: (i64, i64),
}

/// What one province's write put in the database.
#[derive(Debug, Clone, Copy, Default)]
struct Written {
    orgs: u64,
    people: u64,
    sessions: u64,
    attendance: u64,
    models: u64,
}

impl Made {
    fn unit(&mut self, unit: Unit) -> Unit {
        self.units.push(unit.clone());
        unit
    }

    fn person(&mut self, ids: &mut Ids, unit: &Unit, draft: PersonDraft) {
        self.people.push((ids.person, draft, unit.id));
        ids.person += 1;
    }

    /// `count` people of a population in a unit, the first with a position.
    #[allow(clippy::too_many_arguments)]
    fn people(
        &mut self,
        ids: &mut Ids,
        maker: &mut PeopleMaker,
        unit: &Unit,
        population: Population,
        count: i64,
        first_position: Option<&str>,
        leader: bool,
    ) {
        for i in 0..count {
            let position = if i == 0 { first_position } else { None };
            let draft = maker.person(population, &unit.code, position, leader && i == 0);
            self.person(ids, unit, draft);
        }
    }
}

/// A transaction for the rows that follow from the bulk-written ones. On PostgreSQL, when
/// the account may, it skips the foreign-key triggers (`session_replication_role =
/// replica`): the rows come from the keys just written, and checking each of 34 million
/// attendance rows twice would double the load.
async fn begin_load(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, StoreError> {
    use crate::Writer as _;
    use sea_orm::ConnectionTrait;
    let superuser = db.get_database_backend() == sea_orm::DbBackend::Postgres
        && sql::scalar(
            db,
            "SELECT CAST(COUNT(*) AS BIGINT) AS value FROM pg_roles WHERE rolname = current_user AND rolsuper",
            vec![],
        )
        .await?
            > 0;
    let txn = db.begin_write().await?;
    if superuser {
        txn.execute_unprepared("SET LOCAL session_replication_role = replica")
            .await?;
    }
    Ok(txn)
}

/// Builds a dataset into a database that holds no unit yet. `report` hears each step.
pub async fn generate(
    db: &DatabaseConnection,
    scale: Scale,
    years: u32,
    seed: u64,
    today: NaiveDate,
    report: &mut dyn FnMut(String),
) -> Result<Generated, StoreError> {
    if sql::scalar(
        db,
        "SELECT CAST(COUNT(*) AS BIGINT) AS value FROM orgs",
        vec![],
    )
    .await?
        > 0
    {
        return Err(StoreError::invalid(
            "database",
            "Cơ sở dữ liệu đã có đơn vị: hãy tạo dữ liệu mẫu vào một cơ sở dữ liệu trống",
        ));
    }
    crate::rollups::suspend_marks(db).await?;
    crate::people::suspend_search(db).await?;
    let indexes = bulk::drop_indexes(db, &RANDOM_ORDER_INDEXES).await;
    let made = match &indexes {
        Ok(_) => load(db, scale, years.max(1), seed, today, report).await,
        Err(_) => Ok(Generated::default()),
    };
    // The indexes and the triggers come back whatever happened.
    if let Ok(creates) = &indexes {
        report("Tạo lại chỉ mục…".into());
        bulk::create_indexes(db, creates).await?;
    }
    crate::rollups::resume_marks(db).await?;
    report("Lập chỉ mục tìm kiếm theo tên…".into());
    crate::people::resume_search(db).await?;
    indexes?;
    let made = made?;
    report("Phân tích thống kê cho bộ lập kế hoạch truy vấn…".into());
    analyse(db, true).await?;
    Ok(made)
}

async fn load(
    db: &DatabaseConnection,
    scale: Scale,
    years: u32,
    seed: u64,
    today: NaiveDate,
    report: &mut dyn FnMut(String),
) -> Result<Generated, StoreError> {
    let started = std::time::Instant::now();
    let now = Utc::now();
    let campaign = campaign_years(db, years, today).await?;
    let mut ids = Ids {
        org: bulk::next_id(db, "orgs").await?,
        person: bulk::next_id(db, "people").await?,
        session: bulk::next_id(db, "study_sessions").await?,
        model: bulk::next_id(db, "models").await?,
    };
    let mut generated = Generated::default();
    let mut maker = PeopleMaker::new(seed, today);
    let mut rng = Rng::new(seed ^ 0x5CA1E);
    let nation = (scale == Scale::Nation).then(|| {
        let id = ids.org;
        ids.org += 1;
        Unit::root(
            id,
            "TW",
            "Đảng bộ toàn quốc".into(),
            OrgKind::Central,
            Sector::Administration,
        )
    });
    if let Some(nation) = &nation {
        generated.orgs += bulk::load(db, "orgs", &UNIT_COLUMNS, &[nation.values(now)]).await?;
    }
    // PostgreSQL writes two provinces at once (one per core) while the next is made;
    // SQLite has one writer.
    let lanes = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        2
    } else {
        1
    };
    let total = scale.provinces();
    let mut writing = std::collections::VecDeque::new();
    let mut done = 0;
    let mut finish = |written: Written, generated: &mut Generated| {
        generated.orgs += written.orgs;
        generated.people += written.people;
        generated.sessions += written.sessions;
        generated.attendance += written.attendance;
        generated.models += written.models;
        done += 1;
        report(format!(
            "{done}/{total} tỉnh: {} đơn vị, {} người, {} lượt điểm danh ({:.0} giây)",
            lantoa_domain::format::number(generated.orgs as i64),
            lantoa_domain::format::number(generated.people as i64),
            lantoa_domain::format::number(generated.attendance as i64),
            started.elapsed().as_secs_f64()
        ));
    };
    for p in 0..total {
        let made = province(
            scale,
            p,
            nation.as_ref(),
            &campaign,
            &mut ids,
            &mut maker,
            &mut rng,
            today,
            now,
        );
        if writing.len() == lanes {
            finish(joined(writing.pop_front()).await?, &mut generated);
        }
        writing.push_back(tokio::spawn(write(db.clone(), made, today, now)));
    }
    while !writing.is_empty() {
        match joined(writing.pop_front()).await {
            Ok(written) => finish(written, &mut generated),
            Err(e) => {
                writing.iter().for_each(tokio::task::JoinHandle::abort);
                return Err(e);
            }
        }
    }
    for table in ["orgs", "people", "study_sessions", "models"] {
        bulk::advance_ids(db, table).await?;
    }
    // The commendations read each commune's exemplars through the pages' own queries,
    // which the planner, seeing the tables as they were before the load, ran by reading
    // every exemplar of the year (0,2 s a commune, some 19 minutes at the nation).
    report("Phân tích thống kê, cấp giấy khen…".into());
    analyse(db, false).await?;
    commendations(db, &campaign, today).await?;
    Ok(generated)
}

async fn joined(
    handle: Option<tokio::task::JoinHandle<Result<Written, StoreError>>>,
) -> Result<Written, StoreError> {
    match handle {
        Some(handle) => handle
            .await
            .map_err(|e| StoreError::Config(format!("ghi dữ liệu một tỉnh bị dừng: {e}")))?,
        None => Ok(Written::default()),
    }
}

/// Makes a province (or, at city scale, its first ward): units, people, and each year's
/// sessions and models.
#[allow(clippy::too_many_arguments)]
fn province(
    scale: Scale,
    p: usize,
    nation: Option<&Unit>,
    campaign: &[CampaignYear],
    ids: &mut Ids,
    maker: &mut PeopleMaker,
    rng: &mut Rng,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Made {
    let mut made = Made::default();
    let province = (scale != Scale::City).then(|| {
        let id = ids.org;
        ids.org += 1;
        let code = format!("T{:02}", p + 1);
        let name = format!("Đảng bộ {}", PROVINCES[p]);
        let (kind, sector) = (OrgKind::ProvincialCommittee, Sector::Administration);
        made.unit(match nation {
            Some(n) => n.child(id, code, name, kind, sector),
            None => Unit::root(id, &code, name, kind, sector),
        })
    });
    if let Some(province) = &province {
        made.people(
            ids,
            maker,
            province,
            Population::StaffMembers,
            5,
            Some("Bí thư Tỉnh ủy"),
            true,
        );
    }
    for c in 0..scale.communes(p) {
        commune(&mut made, ids, maker, rng, province.as_ref(), p, c);
    }
    for year in campaign {
        let (sessions, session_span) = sessions(&made.units, year, ids, today, now);
        let finished = year.year < today.year();
        let (models, model_span) = models(&made.units, year, finished, ids, now);
        made.years.push(YearMade {
            year: year.clone(),
            sessions,
            session_span,
            models,
            model_span,
        });
    }
    made
}

/// Writes a made province: its rows in bulk, then the rows that follow from them,
/// set-wise, in one transaction.
async fn write(
    db: DatabaseConnection,
    made: Made,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Written, StoreError> {
    let db = &db;
    let mut written = Written {
        orgs: bulk::load(db, "orgs", &UNIT_COLUMNS, &rows(&made.units, now)).await?,
        ..Written::default()
    };
    let people: Vec<Vec<Value>> = made
        .people
        .iter()
        .map(|(id, draft, unit)| crate::people::bulk_values(*id, draft, OrgId(*unit), now))
        .collect();
    written.people = bulk::load(db, "people", &crate::people::bulk_columns(), &people).await?;
    drop(people);
    for year in &made.years {
        written.sessions +=
            bulk::load(db, "study_sessions", &SESSION_COLUMNS, &year.sessions).await?;
        let columns: Vec<&str> = std::iter::once("id")
            .chain(demo::MODEL_COLUMNS.split(',').map(str::trim))
            .collect();
        written.models += bulk::load(db, "models", &columns, &year.models).await?;
    }
    let first_person = made.people.first().map_or(0, |(id, _, _)| *id);
    let last_person = made.people.last().map_or(0, |(id, _, _)| *id);
    let people = Some((first_person, last_person));
    let txn = begin_load(db).await?;
    sql::exec(
        &txn,
        "INSERT INTO person_units (person_id, org_id, valid_from, valid_to, created_at, updated_at) \
         SELECT id, org_id, NULL, NULL, $3, $3 FROM people WHERE id BETWEEN $1 AND $2",
        vec![first_person.into(), last_person.into(), now.into()],
    )
    .await?;
    for made_year in &made.years {
        let year = &made_year.year;
        let finished = year.year < today.year();
        written.attendance += attendance(&txn, year, made_year.session_span, now).await?;
        demo::member_plans(&txn, year, finished, people).await?;
        if finished {
            demo::member_ratings(&txn, year, people).await?;
            replications(&txn, year, made_year.model_span, now).await?;
        }
        exemplars(&txn, year, finished, people, now).await?;
        propaganda(&txn, &made.units, year, today, now).await?;
    }
    txn.commit().await?;
    Ok(written)
}

fn rows(units: &[Unit], now: DateTime<Utc>) -> Vec<Vec<Value>> {
    units.iter().map(|u| u.values(now)).collect()
}

/// A commune or ward with its grassroots organisations, their cells and their people.
fn commune(
    made: &mut Made,
    ids: &mut Ids,
    maker: &mut PeopleMaker,
    rng: &mut Rng,
    province: Option<&Unit>,
    p: usize,
    c: usize,
) {
    let id = ids.org;
    ids.org += 1;
    let code = format!("T{:02}-X{:03}", p + 1, c + 1);
    let name = if c.is_multiple_of(3) {
        format!("Đảng bộ phường {}", c + 1)
    } else {
        format!("Đảng bộ xã {}", c + 1)
    };
    let (kind, sector) = (OrgKind::CommuneCommittee, Sector::WardCommune);
    let commune = made.unit(match province {
        Some(province) => province.child(id, code, name, kind, sector),
        None => Unit::root(id, &code, name, kind, sector),
    });
    made.people(
        ids,
        maker,
        &commune,
        Population::StaffMembers,
        3,
        Some("Bí thư Đảng ủy"),
        true,
    );
    let grassroots = rng.between(12, 19);
    for g in 0..grassroots {
        let sector = if g == 0 {
            Sector::WardCommune
        } else {
            *rng.weighted(&GRASSROOTS_SECTORS)
        };
        // The first of each commune has cells, so every scale has the same one to measure.
        let has_cells = g == 0 || rng.chance(70);
        let kind = if has_cells {
            OrgKind::GrassrootsCommittee
        } else {
            OrgKind::GrassrootsCell
        };
        let id = ids.org;
        ids.org += 1;
        let prefix = if has_cells {
            "Đảng bộ"
        } else {
            "Chi bộ"
        };
        let unit = made.unit(commune.child(
            id,
            format!("{}-C{:02}", commune.code, g + 1),
            format!("{prefix} {} {}", place_of(sector), g + 1),
            kind,
            sector,
        ));
        let population = match sector {
            Sector::WardCommune => Population::ResidentMembers,
            Sector::Police | Sector::Military => Population::Forces,
            _ => Population::StaffMembers,
        };
        let mut members = 0;
        if has_cells {
            for n in 0..rng.between(3, 12) {
                let id = ids.org;
                ids.org += 1;
                let cell = made.unit(unit.child(
                    id,
                    format!("{}-CB{}", unit.code, n + 1),
                    format!("Chi bộ {} {}", cell_place(sector), n + 1),
                    OrgKind::Cell,
                    sector,
                ));
                let count = rng.between(12, 28);
                members += count;
                made.people(
                    ids,
                    maker,
                    &cell,
                    population,
                    count,
                    Some("Bí thư chi bộ"),
                    false,
                );
            }
            made.people(
                ids,
                maker,
                &unit,
                population,
                1,
                Some("Bí thư Đảng ủy"),
                true,
            );
        } else {
            let count = rng.between(15, 29);
            members += count;
            made.people(
                ids,
                maker,
                &unit,
                population,
                count,
                Some("Bí thư chi bộ"),
                true,
            );
        }
        if population == Population::StaffMembers {
            made.people(
                ids,
                maker,
                &unit,
                Population::Staff,
                members / 10,
                None,
                false,
            );
        }
    }
}

/// What a grassroots organisation of a sector is called after "Đảng bộ"/"Chi bộ".
fn place_of(sector: Sector) -> &'static str {
    match sector {
        Sector::WardCommune => "khu dân cư",
        Sector::Education => "Trường",
        Sector::Administration => "cơ quan",
        Sector::Health => "Trạm Y tế",
        Sector::Enterprise => "Công ty",
        Sector::Police => "Công an",
        Sector::Military => "Quân sự",
        _ => "Mặt trận và các đoàn thể",
    }
}

/// What a cell of a sector is called after "Chi bộ".
fn cell_place(sector: Sector) -> &'static str {
    match sector {
        Sector::WardCommune => "khu phố",
        Sector::Education => "tổ chuyên môn",
        _ => "phòng",
    }
}

/// The campaign years ending with today's, each with its topic.
async fn campaign_years(
    db: &DatabaseConnection,
    years: u32,
    today: NaiveDate,
) -> Result<Vec<CampaignYear>, StoreError> {
    let actor = crate::audit::Actor::system("generate");
    let existing = crate::campaign::years(db).await?;
    let mut out = Vec::new();
    for year in (today.year() + 1 - years as i32)..=today.year() {
        if !existing.iter().any(|y| y.year == year) {
            let id = crate::campaign::create_year(db, &actor, year, demo::TERM_TOPIC).await?;
            crate::campaign::add_topic(
                db,
                &actor,
                id,
                &format!("Chuyên đề năm {year}: nêu gương của cán bộ, đảng viên"),
                "Trách nhiệm nêu gương; đổi mới phong cách, lề lối làm việc",
            )
            .await?;
        }
        out.push(crate::campaign::year(db, year).await?);
    }
    Ok(out)
}

/// A year's sessions of a province's units, up to today: two conferences of each
/// grassroots organisation and a meeting a quarter of each unit holding members itself.
/// Returns the rows and the first and last id.
fn sessions(
    units: &[Unit],
    year: &CampaignYear,
    ids: &mut Ids,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> (Vec<Vec<Value>>, (i64, i64)) {
    let first = ids.session;
    let mut sessions = Vec::new();
    for unit in units {
        let mut plan: Vec<(u32, &str, String)> = Vec::new();
        if unit.kind.is_grassroots() {
            plan.push((
                3,
                "hoi_nghi",
                format!("Hội nghị học tập, quán triệt chuyên đề năm {}", year.year),
            ));
            plan.push((
                9,
                "hoi_nghi",
                format!("Hội nghị sơ kết học tập và làm theo Bác năm {}", year.year),
            ));
        }
        // Units holding members themselves meet each quarter: cells, chi bộ cơ sở, and the
        // standing members of a commune's or a province's committee.
        if matches!(
            unit.kind,
            OrgKind::Cell
                | OrgKind::GrassrootsCell
                | OrgKind::CommuneCommittee
                | OrgKind::ProvincialCommittee
        ) {
            for q in 1..=4 {
                plan.push((
                    q * 3 - 1,
                    "sinh_hoat_chuyen_de",
                    format!("Sinh hoạt chuyên đề quý {q} năm {}", year.year),
                ));
            }
        }
        for (month, kind, title) in plan {
            let day = 1 + (unit.id % 25) as u32;
            let Some(date) = NaiveDate::from_ymd_opt(year.year, month, day).filter(|d| *d < today)
            else {
                continue;
            };
            let id = ids.session;
            ids.session += 1;
            let at = |h: u32, m: u32| date.and_hms_opt(h, m, 0);
            let format = match id % 10 {
                0 => "truc_tuyen",
                1 | 2 => "ket_hop",
                _ => "truc_tiep",
            };
            sessions.push(vec![
                id.into(),
                unit.id.into(),
                year.id.into(),
                title.into(),
                kind.into(),
                format.into(),
                at(7, 30).into(),
                at(11, 0).into(),
                "Hội trường đơn vị".into(),
                "Bí thư chi bộ".into(),
                format!("S{id:X}").into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    (sessions, (first, ids.session - 1))
}

/// The topics, attendance and counted citizens of the sessions with ids in `sessions`.
/// Returns the attendance rows written.
async fn attendance<C: crate::Writer>(
    conn: &C,
    year: &CampaignYear,
    (first, last): (i64, i64),
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let range = vec![first.into(), last.into(), now.into()];
    for topic in &year.topics {
        sql::exec(
            conn,
            &format!(
                "INSERT INTO session_topics (session_id, topic_id, created_at, updated_at) \
                 SELECT id, {}, $3, $3 FROM study_sessions WHERE id BETWEEN $1 AND $2",
                topic.id
            ),
            range.clone(),
        )
        .await?;
    }
    // One member in 331 never comes (the drill-down lists have names); otherwise one mark
    // in fifty is an excused absence and one in 97 an absence.
    let status = "CASE WHEN p.id % 331 = 7 THEN 'vang' WHEN (p.id + s.id) % 50 = 0 THEN 'vang_co_ly_do' \
                  WHEN (p.id * 3 + s.id) % 97 = 0 THEN 'vang' ELSE 'co_mat' END";
    let members = "p.member_status IN ('chinh_thuc', 'du_bi')";
    // Every session's own members (a cell's, a chi bộ cơ sở's, a committee's own), then
    // the members of the cells under a grassroots committee at its conferences.
    let own = sql::exec(
        conn,
        &format!(
            "INSERT INTO attendance (session_id, person_id, status, created_at, updated_at) \
             SELECT s.id, p.id, {status}, $3, $3 FROM study_sessions s JOIN people p ON p.org_id = s.org_id \
             WHERE s.id BETWEEN $1 AND $2 AND {members}"
        ),
        range.clone(),
    )
    .await?;
    let cells = sql::exec(
        conn,
        &format!(
            "INSERT INTO attendance (session_id, person_id, status, created_at, updated_at) \
             SELECT s.id, p.id, {status}, $3, $3 FROM study_sessions s JOIN orgs d ON d.parent_id = s.org_id \
             JOIN people p ON p.org_id = d.id \
             WHERE s.id BETWEEN $1 AND $2 AND s.kind = 'hoi_nghi' AND {members}"
        ),
        range.clone(),
    )
    .await?;
    for (audience, count) in [
        ("nguoi_dan", "60 + s.id % 140"),
        ("doan_vien", "20 + s.id % 30"),
        ("hoi_vien", "40 + s.id % 50"),
    ] {
        sql::exec(
            conn,
            &format!(
                "INSERT INTO counted_attendance (session_id, audience, count, created_at, updated_at) \
                 SELECT s.id, '{audience}', {count}, $3, $3 FROM study_sessions s JOIN orgs o ON o.id = s.org_id \
                 WHERE s.id BETWEEN $1 AND $2 AND s.kind = 'hoi_nghi' AND o.sector = 'phuong_xa'"
            ),
            range.clone(),
        )
        .await?;
    }
    Ok(own.rows_affected() + cells.rows_affected())
}

/// About two models a grassroots organisation each year: in a finished year most
/// recognised, in the current year registered or under way. Returns the rows and the
/// first and last id.
fn models(
    units: &[Unit],
    year: &CampaignYear,
    finished: bool,
    ids: &mut Ids,
    now: DateTime<Utc>,
) -> (Vec<Vec<Value>>, (i64, i64)) {
    let mut rows = Vec::new();
    let first = ids.model;
    for unit in units.iter().filter(|u| u.kind.is_grassroots()) {
        for k in 0..(unit.id % 4) {
            let n = (unit.id + k) as usize;
            let sector = if n % 5 < 2 {
                Sector::FrontAndUnions
            } else {
                unit.sector
            };
            let state = match (finished, n % 10) {
                (false, 0..=5) => ModelState::Registered,
                (false, _) => ModelState::InProgress,
                (true, 0) => ModelState::NotAchieved,
                (true, 1 | 2) => ModelState::Evaluated,
                (true, _) => ModelState::Recognised,
            };
            let name = demo::model_name(sector, n);
            let mut values = vec![Value::from(first + rows.len() as i64)];
            values.extend(
                ModelRow {
                    unit: OrgId(unit.id),
                    year_id: year.id,
                    year: year.year,
                    name: &name,
                    sector,
                    category: ModelCategory::ALL[n % ModelCategory::ALL.len()],
                    state,
                    continued_from: None,
                }
                .values(now),
            );
            rows.push(values);
        }
    }
    ids.model += rows.len() as i64;
    (rows, (first, ids.model - 1))
}

/// One in eight recognised models of a finished year (ids in `models`) replicated in the
/// next unit.
async fn replications<C: crate::Writer>(
    conn: &C,
    year: &CampaignYear,
    (first, last): (i64, i64),
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sql::exec(
        conn,
        "INSERT INTO model_replications (model_id, org_id, adopted_on, adapted_name, results, created_at, updated_at) \
         SELECT m.id, o.id, $3, m.name, 'Áp dụng ở đơn vị, bước đầu có kết quả', $4, $4 \
         FROM models m JOIN orgs o ON o.id = m.org_id + 1 \
         WHERE m.id BETWEEN $1 AND $2 AND m.state = 'cong_nhan' AND m.id % 8 = 0",
        vec![
            first.into(),
            last.into(),
            NaiveDate::from_ymd_opt(year.year, 12, 20).into(),
            now.into(),
        ],
    )
    .await?;
    sql::exec(
        conn,
        "UPDATE models SET state = 'nhan_rong' WHERE id BETWEEN $1 AND $2 AND state = 'cong_nhan' AND id % 8 = 0",
        vec![first.into(), last.into()],
    )
    .await?;
    Ok(())
}

/// One member in a hundred nominated as an exemplar: in a finished year most commended,
/// one in nine not retained, one in nine verified and waiting; in the current year some
/// still nominated.
async fn exemplars<C: crate::Writer>(
    conn: &C,
    year: &CampaignYear,
    finished: bool,
    people: Option<(i64, i64)>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use lantoa_domain::exemplars::{ExemplarField, ExemplarState, SubjectCategory};
    let Some((first, last)) = people else {
        return Ok(());
    };
    let case = |column: &str, items: &[&str]| {
        let arms: String = items
            .iter()
            .enumerate()
            .map(|(i, item)| format!(" WHEN {i} THEN '{item}'"))
            .collect();
        format!("CASE {column} % {}{arms} END", items.len())
    };
    let fields: Vec<&str> = ExemplarField::ALL.iter().map(|f| f.code()).collect();
    let waiting = if finished {
        ExemplarState::Verified
    } else {
        ExemplarState::Nominated
    };
    let states = [
        ExemplarState::Rejected.code(),
        waiting.code(),
        ExemplarState::Commended.code(),
        ExemplarState::Commended.code(),
        ExemplarState::Commended.code(),
        ExemplarState::Commended.code(),
        ExemplarState::Commended.code(),
        ExemplarState::Commended.code(),
        ExemplarState::Commended.code(),
    ];
    let nominated = NaiveDate::from_ymd_opt(year.year, 4, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .map(|t| t.and_utc());
    let decided = NaiveDate::from_ymd_opt(year.year, 6, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .map(|t| t.and_utc());
    let state = case("(p.id / 97)", &states);
    sql::exec(
        conn,
        &format!(
            "INSERT INTO exemplars (org_id, year_id, kind, person_id, name, name_folded, about, category, field, achievement, \
             source, state, is_public, nominated_at, decided_at, created_at, updated_at) \
             SELECT p.org_id, $3, 'ca_nhan', p.id, p.full_name, p.name_folded, NULL, '{}', {}, {}, 'can_bo', {state}, \
             {state} = '{}', $4, CASE WHEN {state} IN ('{}', '{}') THEN $5 ELSE NULL END, $6, $6 \
             FROM people p WHERE p.id BETWEEN $1 AND $2 AND p.member_status IN ('chinh_thuc', 'du_bi') AND p.id % 97 = 3",
            SubjectCategory::PartyMember.code(),
            case("p.id", &fields),
            case("p.id", &demo::EXEMPLAR_DEEDS),
            ExemplarState::Commended.code(),
            ExemplarState::Commended.code(),
            ExemplarState::Rejected.code(),
        ),
        vec![
            first.into(),
            last.into(),
            year.id.into(),
            nominated.into(),
            decided.into(),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Each finished year, every commune's certificates of merit for its commended exemplars.
async fn commendations(
    db: &DatabaseConnection,
    campaign: &[CampaignYear],
    today: NaiveDate,
) -> Result<(), StoreError> {
    use lantoa_domain::commendations::{CommendationForm, DecisionDraft};
    use lantoa_domain::exemplars::ExemplarState;
    let communes: Vec<sql::Scalar> = sql::all(
        db,
        "SELECT id AS value FROM orgs WHERE kind = $1 ORDER BY id",
        vec![OrgKind::CommuneCommittee.code().into()],
    )
    .await?;
    let actor = crate::audit::Actor::system("generate");
    for year in campaign.iter().filter(|y| y.year < today.year()) {
        let decision = DecisionDraft {
            form: CommendationForm::Certificate,
            signed_on: NaiveDate::from_ymd_opt(year.year, 12, 20).unwrap_or(today),
            number: None,
            signer_name: "Nguyễn Văn An".into(),
            signer_post: "Bí thư Đảng ủy".into(),
            reason: format!(
                "Đã có thành tích tiêu biểu trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm {}",
                year.year
            ),
        };
        for commune in &communes {
            let unit = crate::org::get(db, OrgId(commune.value)).await?;
            let commended: Vec<i64> = crate::commendations::eligible(db, &unit, year)
                .await?
                .iter()
                .filter(|x| x.state == ExemplarState::Commended)
                .map(|x| x.id)
                .collect();
            if !commended.is_empty() {
                crate::commendations::issue(db, &actor, &unit, year, &decision, &commended).await?;
            }
        }
    }
    Ok(())
}

/// Propaganda of each grassroots organisation every month up to today: one activity, and a
/// second in one month of three; the channel turns with the month.
async fn propaganda<C: crate::Writer>(
    conn: &C,
    units: &[Unit],
    year: &CampaignYear,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use lantoa_domain::propaganda::Channel;
    let (Some(first), Some(last)) = (units.first(), units.last()) else {
        return Ok(());
    };
    let channels: String = Channel::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| format!(" WHEN {i} THEN '{}'", c.code()))
        .collect();
    for month in 1..=12u32 {
        let Some(held_on) = NaiveDate::from_ymd_opt(year.year, month, 15).filter(|d| *d < today)
        else {
            continue;
        };
        sql::exec(
            conn,
            &format!(
                "INSERT INTO propaganda_activities (org_id, year_id, held_on, month, channel, topic, title, quantity, reach, \
                 created_at, updated_at) \
                 SELECT o.id, $3, $4, $5, CASE (o.id + n.k + $5) % {}{channels} END, NULL, \
                 'Tuyên truyền học tập và làm theo Bác tháng ' || $6, 1 + o.id % 3, 50 + (o.id * 7) % 400, $7, $7 \
                 FROM orgs o CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2) n \
                 WHERE o.id BETWEEN $1 AND $2 AND o.kind IN ('dang_bo_co_so', 'chi_bo_co_so') \
                 AND (n.k = 1 OR (o.id + $5) % 3 = 0)",
                Channel::ALL.len()
            ),
            vec![
                first.id.into(),
                last.id.into(),
                year.id.into(),
                held_on.into(),
                (month as i32).into(),
                format!("{month:02}/{}", year.year).into(),
                now.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Fresh planner statistics after the load: SQLite's, sampled; on PostgreSQL with a vacuum
/// (`vacuum`) that also marks every loaded row visible in one pass over the tables, so
/// that index-only scans need not visit them. (The slow steps of the nation's first count,
/// once blamed on those marks, came from the statistics of `rollups`: see
/// `rollups::count_step`.)
async fn analyse(db: &DatabaseConnection, vacuum: bool) -> Result<(), StoreError> {
    use sea_orm::ConnectionTrait;
    let statement = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres if vacuum => "VACUUM (ANALYZE)",
        sea_orm::DbBackend::Postgres => "ANALYZE",
        _ => "PRAGMA analysis_limit = 1000; ANALYZE",
    };
    db.execute_unprepared(statement).await?;
    Ok(())
}
