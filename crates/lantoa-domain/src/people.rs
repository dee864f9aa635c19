//! People: categories, Party member status, and the rules of a person's fields.

use crate::ClosedList;
use crate::closed_list;
use crate::dates::{self, DateError};
use crate::text::clean;
use crate::validation::{self, FieldErrors};
use chrono::NaiveDate;

closed_list!(
    /// Gender as recorded in member files.
    Gender {
        Male = ("nam", "Nam"),
        Female = ("nu", "Nữ"),
    }
);

closed_list!(
    /// Category of a person; a person may be in several.
    Category {
        Cadre = ("can_bo", "Cán bộ"),
        PartyMember = ("dang_vien", "Đảng viên"),
        CivilServant = ("cong_chuc", "Công chức"),
        PublicEmployee = ("vien_chuc", "Viên chức"),
        YouthUnionMember = ("doan_vien", "Đoàn viên"),
        AssociationMember = ("hoi_vien", "Hội viên"),
        Citizen = ("nguoi_dan", "Người dân"),
        RetiredCadre = ("can_bo_huu_tri", "Cán bộ hưu trí"),
    }
);

impl Category {
    /// The bit of this category in a [`Categories`] set.
    pub fn bit(self) -> i64 {
        let index = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        1 << index
    }
}

/// A set of categories, stored as a bit mask so lists filter on it with `mask & bit`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Categories(i64);

impl Categories {
    /// The set of a stored bit mask; unknown bits are dropped.
    pub fn from_bits(bits: i64) -> Self {
        let known = Category::ALL.iter().fold(0, |acc, c| acc | c.bit());
        Self(bits & known)
    }

    /// The stored bit mask.
    pub fn bits(self) -> i64 {
        self.0
    }

    /// Adds a category.
    pub fn insert(&mut self, category: Category) {
        self.0 |= category.bit();
    }

    /// Whether the set holds a category.
    pub fn contains(self, category: Category) -> bool {
        self.0 & category.bit() != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The categories in list order.
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }

    /// Labels joined with ", ", as written in files.
    pub fn labels(self) -> String {
        self.iter()
            .map(Category::label)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Parses "Đảng viên, Công chức" (separated by , ; / or +); unknown names are returned.
    pub fn parse(text: &str) -> Result<Self, Vec<String>> {
        let mut set = Self::default();
        let mut unknown = Vec::new();
        for part in text
            .split([',', ';', '/', '+'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match Category::from_user_text(part) {
                Some(category) => set.insert(category),
                None => unknown.push(part.to_owned()),
            }
        }
        if unknown.is_empty() {
            Ok(set)
        } else {
            Err(unknown)
        }
    }
}

impl FromIterator<Category> for Categories {
    fn from_iter<I: IntoIterator<Item = Category>>(iter: I) -> Self {
        let mut set = Self::default();
        for category in iter {
            set.insert(category);
        }
        set
    }
}

closed_list!(
    /// Party member status. Exempt members are left out of coverage denominators.
    MemberStatus {
        Official = ("chinh_thuc", "Chính thức"),
        Probationary = ("du_bi", "Dự bị"),
        Exempt = ("mien_sinh_hoat", "Miễn công tác và sinh hoạt đảng"),
    }
);

impl MemberStatus {
    /// Matches the status as written in files, including the short "Miễn sinh hoạt".
    pub fn parse(text: &str) -> Option<Self> {
        Self::from_user_text(text).or_else(|| {
            let folded = crate::text::fold(text);
            folded.starts_with("mien").then_some(MemberStatus::Exempt)
        })
    }
}

/// Longest accepted full name.
pub const NAME_MAX_LEN: usize = 100;

/// A person as entered in a form or a file row: raw text, one field per column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonInput {
    /// Họ và tên.
    pub full_name: String,
    /// Giới tính.
    pub gender: String,
    /// Ngày sinh.
    pub birth_date: String,
    /// Đối tượng, several separated by commas.
    pub categories: String,
    /// Tình trạng đảng viên.
    pub member_status: String,
    /// Ngày vào Đảng.
    pub party_joined_on: String,
    /// Ngày chính thức.
    pub party_official_on: String,
    /// Số thẻ đảng viên.
    pub party_card_no: String,
    /// Mã đơn vị.
    pub org_code: String,
    /// Chức vụ.
    pub position: String,
    /// Cán bộ lãnh đạo, quản lý: "có"/"x"/"1" or empty.
    pub is_leader: String,
    /// Số CCCD.
    pub citizen_id: String,
    /// Điện thoại.
    pub phone: String,
    /// Email.
    pub email: String,
    /// Ghi chú.
    pub note: String,
}

/// A person's validated fields, ready to store. The unit is still a code: the store
/// resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDraft {
    /// Full name, NFC, single spaces.
    pub full_name: String,
    /// Gender, when known.
    pub gender: Option<Gender>,
    /// Date of birth, when known.
    pub birth_date: Option<NaiveDate>,
    /// Categories; never empty.
    pub categories: Categories,
    /// Party member status; set exactly when the person is a party member.
    pub member_status: Option<MemberStatus>,
    /// Date joined the Party.
    pub party_joined_on: Option<NaiveDate>,
    /// Date made an official member.
    pub party_official_on: Option<NaiveDate>,
    /// Party card number.
    pub party_card_no: Option<String>,
    /// Code of the unit the person belongs to.
    pub org_code: String,
    /// Position (chức vụ).
    pub position: Option<String>,
    /// Leader or head of an agency or unit.
    pub is_leader: bool,
    /// Citizen identity number (personal data).
    pub citizen_id: Option<String>,
    /// Phone (personal data).
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Free note.
    pub note: Option<String>,
}

