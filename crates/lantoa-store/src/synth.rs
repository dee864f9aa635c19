//! Deterministic synthetic data: realistic Vietnamese names, dates, categories and statuses,
//! the same on every run for the same seed. The demo city and `lantoa generate` both use it.

use crate::StoreError;
use crate::Writer as _;
use crate::org::{self, Org};
use crate::people::{self, NewPerson};
use chrono::{Datelike, NaiveDate};
use lantoa_domain::OrgId;
use lantoa_domain::org::{OrgDraft, OrgKind, Sector};
use lantoa_domain::people::{Categories, Category, Gender, MemberStatus, PersonDraft};
use sea_orm::DatabaseConnection;

/// A small, fast, seedable generator (SplitMix64): the output never depends on a crate's
/// version, so the demo stays the same on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One item of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One item of a weighted list.
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        &items[items.len() - 1].0
    }
}

/// Family names with their approximate share (per thousand) in the south of Viet Nam.
const FAMILY: &[(&str, u64)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Huỳnh", 50),
    ("Phan", 45),
    ("Võ", 40),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 5),
    ("Trương", 8),
    ("Lâm", 6),
    ("Mai", 4),
    ("Cao", 4),
    ("Châu", 4),
    ("Tạ", 2),
    ("Lương", 3),
    ("Đoàn", 4),
    ("Thái", 3),
];
const MIDDLE_MALE: &[&str] = &[
    "Văn", "Văn", "Văn", "Hữu", "Minh", "Quốc", "Thanh", "Công", "Đức", "Hoàng", "Ngọc", "Tấn",
    "Trọng",
];
const MIDDLE_FEMALE: &[&str] = &[
    "Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Hồng", "Bích", "Thúy", "Diệu",
];
const GIVEN_MALE: &[&str] = &[
    "Đức", "Hùng", "Dũng", "Tuấn", "Phong", "Hải", "Nam", "Long", "Sơn", "Tài", "Trung", "Khang",
    "Phúc", "Bảo", "Huy", "Tâm", "Thành", "Vinh", "Quang", "Lộc", "Nghĩa", "Hiếu", "Tín", "Thịnh",
    "An", "Bình", "Cường", "Đạt", "Đăng", "Kiệt", "Lợi", "Nhân", "Phát", "Thắng", "Toàn", "Triều",
    "Vũ", "Khoa",
];
const GIVEN_FEMALE: &[&str] = &[
    "Lan", "Hoa", "Mai", "Hồng", "Hương", "Linh", "Trang", "Thảo", "Ngân", "Phương", "Yến",
    "Nhung", "Tuyết", "Vân", "Hạnh", "Nga", "Diễm", "Thủy", "Loan", "Hằng", "Trinh", "Xuân",
    "Uyên", "Nhi", "Thư", "Quyên", "Ánh", "Dung", "Châu", "Oanh", "Liên", "Tiên",
];

/// What kind of people a unit holds, which decides their categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Population {
    /// Party members of an agency, school, hospital… (cadres, civil servants, public employees).
    StaffMembers,
    /// Staff who are not party members.
    Staff,
    /// Members of a neighbourhood or hamlet cell, many of them retired.
    ResidentMembers,
    /// Union and association members and citizens of a neighbourhood.
    Residents,
    /// Police or military members.
    Forces,
}

/// Builds people with realistic, deterministic data.
#[derive(Debug, Clone)]
pub struct PeopleMaker {
    rng: Rng,
    cards: u64,
    card_prefix: u64,
    today: NaiveDate,
}

impl PeopleMaker {
    /// A maker for a seed; `today` bounds every date.
    pub fn new(seed: u64, today: NaiveDate) -> Self {
        Self {
            rng: Rng::new(seed),
            cards: 0,
            card_prefix: seed % 100,
            today,
        }
    }

    /// The generator, for choices outside people.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A full name for a gender.
    pub fn name(&mut self, gender: Gender) -> String {
        let family = *self.rng.weighted(FAMILY);
        let (middle, given) = match gender {
            Gender::Male => (*self.rng.pick(MIDDLE_MALE), *self.rng.pick(GIVEN_MALE)),
            Gender::Female => (*self.rng.pick(MIDDLE_FEMALE), *self.rng.pick(GIVEN_FEMALE)),
        };
        format!("{family} {middle} {given}")
    }

