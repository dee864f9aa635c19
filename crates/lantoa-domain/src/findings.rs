//! Weaknesses the data shows (hạn chế): rules that read a subtree's `Figures` and, past a
//! threshold the committee sets, write a Vietnamese sentence naming the units concerned.
//! Each finding carries its `Rule`, by which the pages link it to the list that proves it.

use crate::closed_list;
use crate::format::{number, percent};
use crate::report::{ChildFigures, Figures};
use serde::{Deserialize, Serialize};

closed_list!(
    /// What a finding is about; the web links each to its evidence.
    Rule {
        DocumentsOnly = ("tuyen_truyen_van_ban", "Tuyên truyền chủ yếu bằng văn bản"),
        Irregular = ("tuyen_truyen_khong_thuong_xuyen", "Tuyên truyền chưa thường xuyên"),
        ModelsConcentrated = ("mo_hinh_tap_trung", "Mô hình tập trung ở tổ chức chính trị - xã hội"),
        GrassrootsWithoutModel = ("co_so_chua_co_mo_hinh", "Cơ sở đảng chưa có mô hình"),
        CommendationNarrow = ("khen_thuong_hep", "Khen thưởng chưa mở rộng đến quần chúng"),
        CommendationSlow = ("khen_thuong_cham", "Phát hiện, khen thưởng chưa kịp thời"),
        StudyLow = ("hoc_tap_thap", "Tỷ lệ học tập chuyên đề thấp"),
        PlansLow = ("ke_hoach_thap", "Tỷ lệ xây dựng kế hoạch cá nhân thấp"),
        LeadersWithoutPlan = ("lanh_dao_chua_co_ke_hoach", "Cán bộ lãnh đạo chưa có kế hoạch được duyệt"),
        TasksOverdue = ("nhiem_vu_qua_han", "Nhiệm vụ trọng tâm quá hạn"),
        RecommendationsOverdue = ("kien_nghi_qua_han", "Kiến nghị sau kiểm tra quá hạn"),
    }
);

/// The thresholds past which a rule speaks: a setting of the committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Percent of propaganda activities that are only documents, above which it is said.
    pub documents_max: u32,
    /// Months without activity from which a unit is irregular.
    pub silent_months_min: u32,
    /// Percent of models in socio-political organisations above which they are concentrated.
    pub socio_political_max: u32,
    /// Percent of commended individuals beyond party members below which it is narrow.
    pub beyond_party_min: u32,
    /// Median days from nomination to decision above which it is slow.
    pub median_days_max: u32,
    /// Percent of members who studied below which a unit is named.
    pub study_min: u32,
    /// Percent of required plans submitted below which a unit is named.
    pub plans_min: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            documents_max: 50,
            silent_months_min: 1,
            socio_political_max: 35,
            beyond_party_min: 40,
            median_days_max: 30,
            study_min: 95,
            plans_min: 100,
        }
    }
}

/// A threshold as the settings page shows it: the field's name, its label and its largest
/// value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThresholdField {
    pub name: &'static str,
    pub label: &'static str,
    pub max: u32,
}

/// The thresholds in the settings page's order.
pub const THRESHOLD_FIELDS: [ThresholdField; 7] = [
    ThresholdField {
        name: "documents_max",
        label: "Tuyên truyền chủ yếu bằng văn bản khi tỷ lệ hoạt động chỉ là văn bản vượt (%)",
        max: 100,
    },
    ThresholdField {
        name: "silent_months_min",
        label: "Đơn vị tuyên truyền chưa thường xuyên khi số tháng không có hoạt động từ",
        max: 12,
    },
    ThresholdField {
        name: "socio_political_max",
        label: "Mô hình tập trung ở tổ chức chính trị - xã hội khi tỷ lệ vượt (%)",
        max: 100,
    },
    ThresholdField {
        name: "beyond_party_min",
        label: "Khen thưởng chưa mở rộng khi tỷ lệ cá nhân không phải đảng viên dưới (%)",
        max: 100,
    },
    ThresholdField {
        name: "median_days_max",
        label: "Khen thưởng chưa kịp thời khi số ngày từ đề cử đến quyết định (trung vị) vượt",
        max: 3650,
    },
    ThresholdField {
        name: "study_min",
        label: "Nêu tên đơn vị có tỷ lệ đảng viên học tập chuyên đề dưới (%)",
        max: 100,
    },
    ThresholdField {
        name: "plans_min",
        label: "Nêu tên đơn vị có tỷ lệ kế hoạch cá nhân được duyệt dưới (%)",
        max: 100,
    },
];

