//! The rules a committee chooses for itself, kept in the database and changed by its system
//! administrators: who approves personal plans, which people must have one, the score bands
//! of the rating regulation in force, the cap on "xuất sắc", and which organisations may
//! decide which forms of commendation.
//!
//! Each setting is stored as a named JSON value; a setting never saved, or saved by an older
//! version in a shape no longer understood, reads as its default, so a fresh database works.

use crate::ClosedList;
use crate::closed_list;
use crate::commendations::Powers;
use crate::findings::Thresholds;
use crate::people::{Categories, Category};
use crate::ratings::{Bands, parse_score, score_text};
use crate::validation::FieldErrors;

closed_list!(
    /// Who approves, returns and assesses a personal plan (never its owner).
    PlanApprover {
        CellLeaders = ("chi_bo", "Lãnh đạo hoặc cán bộ nghiệp vụ của chi bộ, đơn vị của người lập"),
        CellStaff = ("nghiep_vu", "Chỉ cán bộ nghiệp vụ của chi bộ, đơn vị của người lập"),
        ParentCommittee = ("cap_tren", "Lãnh đạo hoặc cán bộ nghiệp vụ của cấp ủy cấp trên trực tiếp"),
    }
);

/// How Party documents are laid out: page margins in millimetres and the font (handbooks
/// differ; Hướng dẫn 36-HD/VPTW asks for Times New Roman).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DocumentLayout {
    pub top: u32,
    pub bottom: u32,
    pub left: u32,
    pub right: u32,
    pub font: String,
}

impl Default for DocumentLayout {
    /// One handbook's: top 25, bottom 25, left 35, right 15 mm; Times New Roman.
    fn default() -> Self {
        DocumentLayout {
            top: 25,
            bottom: 25,
            left: 35,
            right: 15,
            font: "Times New Roman".into(),
        }
    }
}

/// Margins from 5 to 60 mm.
const MARGIN_RANGE: std::ops::RangeInclusive<u32> = 5..=60;

/// Every setting, with its value in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Who reviews personal plans.
    pub plan_approver: PlanApprover,
    /// The people who must have a personal plan: party members (chính thức and dự bị) when
    /// the set holds "Đảng viên", and anyone of the other categories in it.
    pub plan_required: Categories,
    /// The rating bands in force.
    pub bands: Bands,
    /// At most this percent of a unit's "tốt" may be "xuất sắc" (warned, not forbidden).
    pub excellent_cap_percent: Option<u32>,
    /// Which kinds of Party organisation may decide which forms of commendation.
    pub powers: Powers,
    /// Where the findings of the dashboard and the report start to speak.
    pub thresholds: Thresholds,
    /// Margins and font of Party documents.
    pub layout: DocumentLayout,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            plan_approver: PlanApprover::CellLeaders,
            plan_required: [Category::PartyMember].into_iter().collect(),
            bands: Bands::QD_366,
            excellent_cap_percent: None,
            powers: Powers::default(),
            thresholds: Thresholds::default(),
            layout: DocumentLayout::default(),
        }
    }
}

const PLAN_APPROVER: &str = "plan_approver";
const PLAN_REQUIRED: &str = "plan_required";
const RATING_BANDS: &str = "rating_bands";
const EXCELLENT_CAP: &str = "excellent_cap_percent";
const POWERS: &str = "commendation_powers";
const THRESHOLDS: &str = "finding_thresholds";
const LAYOUT: &str = "document_layout";