    fn date(&mut self, year: i32) -> NaiveDate {
        let day = self.rng.below(365) as u32;
        let date = NaiveDate::from_yo_opt(year, day + 1).unwrap_or_default();
        date.min(self.today)
    }

    /// A person of a population in a unit, with an optional position.
    pub fn person(
        &mut self,
        population: Population,
        org_code: &str,
        position: Option<&str>,
        is_leader: bool,
    ) -> PersonDraft {
        let this_year = self.today.year();
        let male_percent = if population == Population::Forces {
            85
        } else {
            50
        };
        let gender = if self.rng.chance(male_percent) {
            Gender::Male
        } else {
            Gender::Female
        };
        let age = match population {
            Population::ResidentMembers => self.rng.between(30, 85),
            Population::Residents => self.rng.between(16, 75),
            Population::Forces => self.rng.between(21, 55),
            _ => self.rng.between(23, 60),
        } as i32;
        let birth = self.date(this_year - age);
        let mut categories = Categories::default();
        let member = matches!(
            population,
            Population::StaffMembers | Population::ResidentMembers | Population::Forces
        );
        match population {
            Population::StaffMembers | Population::Staff => {
                categories.insert(*self.rng.pick(&[
                    Category::CivilServant,
                    Category::PublicEmployee,
                    Category::Cadre,
                ]));
                if age < 31 {
                    categories.insert(Category::YouthUnionMember);
                }
            }
            Population::ResidentMembers => {
                if age >= 60 {
                    categories.insert(Category::RetiredCadre);
                } else {
                    categories.insert(Category::AssociationMember);
                }
            }
            Population::Residents => {
                if age <= 30 && self.rng.chance(60) {
                    categories.insert(Category::YouthUnionMember);
                } else if self.rng.chance(55) {
                    categories.insert(Category::AssociationMember);
                }
                categories.insert(Category::Citizen);
            }
            Population::Forces => categories.insert(Category::Cadre),
        }
        let (mut status, mut joined, mut official, mut card) = (None, None, None, None);
        if member {
            categories.insert(Category::PartyMember);
            let join_age = self.rng.between(19, (age as i64 - 1).clamp(19, 45)) as i32;
            let joined_on = self
                .date(this_year - age + join_age)
                .max(birth.succ_opt().unwrap_or(birth));
            let probation_ends = joined_on
                .checked_add_months(chrono::Months::new(12))
                .unwrap_or(joined_on);
            let s = if probation_ends > self.today {
                MemberStatus::Probationary
            } else if age > 70 && self.rng.chance(30) {
                MemberStatus::Exempt
            } else {
                MemberStatus::Official
            };
            status = Some(s);
            joined = Some(joined_on);
            official = (s != MemberStatus::Probationary).then_some(probation_ends);
            self.cards += 1;
            // 7919 is prime, so the numbers are distinct for the first 10^8 members of a seed.
            card = Some(format!(
                "{:02}{:08}",
                self.card_prefix,
                self.cards * 7919 % 100_000_000
            ));
        }
        let phone = self
            .rng
            .chance(80)
            .then(|| format!("09{:08}", self.rng.below(100_000_000)));
        let citizen_id = self.rng.chance(85).then(|| {
            let century =
                if birth.year() >= 2000 { 2 } else { 0 } + u64::from(gender == Gender::Female);
            format!(
                "082{century}{:02}{:06}",
                birth.year() % 100,
                self.rng.below(1_000_000)
            )
        });
        PersonDraft {
            full_name: self.name(gender),
            gender: Some(gender),
            birth_date: Some(birth),
            categories,
            member_status: status,
            party_joined_on: joined,
            party_official_on: official,
            party_card_no: card,
            org_code: org_code.to_owned(),
            position: position.map(str::to_owned),
            is_leader,
            citizen_id,
            phone,
            email: None,
            note: None,
        }
    }
}