impl Thresholds {
    fn slot(&mut self, name: &str) -> Option<&mut u32> {
        Some(match name {
            "documents_max" => &mut self.documents_max,
            "silent_months_min" => &mut self.silent_months_min,
            "socio_political_max" => &mut self.socio_political_max,
            "beyond_party_min" => &mut self.beyond_party_min,
            "median_days_max" => &mut self.median_days_max,
            "study_min" => &mut self.study_min,
            "plans_min" => &mut self.plans_min,
            _ => return None,
        })
    }

    /// The value of a field of `THRESHOLD_FIELDS`.
    pub fn value(&self, name: &str) -> Option<u32> {
        self.clone().slot(name).map(|v| *v)
    }

    /// Reads the typed values (field name, text), each a whole number from 0 to the field's
    /// largest; a field left out or empty keeps its default. Errors are keyed by the
    /// field's name.
    pub fn parse(
        typed: &[(String, String)],
        errors: &mut crate::validation::FieldErrors,
    ) -> Thresholds {
        let mut t = Thresholds::default();
        for field in THRESHOLD_FIELDS {
            let Some((_, text)) = typed
                .iter()
                .find(|(n, text)| n == field.name && !text.trim().is_empty())
            else {
                continue;
            };
            match text.trim().trim_end_matches('%').trim().parse::<u32>() {
                Ok(v) if v <= field.max => {
                    if let Some(slot) = t.slot(field.name) {
                        *slot = v;
                    }
                }
                _ => errors.add(
                    field.name,
                    format!("Ghi một số nguyên từ 0 đến {}", field.max),
                ),
            }
        }
        t
    }
}

/// One weakness found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub text: String,
}

/// Units named in a sentence: the first five, then "và N đơn vị khác".
fn named(names: &[String], total: usize) -> String {
    named_as(names, total, "đơn vị")
}

/// Names in a sentence: the first five, then "và N {what} khác".
fn named_as(names: &[String], total: usize, what: &str) -> String {
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    let rest = total.saturating_sub(shown.len());
    match (shown.as_slice(), rest) {
        ([], _) => String::new(),
        ([one], 0) => (*one).to_owned(),
        (many, 0) => {
            let (last, head) = many.split_last().unwrap_or((&"", &[]));
            format!("{} và {last}", head.join(", "))
        }
        (many, rest) => format!("{} và {} {what} khác", many.join(", "), number(rest as i64)),
    }
}

/// `part / whole` above `limit` percent, exactly (no rounding).
fn above(part: i64, whole: i64, limit: u32) -> bool {
    whole > 0 && part * 100 > whole * i64::from(limit)
}

/// `part / whole` below `limit` percent, exactly; never for an empty whole.
fn below(part: i64, whole: i64, limit: u32) -> bool {
    whole > 0 && part * 100 < whole * i64::from(limit)
}

impl Thresholds {
    /// Whether a child unit's members studied below the threshold.
    pub fn study_lags(&self, c: &ChildFigures) -> bool {
        below(c.studied, c.eligible, self.study_min)
    }

    /// Whether a child unit's approved plans are below the threshold.
    pub fn plans_lag(&self, c: &ChildFigures) -> bool {
        below(c.plan_approved, c.plan_required, self.plans_min)
    }

    /// Whether a child unit had as many months without propaganda as the threshold.
    pub fn silent(&self, c: &ChildFigures) -> bool {
        c.silent_months >= i64::from(self.silent_months_min.max(1))
    }
}