impl Settings {
    /// The settings from stored (name, JSON) pairs; anything missing or unreadable keeps
    /// its default.
    pub fn from_stored<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut settings = Settings::default();
        for (name, json) in pairs {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
                continue;
            };
            match name {
                PLAN_APPROVER => {
                    if let Some(a) = value.as_str().and_then(PlanApprover::from_code) {
                        settings.plan_approver = a;
                    }
                }
                PLAN_REQUIRED => {
                    if let Some(bits) = value.as_i64() {
                        let set = Categories::from_bits(bits);
                        if !set.is_empty() {
                            settings.plan_required = set;
                        }
                    }
                }
                RATING_BANDS => {
                    if let Ok(bands) = serde_json::from_value::<Bands>(value) {
                        settings.bands = bands;
                    }
                }
                EXCELLENT_CAP => {
                    settings.excellent_cap_percent =
                        value.as_u64().and_then(|v| u32::try_from(v).ok());
                }
                POWERS => {
                    if let Some(powers) = serde_json::from_value::<Vec<String>>(value)
                        .ok()
                        .and_then(|codes| Powers::from_codes(&codes).ok())
                    {
                        settings.powers = powers;
                    }
                }
                LAYOUT => {
                    if let Ok(l) = serde_json::from_value::<DocumentLayout>(value) {
                        settings.layout = l;
                    }
                }
                THRESHOLDS => {
                    if let Ok(t) = serde_json::from_value::<Thresholds>(value) {
                        settings.thresholds = t;
                    }
                }
                _ => {}
            }
        }
        settings
    }

    /// The (name, JSON) pairs to store.
    pub fn to_stored(&self) -> Vec<(&'static str, serde_json::Value)> {
        vec![
            (PLAN_APPROVER, self.plan_approver.code().into()),
            (PLAN_REQUIRED, self.plan_required.bits().into()),
            (
                RATING_BANDS,
                serde_json::to_value(&self.bands).unwrap_or_default(),
            ),
            (EXCELLENT_CAP, self.excellent_cap_percent.into()),
            (POWERS, self.powers.codes().into()),
            (
                THRESHOLDS,
                serde_json::to_value(self.thresholds).unwrap_or_default(),
            ),
            (
                LAYOUT,
                serde_json::to_value(&self.layout).unwrap_or_default(),
            ),
        ]
    }

    /// Whether a person with these categories and this member status must have a plan.
    pub fn must_have_plan(
        &self,
        categories: Categories,
        status: Option<crate::people::MemberStatus>,
    ) -> bool {
        use crate::people::MemberStatus;
        let member = self.plan_required.contains(Category::PartyMember)
            && matches!(
                status,
                Some(MemberStatus::Official | MemberStatus::Probationary)
            );
        let other = self
            .plan_required
            .iter()
            .filter(|c| *c != Category::PartyMember)
            .any(|c| categories.contains(c))
            && status != Some(MemberStatus::Exempt);
        member || other
    }

    /// The categories that must have a plan, as a sentence: "Đảng viên, Công chức".
    pub fn plan_required_text(&self) -> String {
        self.plan_required.labels()
    }
}

/// The settings form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInput {
    /// A `PlanApprover` code.
    pub plan_approver: String,
    /// `Category` codes ticked.
    pub plan_required: Vec<String>,
    /// The regulation's number.
    pub regulation: String,
    /// Lowest score of each level, as typed ("90", "85,5").
    pub excellent: String,
    pub good: String,
    pub done: String,
    /// Percent, or empty for no cap.
    pub excellent_cap_percent: String,
    /// Powers ticked, as "kind:form".
    pub powers: Vec<String>,
    /// The findings' thresholds as typed: (field name, text).
    pub thresholds: Vec<(String, String)>,
    /// Margins in millimetres as typed: top, bottom, left, right.
    pub margins: [String; 4],
    /// The documents' font.
    pub font: String,
}

/// Longest regulation number (the column holds 30 characters).
pub const REGULATION_MAX_LEN: usize = 30;

impl SettingsInput {
    /// The form filled with settings in force.
    pub fn from_settings(s: &Settings) -> Self {
        SettingsInput {
            plan_approver: s.plan_approver.code().into(),
            plan_required: s
                .plan_required
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
            regulation: s.bands.regulation.to_string(),
            excellent: score_text(s.bands.excellent),
            good: score_text(s.bands.good),
            done: score_text(s.bands.done),
            excellent_cap_percent: s
                .excellent_cap_percent
                .map(|c| c.to_string())
                .unwrap_or_default(),
            powers: s.powers.codes(),
            thresholds: crate::findings::THRESHOLD_FIELDS
                .iter()
                .map(|f| {
                    let v = s.thresholds.value(f.name).unwrap_or_default();
                    (f.name.to_owned(), v.to_string())
                })
                .collect(),
            margins: [s.layout.top, s.layout.bottom, s.layout.left, s.layout.right]
                .map(|m| m.to_string()),
            font: s.layout.font.clone(),
        }
    }