/// Creates units from (code, name, kind, sector, parent code) in order; parents first.
pub async fn create_orgs<C: crate::Writer>(
    conn: &C,
    actor: &crate::audit::Actor,
    units: &[(String, String, OrgKind, Sector, Option<String>)],
) -> Result<Vec<Org>, StoreError> {
    let mut ids: std::collections::HashMap<String, OrgId> = std::collections::HashMap::new();
    for (code, name, kind, sector, parent) in units {
        let parent_id = parent.as_ref().and_then(|p| ids.get(p).copied());
        let draft = OrgDraft {
            code: code.clone(),
            name: name.clone(),
            kind: *kind,
            sector: *sector,
        };
        let id = org::create(conn, actor, &draft, parent_id).await?;
        ids.insert(code.clone(), id);
    }
    let all: Vec<OrgId> = ids.values().copied().collect();
    org::get_many(conn, &all).await
}

/// Inserts people whose drafts name their unit by code, resolving codes from `orgs`.
pub async fn insert_people<C: sea_orm::ConnectionTrait>(
    conn: &C,
    orgs: &[Org],
    drafts: Vec<PersonDraft>,
) -> Result<usize, StoreError> {
    let ids: std::collections::HashMap<&str, OrgId> =
        orgs.iter().map(|o| (o.code.as_str(), o.id)).collect();
    let people: Vec<NewPerson> = drafts
        .into_iter()
        .filter_map(|draft| {
            ids.get(draft.org_code.as_str()).map(|org_id| NewPerson {
                org_id: *org_id,
                draft,
            })
        })
        .collect();
    people::insert_many(conn, &people)
        .await
        .map(|ids| ids.len())
}

/// What `lantoa generate` made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated {
    /// Units created.
    pub orgs: usize,
    /// People created.
    pub people: usize,
}

/// Builds a synthetic province of about `people` people: communes with neighbourhood cells
/// (about 20 members each) and neighbourhoods of residents, in one transaction.
pub async fn generate(
    db: &DatabaseConnection,
    people: usize,
    seed: u64,
    today: NaiveDate,
) -> Result<Generated, StoreError> {
    let mut maker = PeopleMaker::new(seed, today);
    let prefix = format!("G{seed}");
    let members = people * 6 / 10;
    let cells = members.div_ceil(20).max(1);
    let communes = cells.div_ceil(8).max(1);
    let mut units = vec![(
        prefix.clone(),
        format!("Đảng bộ tỉnh tổng hợp {seed}"),
        OrgKind::ProvincialCommittee,
        Sector::Administration,
        None,
    )];
    for c in 1..=communes {
        let code = format!("{prefix}-X{c}");
        units.push((
            code.clone(),
            format!("Đảng bộ xã {c}"),
            OrgKind::CommuneCommittee,
            Sector::WardCommune,
            Some(prefix.clone()),
        ));
    }
    for cell in 0..cells {
        let commune = format!("{prefix}-X{}", cell / 8 + 1);
        let n = cell % 8 + 1;
        units.push((
            format!("{commune}-CB{n}"),
            format!("Chi bộ ấp {n}"),
            OrgKind::Cell,
            Sector::WardCommune,
            Some(commune.clone()),
        ));
        units.push((
            format!("{commune}-AP{n}"),
            format!("Ấp {n}"),
            OrgKind::Neighbourhood,
            Sector::WardCommune,
            Some(commune),
        ));
    }
    let mut drafts = Vec::with_capacity(people);
    for i in 0..people {
        let cell = i % cells;
        let commune = format!("{prefix}-X{}", cell / 8 + 1);
        let n = cell % 8 + 1;
        if i < members {
            drafts.push(maker.person(
                Population::ResidentMembers,
                &format!("{commune}-CB{n}"),
                None,
                false,
            ));
        } else {
            drafts.push(maker.person(
                Population::Residents,
                &format!("{commune}-AP{n}"),
                None,
                false,
            ));
        }
    }
    let txn = db.begin_write().await?;
    let orgs = create_orgs(&txn, &crate::audit::Actor::system("generate"), &units).await?;
    let count = insert_people(&txn, &orgs, drafts).await?;
    txn.commit().await?;
    Ok(Generated {
        orgs: orgs.len(),
        people: count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_people() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let mut a = PeopleMaker::new(7, today);
        let mut b = PeopleMaker::new(7, today);
        for _ in 0..100 {
            let p = a.person(Population::ResidentMembers, "X", None, false);
            assert_eq!(p, b.person(Population::ResidentMembers, "X", None, false));
            // Every synthetic person passes the same validation as a typed one.
            assert_eq!(p.to_input().validate(today).as_ref(), Ok(&p), "{p:?}");
        }
    }
}