/// The weaknesses the figures show, in the order reports list them.
pub fn findings(f: &Figures, t: &Thresholds) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut say = |rule: Rule, text: String| out.push(Finding { rule, text });

    let p = &f.propaganda;
    if above(p.documents, p.activities, t.documents_max) {
        say(
            Rule::DocumentsOnly,
            format!(
                "Công tác tuyên truyền chủ yếu là lồng ghép, ban hành văn bản: {} trong {} hoạt động ({}) chỉ bằng văn bản; các hình thức trực quan, hội nghị, mạng xã hội còn ít.",
                number(p.documents),
                number(p.activities),
                percent(p.documents, p.activities)
            ),
        );
    }
    let silent: Vec<&ChildFigures> = f.children.iter().filter(|c| t.silent(c)).collect();
    if !silent.is_empty() {
        let names: Vec<String> = silent
            .iter()
            .map(|c| format!("{} ({} tháng)", c.name, c.silent_months))
            .collect();
        say(
            Rule::Irregular,
            format!(
                "Tuyên truyền có lúc, có nơi chưa thường xuyên: {} đơn vị có tháng không có hoạt động nào — {}.",
                number(silent.len() as i64),
                named(&names, names.len())
            ),
        );
    }

    let m = &f.models;
    if above(m.socio_political, m.total, t.socio_political_max) {
        say(
            Rule::ModelsConcentrated,
            format!(
                "Phần lớn các mô hình tập trung ở Mặt trận Tổ quốc và các tổ chức chính trị - xã hội ({}/{} mô hình, {}); các khối khác còn ít mô hình.",
                number(m.socio_political),
                number(m.total),
                percent(m.socio_political, m.total)
            ),
        );
    }
    let without = m.grassroots - m.grassroots_with_model;
    if m.grassroots > 0 && without > 0 {
        say(
            Rule::GrassrootsWithoutModel,
            format!(
                "{} cơ sở đảng chưa đăng ký mô hình nào: {}.",
                number(without),
                named(&m.grassroots_without, without as usize)
            ),
        );
    }

    let c = &f.commendations;
    let beyond = c.beyond_party();
    if below(beyond, c.individuals, t.beyond_party_min) {
        say(
            Rule::CommendationNarrow,
            format!(
                "Các gương điển hình được tuyên dương, khen thưởng chưa mở rộng đến đoàn viên, hội viên và nhân dân: chỉ {}/{} cá nhân được khen ({}) không phải là đảng viên.",
                number(beyond),
                number(c.individuals),
                percent(beyond, c.individuals)
            ),
        );
    }
    if let Some(days) = f.exemplars.median_days
        && days > f64::from(t.median_days_max)
    {
        say(
            Rule::CommendationSlow,
            format!(
                "Việc phát hiện, biểu dương, khen thưởng điển hình đôi lúc chưa kịp thời: từ khi đề cử đến khi quyết định mất trung bình (trung vị) {} ngày.",
                number(days.round() as i64)
            ),
        );
    }

    let lagging = |lags: &dyn Fn(&ChildFigures) -> bool, ratio: fn(&ChildFigures) -> (i64, i64)| {
        f.children
            .iter()
            .filter(|c| lags(c))
            .map(|c| {
                let (part, whole) = ratio(c);
                format!("{} ({})", c.name, percent(part, whole))
            })
            .collect::<Vec<String>>()
    };
    for (rule, units, what, min) in [
        (
            Rule::StudyLow,
            lagging(&|c| t.study_lags(c), |c| (c.studied, c.eligible)),
            "đảng viên học tập chuyên đề",
            t.study_min,
        ),
        (
            Rule::PlansLow,
            lagging(&|c| t.plans_lag(c), |c| (c.plan_approved, c.plan_required)),
            "kế hoạch cá nhân được duyệt",
            t.plans_min,
        ),
    ] {
        if !units.is_empty() {
            say(
                rule,
                format!(
                    "{} đơn vị có tỷ lệ {what} dưới {min}%: {}.",
                    number(units.len() as i64),
                    named(&units, units.len())
                ),
            );
        }
    }
    let pl = &f.plans;
    let leaders_without = pl.leaders - pl.leaders_approved;
    if leaders_without > 0 {
        say(
            Rule::LeadersWithoutPlan,
            format!(
                "{} cán bộ lãnh đạo, quản lý chưa có kế hoạch cá nhân được duyệt: {}.",
                number(leaders_without),
                named_as(&pl.leaders_without, leaders_without as usize, "đồng chí")
            ),
        );
    }

    if !f.tasks.overdue.is_empty() {
        say(
            Rule::TasksOverdue,
            format!(
                "{} nhiệm vụ trọng tâm đã quá hạn mà chưa hoàn thành: {}.",
                number(f.tasks.overdue.len() as i64),
                f.tasks.overdue.join("; ")
            ),
        );
    }
    if f.inspections.overdue > 0 {
        say(
            Rule::RecommendationsOverdue,
            format!(
                "{} kiến nghị sau kiểm tra, giám sát đã quá hạn mà chưa khắc phục xong.",
                number(f.inspections.overdue)
            ),
        );
    }
    out
}