fn optional(text: &str) -> Option<String> {
    let text = clean(text);
    (!text.is_empty()).then_some(text)
}

fn past_date(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    text: &str,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if text.trim().is_empty() {
        return None;
    }
    match dates::parse(text).and_then(|d| dates::check_past(d, today)) {
        Ok(date) => Some(date),
        Err(error) => {
            let detail = match error {
                DateError::Format => {
                    format!("{label} «{}» không đúng định dạng dd/mm/yyyy", text.trim())
                }
                other => format!("{label} «{}»: {other}", text.trim()),
            };
            errors.add(field, detail);
            None
        }
    }
}

/// A party card number as stored: no spaces, upper case; `None` when empty.
pub fn normalise_card(text: &str) -> Option<String> {
    let card: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    (!card.is_empty()).then_some(card)
}

/// Reads a yes/no cell: "có", "x", "1", "yes", "true" are yes; empty, "không", "0" are no.
pub fn parse_yes_no(text: &str) -> Option<bool> {
    match crate::text::fold(text).as_str() {
        "" | "khong" | "0" | "no" | "false" | "k" => Some(false),
        "co" | "x" | "1" | "yes" | "true" | "c" => Some(true),
        _ => None,
    }
}

impl PersonInput {
    /// Validates every field, returning the draft or all errors at once.
    pub fn validate(&self, today: NaiveDate) -> Result<PersonDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let full_name = clean(&self.full_name);
        if full_name.is_empty() {
            errors.add("full_name", "Chưa nhập họ và tên");
        } else if full_name.chars().count() > NAME_MAX_LEN {
            errors.add("full_name", "Họ và tên dài quá 100 ký tự");
        } else if full_name.chars().any(|c| c.is_ascii_digit()) {
            errors.add("full_name", "Họ và tên không được chứa chữ số");
        }
        let gender = match optional(&self.gender) {
            None => None,
            Some(text) => {
                let gender = Gender::from_user_text(&text);
                if gender.is_none() {
                    errors.add(
                        "gender",
                        format!("Giới tính «{text}» không hợp lệ (Nam hoặc Nữ)"),
                    );
                }
                gender
            }
        };
        let birth_date = past_date(
            &mut errors,
            "birth_date",
            "Ngày sinh",
            &self.birth_date,
            today,
        );
        let mut categories = match Categories::parse(&self.categories) {
            Ok(set) => set,
            Err(unknown) => {
                errors.add(
                    "categories",
                    format!("Đối tượng không hợp lệ: {}", unknown.join(", ")),
                );
                Categories::default()
            }
        };
        let member_status = match optional(&self.member_status) {
            None => None,
            Some(text) => {
                let status = MemberStatus::parse(&text);
                if status.is_none() {
                    errors.add(
                        "member_status",
                        format!("Tình trạng đảng viên «{text}» không hợp lệ"),
                    );
                }
                status
            }
        };
        if member_status.is_some() {
            // A status only exists for members: writing it is saying the person is one.
            categories.insert(Category::PartyMember);
        }
        if categories.is_empty() && errors.get("categories").is_none() {
            errors.add(
                "categories",
                "Chưa chọn đối tượng (ví dụ: Đảng viên, Đoàn viên, Người dân)",
            );
        }
        let is_member = categories.contains(Category::PartyMember);
        if is_member && member_status.is_none() && errors.get("member_status").is_none() {
            errors.add("member_status", "Đảng viên phải có tình trạng: Chính thức, Dự bị hoặc Miễn công tác và sinh hoạt đảng");
        }
        let party_joined_on = past_date(
            &mut errors,
            "party_joined_on",
            "Ngày vào Đảng",
            &self.party_joined_on,
            today,
        );
        let party_official_on = past_date(
            &mut errors,
            "party_official_on",
            "Ngày chính thức",
            &self.party_official_on,
            today,
        );
        if let (Some(joined), Some(official)) = (party_joined_on, party_official_on)
            && official < joined
        {
            errors.add(
                "party_official_on",
                "Ngày chính thức phải sau ngày vào Đảng",
            );
        }
        if let (Some(birth), Some(joined)) = (birth_date, party_joined_on)
            && joined <= birth
        {
            errors.add("party_joined_on", "Ngày vào Đảng phải sau ngày sinh");
        }
        if member_status == Some(MemberStatus::Probationary) && party_official_on.is_some() {
            errors.add(
                "party_official_on",
                "Đảng viên dự bị chưa có ngày chính thức",
            );
        }
        let party_card_no =
            optional(&self.party_card_no).map(|c| c.replace(' ', "").to_uppercase());
        if let Some(card) = &party_card_no
            && (card.len() > 20
                || !card
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'))
        {
            errors.add(
                "party_card_no",
                "Số thẻ đảng viên chỉ gồm chữ số và chữ cái, tối đa 20 ký tự",
            );
        }
        if !is_member
            && (party_card_no.is_some() || party_joined_on.is_some() || party_official_on.is_some())
        {
            errors.add(
                "categories",
                "Có số thẻ hoặc ngày vào Đảng nhưng đối tượng không có «Đảng viên»",
            );
        }
        let org_code = crate::org::normalise_code(&self.org_code);
        if org_code.is_empty() {
            errors.add("org_code", "Chưa nhập mã đơn vị");
        }
        let is_leader = parse_yes_no(&self.is_leader).unwrap_or_else(|| {
            errors.add(
                "is_leader",
                format!(
                    "Ô lãnh đạo, quản lý «{}» phải là «có» hoặc để trống",
                    self.is_leader.trim()
                ),
            );
            false
        });
        let citizen_id = optional(&self.citizen_id).and_then(|text| {
            validation::citizen_id(&text)
                .map_err(|m| errors.add("citizen_id", m))
                .ok()
        });
        let phone = optional(&self.phone).and_then(|text| {
            validation::phone(&text)
                .map_err(|m| errors.add("phone", m))
                .ok()
        });
        let email = optional(&self.email).and_then(|text| {
            validation::email(&text)
                .map_err(|m| errors.add("email", m))
                .ok()
        });
        let position = optional(&self.position);
        if position.as_ref().is_some_and(|p| p.chars().count() > 200) {
            errors.add("position", "Chức vụ dài quá 200 ký tự");
        }
        let note = optional(&self.note);
        if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            errors.add("note", "Ghi chú dài quá 2.000 ký tự");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PersonDraft {
            full_name,
            gender,
            birth_date,
            categories,
            member_status,
            party_joined_on,
            party_official_on,
            party_card_no,
            org_code,
            position,
            is_leader,
            citizen_id,
            phone,
            email,
            note,
        })
    }
}