    /// Whether a power ("kind:form") is ticked.
    pub fn grants(&self, code: &str) -> bool {
        self.powers.iter().any(|p| p == code)
    }

    /// The layout typed: margins from 5 to 60 mm, a font name of letters and spaces; what
    /// is left empty keeps its default.
    fn layout(&self, errors: &mut FieldErrors) -> DocumentLayout {
        const FIELDS: [&str; 4] = ["margin_top", "margin_bottom", "margin_left", "margin_right"];
        let default = DocumentLayout::default();
        let mut values = [default.top, default.bottom, default.left, default.right];
        for ((value, text), field) in values.iter_mut().zip(&self.margins).zip(FIELDS) {
            if text.trim().is_empty() {
                continue;
            }
            match text.trim().trim_end_matches("mm").trim().parse::<u32>() {
                Ok(v) if MARGIN_RANGE.contains(&v) => *value = v,
                _ => errors.add(field, "Lề là số milimét nguyên từ 5 đến 60"),
            }
        }
        let mut font = crate::text::clean(&self.font);
        if font.is_empty() {
            font = default.font.clone();
        }
        if font.chars().count() > 60
            || !font
                .chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
        {
            errors.add("font", "Ghi tên phông chữ, ví dụ Times New Roman");
        }
        let [top, bottom, left, right] = values;
        DocumentLayout {
            top,
            bottom,
            left,
            right,
            font,
        }
    }