#[cfg(test)]
// Each test changes one figure after another and asks again.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::report::Count;

    fn rules(f: &Figures) -> Vec<Rule> {
        findings(f, &Thresholds::default())
            .into_iter()
            .map(|x| x.rule)
            .collect()
    }

    #[test]
    fn nothing_recorded_finds_nothing() {
        assert!(rules(&Figures::default()).is_empty());
    }

    #[test]
    fn propaganda_by_documents_is_found_above_the_threshold_only() {
        let mut f = Figures::default();
        f.propaganda.activities = 100;
        f.propaganda.documents = 57;
        let found = findings(&f, &Thresholds::default());
        assert_eq!(found[0].rule, Rule::DocumentsOnly);
        assert!(
            found[0].text.contains("57 trong 100 hoạt động (57,0%)"),
            "{}",
            found[0].text
        );
        f.propaganda.documents = 50;
        assert!(!rules(&f).contains(&Rule::DocumentsOnly));
    }

    #[test]
    fn silent_units_are_named() {
        let mut f = Figures::default();
        f.children = (1..=7)
            .map(|i| ChildFigures {
                name: format!("Đảng bộ Phường {i}"),
                silent_months: if i % 2 == 1 { 3 } else { 0 },
                ..Default::default()
            })
            .collect();
        let found = findings(&f, &Thresholds::default());
        assert_eq!(found.len(), 1);
        assert!(
            found[0].text.contains("4 đơn vị")
                && found[0].text.contains("Đảng bộ Phường 1 (3 tháng)")
                && found[0].text.contains("và Đảng bộ Phường 7 (3 tháng)"),
            "{}",
            found[0].text
        );
        let strict = Thresholds {
            silent_months_min: 4,
            ..Default::default()
        };
        assert!(findings(&f, &strict).is_empty());
    }

    #[test]
    fn models_concentrated_and_grassroots_without() {
        let mut f = Figures::default();
        f.models.total = 132;
        f.models.socio_political = 50;
        f.models.grassroots = 70;
        f.models.grassroots_with_model = 69;
        f.models.grassroots_without = vec!["Đảng bộ Xã Tân Mỹ Chánh".into()];
        let found = findings(&f, &Thresholds::default());
        assert_eq!(
            found.iter().map(|x| x.rule).collect::<Vec<_>>(),
            vec![Rule::ModelsConcentrated, Rule::GrassrootsWithoutModel]
        );
        assert!(
            found[1].text.starts_with("1 cơ sở đảng"),
            "{}",
            found[1].text
        );
        f.models.socio_political = 40;
        f.models.grassroots_with_model = 70;
        assert!(rules(&f).is_empty());
    }

    #[test]
    fn commendation_narrow_and_slow() {
        let mut f = Figures::default();
        let count = |code: &str, n| Count {
            code: code.into(),
            label: code.into(),
            n,
        };
        f.commendations.individuals = 39;
        f.commendations.by_category = vec![
            count("dang_vien", 28),
            count("doan_vien_hoi_vien", 7),
            count("nguoi_dan", 4),
        ];
        f.exemplars.median_days = Some(45.0);
        assert_eq!(
            rules(&f),
            vec![Rule::CommendationNarrow, Rule::CommendationSlow]
        );
        f.commendations.by_category[0].n = 20;
        f.commendations.by_category[1].n = 15;
        f.exemplars.median_days = Some(30.0);
        assert!(rules(&f).is_empty());
    }

    #[test]
    fn low_coverage_leaders_and_overdue() {
        let mut f = Figures::default();
        f.children = vec![
            ChildFigures {
                name: "A".into(),
                eligible: 100,
                studied: 94,
                plan_required: 100,
                plan_approved: 100,
                ..Default::default()
            },
            ChildFigures {
                name: "B".into(),
                eligible: 100,
                studied: 95,
                plan_required: 100,
                plan_approved: 99,
                ..Default::default()
            },
        ];
        f.plans.leaders = 10;
        f.plans.leaders_approved = 9;
        f.plans.leaders_without = vec!["Nguyễn Văn A (Phường 1)".into()];
        f.tasks.overdue = vec!["Nhiệm vụ 3".into()];
        f.inspections.overdue = 2;
        let found = findings(&f, &Thresholds::default());
        assert_eq!(
            found.iter().map(|x| x.rule).collect::<Vec<_>>(),
            vec![
                Rule::StudyLow,
                Rule::PlansLow,
                Rule::LeadersWithoutPlan,
                Rule::TasksOverdue,
                Rule::RecommendationsOverdue
            ]
        );
        assert!(found[0].text.contains("A (94,0%)") && !found[0].text.contains("B ("));
        assert!(found[1].text.contains("B (99,0%)"));
    }

    #[test]
    fn thresholds_read_from_the_form() {
        let mut errors = crate::validation::FieldErrors::default();
        let typed = vec![
            ("documents_max".to_owned(), "60%".to_owned()),
            ("median_days_max".to_owned(), "ba mươi".to_owned()),
            ("study_min".to_owned(), "101".to_owned()),
        ];
        let t = Thresholds::parse(&typed, &mut errors);
        assert_eq!(t.documents_max, 60);
        assert_eq!(t.value("plans_min"), Some(100));
        assert!(errors.get("median_days_max").is_some());
        assert!(errors.get("study_min").is_some());
        assert!(errors.get("documents_max").is_none());
    }

    #[test]
    fn many_units_are_cut_after_five() {
        let names: Vec<String> = (1..=8).map(|i| format!("U{i}")).collect();
        assert_eq!(named(&names, 8), "U1, U2, U3, U4, U5 và 3 đơn vị khác");
        assert_eq!(named(&names[..2], 2), "U1 và U2");
    }
}