impl PersonDraft {
    /// The draft written back as raw input, as a form or an export shows it.
    pub fn to_input(&self) -> PersonInput {
        let date = |d: Option<NaiveDate>| d.map(dates::display).unwrap_or_default();
        PersonInput {
            full_name: self.full_name.clone(),
            gender: self
                .gender
                .map(|g| g.label().to_owned())
                .unwrap_or_default(),
            birth_date: date(self.birth_date),
            categories: self.categories.labels(),
            member_status: self
                .member_status
                .map(|s| s.label().to_owned())
                .unwrap_or_default(),
            party_joined_on: date(self.party_joined_on),
            party_official_on: date(self.party_official_on),
            party_card_no: self.party_card_no.clone().unwrap_or_default(),
            org_code: self.org_code.clone(),
            position: self.position.clone().unwrap_or_default(),
            is_leader: if self.is_leader {
                "Có".to_owned()
            } else {
                String::new()
            },
            citizen_id: self.citizen_id.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            email: self.email.clone().unwrap_or_default(),
            note: self.note.clone().unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    fn member() -> PersonInput {
        PersonInput {
            full_name: "  Nguyễn  Văn Đức ".into(),
            gender: "nam".into(),
            birth_date: "02/09/1975".into(),
            categories: "Cán bộ, Đảng viên".into(),
            member_status: "Chính thức".into(),
            party_joined_on: "19/05/2000".into(),
            party_official_on: "19/05/2001".into(),
            party_card_no: "12 345 678".into(),
            org_code: "tu-mytho".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_member_validates() {
        let draft = member().validate(today()).unwrap();
        assert_eq!(draft.full_name, "Nguyễn Văn Đức");
        assert_eq!(draft.gender, Some(Gender::Male));
        assert!(draft.categories.contains(Category::PartyMember));
        assert!(draft.categories.contains(Category::Cadre));
        assert_eq!(draft.party_card_no.as_deref(), Some("12345678"));
        assert_eq!(draft.org_code, "TU-MYTHO");
        assert_eq!(draft.to_input().validate(today()).unwrap(), draft);
    }

    #[test]
    fn every_reason_is_reported() {
        let input = PersonInput {
            full_name: String::new(),
            birth_date: "31/02/1980".into(),
            categories: "Đảng viên, Thợ lặn".into(),
            phone: "123".into(),
            ..Default::default()
        };
        let errors = input.validate(today()).unwrap_err();
        assert!(errors.get("full_name").is_some());
        assert!(errors.get("birth_date").unwrap().contains("không tồn tại"));
        assert!(errors.get("categories").unwrap().contains("Thợ lặn"));
        assert!(errors.get("phone").is_some());
        assert!(errors.get("org_code").is_some());
    }

    #[test]
    fn status_implies_membership_and_membership_needs_status() {
        let mut input = member();
        input.categories = "Cán bộ".into();
        assert!(
            input
                .validate(today())
                .unwrap()
                .categories
                .contains(Category::PartyMember)
        );
        input.member_status = String::new();
        input.categories = "Đảng viên".into();
        assert!(
            input
                .validate(today())
                .unwrap_err()
                .get("member_status")
                .is_some()
        );
    }

    #[test]
    fn party_dates_are_consistent() {
        let mut input = member();
        input.party_official_on = "01/01/1999".into();
        assert!(
            input
                .validate(today())
                .unwrap_err()
                .get("party_official_on")
                .is_some()
        );
        let mut input = member();
        input.birth_date = "01/01/2030".into();
        assert!(
            input
                .validate(today())
                .unwrap_err()
                .get("birth_date")
                .unwrap()
                .contains("tương lai")
        );
    }

    #[test]
    fn non_members_have_no_card() {
        let input = PersonInput {
            full_name: "Trần Thị Mai".into(),
            categories: "Người dân".into(),
            party_card_no: "123".into(),
            org_code: "KP1".into(),
            ..Default::default()
        };
        assert!(
            input
                .validate(today())
                .unwrap_err()
                .get("categories")
                .is_some()
        );
    }

    #[test]
    fn categories_round_trip_bits() {
        let set: Categories = [Category::PartyMember, Category::Citizen]
            .into_iter()
            .collect();
        assert_eq!(Categories::from_bits(set.bits()), set);
        assert_eq!(set.labels(), "Đảng viên, Người dân");
        assert_eq!(
            MemberStatus::parse("Miễn sinh hoạt"),
            Some(MemberStatus::Exempt)
        );
    }
}