    /// The typed value of a threshold field.
    pub fn threshold(&self, name: &str) -> &str {
        self.thresholds
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether a category is ticked.
    pub fn requires(&self, category: &Category) -> bool {
        self.plan_required.iter().any(|c| c == category.code())
    }

    /// Checks the form: a known approver, one category at least, a regulation number and
    /// three bands from high to low within 0–100, a cap from 1 to 100 or none. Every error
    /// at once.
    pub fn validate(&self) -> Result<Settings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let plan_approver = PlanApprover::from_code(self.plan_approver.trim());
        if plan_approver.is_none() {
            errors.add("plan_approver", "Chọn người duyệt kế hoạch trong danh sách");
        }
        let mut plan_required = Categories::default();
        for code in &self.plan_required {
            match Category::from_code(code.trim()) {
                Some(c) => plan_required.insert(c),
                None => errors.add("plan_required", format!("Không có đối tượng «{code}»")),
            }
        }
        if plan_required.is_empty() && errors.get("plan_required").is_none() {
            errors.add(
                "plan_required",
                "Chọn ít nhất một đối tượng phải xây dựng kế hoạch",
            );
        }
        let regulation = crate::text::clean(&self.regulation);
        if regulation.is_empty() {
            errors.add("regulation", "Ghi số hiệu quy định, ví dụ 366-QĐ/TW");
        } else if regulation.chars().count() > REGULATION_MAX_LEN {
            errors.add(
                "regulation",
                format!("Số hiệu quy định tối đa {REGULATION_MAX_LEN} ký tự"),
            );
        }
        let mut band = |field: &'static str, text: &str| match parse_score(text) {
            Ok(tenths) => Some(tenths),
            Err(e) => {
                errors.add(field, e);
                None
            }
        };
        let (excellent, good, done) = (
            band("excellent", &self.excellent),
            band("good", &self.good),
            band("done", &self.done),
        );
        if let (Some(e), Some(g), Some(d)) = (excellent, good, done)
            && !(e > g && g > d && d > 0)
        {
            errors.add(
                "good",
                "Điểm sàn phải giảm dần: xuất sắc cao hơn tốt, tốt cao hơn hoàn thành, hoàn thành lớn hơn 0",
            );
        }
        let cap = self
            .excellent_cap_percent
            .trim()
            .trim_end_matches('%')
            .trim();
        let excellent_cap_percent = if cap.is_empty() {
            None
        } else {
            match cap.parse::<u32>() {
                Ok(c) if (1..=100).contains(&c) => Some(c),
                _ => {
                    errors.add(
                        "excellent_cap_percent",
                        "Tỷ lệ là số nguyên từ 1 đến 100, hoặc để trống nếu không giới hạn",
                    );
                    None
                }
            }
        };
        let powers = Powers::from_codes(&self.powers).unwrap_or_else(|code| {
            errors.add("powers", format!("Không có thẩm quyền «{code}»"));
            Powers::default()
        });
        let thresholds = Thresholds::parse(&self.thresholds, &mut errors);
        let layout = self.layout(&mut errors);
        match (plan_approver, excellent, good, done, errors.is_empty()) {
            (Some(plan_approver), Some(excellent), Some(good), Some(done), true) => Ok(Settings {
                plan_approver,
                plan_required,
                bands: Bands {
                    regulation: regulation.into(),
                    excellent,
                    good,
                    done,
                },
                excellent_cap_percent,
                powers,
                thresholds,
                layout,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::MemberStatus;

    #[test]
    fn a_fresh_database_reads_the_defaults_and_a_saved_one_reads_back() {
        assert_eq!(Settings::from_stored([]), Settings::default());
        let mut changed = Settings {
            plan_approver: PlanApprover::ParentCommittee,
            excellent_cap_percent: Some(20),
            bands: Bands {
                excellent: 950,
                ..Bands::QD_366
            },
            ..Default::default()
        };
        changed.plan_required.insert(Category::CivilServant);
        let stored: Vec<(&str, String)> = changed
            .to_stored()
            .into_iter()
            .map(|(n, v)| (n, v.to_string()))
            .collect();
        let back = Settings::from_stored(stored.iter().map(|(n, v)| (*n, v.as_str())));
        assert_eq!(back, changed);
        // Unreadable values keep the default.
        let odd = Settings::from_stored([("plan_approver", "\"ai\""), ("rating_bands", "{")]);
        assert_eq!(odd, Settings::default());
    }

    #[test]
    fn the_required_set_decides_who_must_have_a_plan() {
        let s = Settings::default();
        let member: Categories = [Category::PartyMember].into_iter().collect();
        let servant: Categories = [Category::CivilServant].into_iter().collect();
        assert!(s.must_have_plan(member, Some(MemberStatus::Official)));
        assert!(s.must_have_plan(member, Some(MemberStatus::Probationary)));
        assert!(!s.must_have_plan(member, Some(MemberStatus::Exempt)));
        assert!(!s.must_have_plan(servant, None));
        let mut wider = Settings::default();
        wider.plan_required.insert(Category::CivilServant);
        assert!(wider.must_have_plan(servant, None));
        assert!(!wider.must_have_plan(servant, Some(MemberStatus::Exempt)));
    }

    #[test]
    fn the_form_refuses_bands_out_of_order_and_a_cap_out_of_range() {
        let mut input = SettingsInput::from_settings(&Settings::default());
        assert_eq!(input.validate().unwrap(), Settings::default());
        input.good = "95".into();
        input.excellent_cap_percent = "150".into();
        input.plan_required.clear();
        input.regulation = " ".into();
        let errors = input.validate().unwrap_err();
        for field in [
            "good",
            "excellent_cap_percent",
            "plan_required",
            "regulation",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let mut fine = SettingsInput::from_settings(&Settings::default());
        fine.excellent_cap_percent = "20%".into();
        fine.excellent = "92,5".into();
        let s = fine.validate().unwrap();
        assert_eq!(s.excellent_cap_percent, Some(20));
        assert_eq!(s.bands.excellent, 925);
    }
}
