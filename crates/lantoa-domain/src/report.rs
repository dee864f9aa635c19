//! The figures of a unit's subtree over a period, as the dashboard shows them and the
//! year-end report writes them, and the sentences such reports make of them.
//!
//! `Figures` is plain data with the labels already in it, so that an issued report can keep
//! it as its snapshot (JSON) and read the same years later, whatever the lists have become.
//! Over a period of several years, figures of a state (coverage, plans, models, key tasks)
//! are those of its last year, and figures of activity (lượt, sessions, propaganda,
//! nominations, commendations, inspections) are summed over its years.

use crate::format::{number, percent};
use serde::{Deserialize, Serialize};

/// The years a dashboard or report covers, first to last (the same for one year), or the
/// first six months of one year (the sơ kết to 30/06).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub first: i32,
    pub last: i32,
    /// Only January to June of the year.
    #[serde(default)]
    pub half: bool,
}

/// What a half-year period's code ends with: "2024-6t".
const HALF_SUFFIX: &str = "-6t";

impl Period {
    /// One year.
    pub fn year(year: i32) -> Self {
        Period {
            first: year,
            last: year,
            half: false,
        }
    }

    /// The first six months of a year.
    pub fn half_year(year: i32) -> Self {
        Period {
            half: true,
            ..Period::year(year)
        }
    }

    /// Reads "2024", "2024-6t" (its first six months) or "2021-2025" (also with "–"); the
    /// years in order, at most 10.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(year) = text.to_lowercase().strip_suffix(HALF_SUFFIX) {
            let year: i32 = year.trim().parse().ok()?;
            return (1945..=2200)
                .contains(&year)
                .then_some(Period::half_year(year));
        }
        let (a, b) = match text.split_once(['-', '–']) {
            Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
            None => {
                let y = text.parse().ok()?;
                (y, y)
            }
        };
        ((1945..=2200).contains(&a) && a <= b && b - a < 10).then_some(Period {
            first: a,
            last: b,
            half: false,
        })
    }

    /// Whether it is one year or part of one.
    pub fn is_year(&self) -> bool {
        self.first == self.last
    }

    /// The years, in order.
    pub fn years(&self) -> impl Iterator<Item = i32> {
        self.first..=self.last
    }

    /// The last day it counts: 30/06 for six months, 31/12 of its last year otherwise.
    pub fn end(&self) -> chrono::NaiveDate {
        let (month, day) = if self.half { (6, 30) } else { (12, 31) };
        chrono::NaiveDate::from_ymd_opt(self.last, month, day).unwrap_or_default()
    }

    /// The day activity is cut at for six months (30/06); none for whole years.
    pub fn until(&self) -> Option<chrono::NaiveDate> {
        self.half.then(|| self.end())
    }

    /// The period of the same length just before; for six months, the same six months of
    /// the year before.
    pub fn before(&self) -> Self {
        let len = self.last - self.first + 1;
        Period {
            first: self.first - len,
            last: self.last - len,
            half: self.half,
        }
    }

    /// "2024", "2024-6t" or "2021-2025", as `parse` reads it back.
    pub fn code(&self) -> String {
        if self.half {
            format!("{}{HALF_SUFFIX}", self.first)
        } else if self.is_year() {
            self.first.to_string()
        } else {
            format!("{}-{}", self.first, self.last)
        }
    }

    /// "năm 2024", "6 tháng đầu năm 2024" or "giai đoạn 2021 – 2025".
    pub fn label(&self) -> String {
        if self.half {
            format!("6 tháng đầu năm {}", self.first)
        } else if self.is_year() {
            format!("năm {}", self.first)
        } else {
            format!("giai đoạn {} – {}", self.first, self.last)
        }
    }

    /// What comes after it, for the tasks section: "6 tháng cuối năm 2024", "năm 2025".
    pub fn next_label(&self) -> String {
        if self.half {
            format!("6 tháng cuối năm {}", self.first)
        } else {
            format!("năm {}", self.last + 1)
        }
    }
}

/// A labelled count ("Văn bản", 742).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// The closed list's code, for links.
    pub code: String,
    pub label: String,
    pub n: i64,
}

/// Studying the year's topic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Study {
    /// Party members who must study (last year of the period).
    pub eligible: i64,
    /// Of them, who studied.
    pub studied: i64,
    /// Sessions organised in the subtree.
    pub sessions: i64,
    /// Lượt of citizens counted at sessions.
    pub citizens: i64,
    /// Lượt of every audience counted, by audience.
    pub counted: Vec<Count>,
}

/// Personal plans (last year of the period).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plans {
    /// People who must have a plan.
    pub required: i64,
    pub submitted: i64,
    pub approved: i64,
    pub assessed: i64,
    /// Leaders (leader flag) of the subtree.
    pub leaders: i64,
    /// Leaders whose plan is approved or further.
    pub leaders_approved: i64,
    /// Names and units of the first leaders without an approved plan.
    pub leaders_without: Vec<String>,
}

/// Typical models (last year of the period).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Models {
    pub total: i64,
    pub continued: i64,
    pub recognised: i64,
    pub replications: i64,
    /// In the Fatherland Front and the socio-political organisations.
    pub socio_political: i64,
    pub by_sector: Vec<Count>,
    /// Grassroots Party organisations of the subtree.
    pub grassroots: i64,
    /// Of them, with a model registered.
    pub grassroots_with_model: i64,
    /// Names of the first grassroots organisations without one.
    pub grassroots_without: Vec<String>,
}

/// Exemplary people and collectives nominated.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Exemplars {
    pub nominated: i64,
    pub commended: i64,
    pub from_public: i64,
    /// Median days from nomination to decision, over the decided ones.
    pub median_days: Option<f64>,
}

/// Commendation decisions issued in the subtree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commendations {
    pub decisions: i64,
    pub collectives: i64,
    pub individuals: i64,
    /// Individuals by category (party members, union and association members, citizens).
    pub by_category: Vec<Count>,
}

impl Commendations {
    /// Individuals who are not party members: union and association members and citizens.
    pub fn beyond_party(&self) -> i64 {
        self.by_category
            .iter()
            .filter(|c| c.code != "dang_vien" && c.code != "tap_the")
            .map(|c| c.n)
            .sum()
    }
}

/// Propaganda activities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Propaganda {
    pub activities: i64,
    /// Of them, only documents.
    pub documents: i64,
    /// People reached, where counted.
    pub reach: i64,
    pub by_channel: Vec<Count>,
    /// Activities per month of the year (January first), summed over the period's years.
    pub by_month: Vec<i64>,
}

/// Key tasks the unit set (last year of the period).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tasks {
    pub total: i64,
    pub done: i64,
    /// Titles of those past their deadline and not done, with their lead unit.
    pub overdue: Vec<String>,
}

/// Inspection and supervision by the unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspections {
    pub planned: i64,
    pub done: i64,
    pub recommendations: i64,
    pub open: i64,
    pub overdue: i64,
}

/// Creative-works award rounds of the subtree that took entries in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub rounds: i64,
    pub entries: i64,
    pub prizes: i64,
}

/// A child unit's row of the comparison table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildFigures {
    pub id: i64,
    pub name: String,
    pub eligible: i64,
    pub studied: i64,
    pub plan_required: i64,
    pub plan_approved: i64,
    pub models: i64,
    pub activities: i64,
    pub documents: i64,
    /// Months already over without a propaganda activity (last year of the period).
    pub silent_months: i64,
}

/// Everything a dashboard or report says about a subtree over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub unit_id: i64,
    pub unit_name: String,
    pub first_year: i32,
    pub last_year: i32,
    /// Only the first six months of the year.
    #[serde(default)]
    pub half_year: bool,
    /// The topic of the last year, if one was entered.
    pub topic: Option<String>,
    /// The guiding documents of the period from the unit's lineage and subtree, as cited:
    /// "Kế hoạch số 46-KH/TU ngày 13-8-2021 của Ban Thường vụ Thành ủy Mỹ Tho …".
    pub documents: Vec<String>,
    pub study: Study,
    pub plans: Plans,
    pub models: Models,
    pub exemplars: Exemplars,
    pub commendations: Commendations,
    pub propaganda: Propaganda,
    pub tasks: Tasks,
    pub inspections: Inspections,
    pub award: Award,
    pub children: Vec<ChildFigures>,
    /// Key tasks for what follows the period: those the unit set for the next year, or
    /// after six months those of the year not done by 30/06.
    pub next_tasks: Vec<String>,
}

impl Figures {
    /// The period.
    pub fn period(&self) -> Period {
        Period {
            first: self.first_year,
            last: self.last_year,
            half: self.half_year,
        }
    }

    /// The months of the year the figures count: 6 for six months, else 12.
    pub fn months(&self) -> usize {
        if self.half_year { 6 } else { 12 }
    }

    /// Whether nothing at all was recorded for the period.
    pub fn is_empty(&self) -> bool {
        self.study.studied == 0
            && self.study.sessions == 0
            && self.study.citizens == 0
            && self.plans.submitted == 0
            && self.models.total == 0
            && self.exemplars.nominated == 0
            && self.commendations.decisions == 0
            && self.propaganda.activities == 0
            && self.tasks.total == 0
            && self.inspections.planned == 0
            && self.award.entries == 0
    }
}

/// "hơn 16.700" for 16.742: three significant digits, rounded down, said "hơn" (more than)
/// when something was cut; small and round numbers as they are.
pub fn more_than(n: i64) -> String {
    if n < 1000 {
        return number(n);
    }
    let mut unit = 1;
    while n / unit >= 1000 {
        unit *= 10;
    }
    let floor = n / unit * unit;
    if floor == n {
        number(n)
    } else {
        format!("hơn {}", number(floor))
    }
}

/// The prose sections staff write (and may rewrite) before issuing; drafted from the
/// figures and the findings. Paragraphs are separated by line breaks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prose {
    /// I. Leadership, direction and dissemination.
    pub leadership: String,
    /// III. Weaknesses…
    pub limitations: String,
    /// … and their causes.
    pub causes: String,
    /// IV. Key tasks for the next year (after six months: for the rest of the year).
    pub next_year: String,
    /// V. Proposals.
    pub proposals: String,
}

impl Prose {
    /// The draft written from the figures and the findings.
    pub fn drafted(f: &Figures, findings: &[crate::findings::Finding]) -> Prose {
        let period = f.period().label();
        let mut leadership = Vec::new();
        if f.documents.is_empty() {
            leadership.push(format!(
                "Trong {period}, {} tiếp tục lãnh đạo, chỉ đạo việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với thực hiện nhiệm vụ chính trị của địa phương, đơn vị.",
                f.unit_name
            ));
        } else {
            leadership.push(format!(
                "Trong {period}, {} đã quán triệt, cụ thể hóa và tổ chức thực hiện các văn bản lãnh đạo, chỉ đạo sau:",
                f.unit_name
            ));
            leadership.extend(f.documents.iter().map(|d| format!("- {d};")));
        }
        let limitations = if findings.is_empty() {
            "Qua theo dõi số liệu, chưa phát hiện hạn chế nổi bật; cần tiếp tục duy trì nền nếp."
                .to_owned()
        } else {
            findings
                .iter()
                .map(|x| format!("- {}", x.text))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let next_year = if f.next_tasks.is_empty() {
            format!(
                "Tiếp tục thực hiện Kết luận 01-KL/TW của Bộ Chính trị và chuyên đề năm {}; khắc phục các hạn chế nêu trên.",
                if f.half_year {
                    f.last_year
                } else {
                    f.last_year + 1
                }
            )
        } else {
            f.next_tasks
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{}. {t}", i + 1))
                .collect::<Vec<_>>()
                .join("\n")
        };
        Prose {
            leadership: leadership.join("\n"),
            limitations,
            causes: "Một số cấp ủy, người đứng đầu chưa thật sự quan tâm, thiếu kiểm tra, đôn đốc thường xuyên; việc phát hiện, giới thiệu điển hình có lúc chưa kịp thời.".into(),
            next_year,
            proposals: "Đề nghị cấp trên tiếp tục quan tâm chỉ đạo, cung cấp tài liệu và tập huấn nghiệp vụ cho đội ngũ làm công tác tuyên giáo cơ sở.".into(),
        }
    }
}

/// The first year of the Party committee's term a date falls in (congresses every five
/// years: 2020, 2025, 2030…): document numbers restart with each term.
pub fn term_start(date: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    let year = date.year();
    year - (year - 2020).rem_euclid(5)
}

/// Longest prose section.
pub const PROSE_MAX_LEN: usize = 20_000;

/// The report's form as typed: the prose sections and, to issue it, the day and signer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportInput {
    pub prose: Prose,
    /// dd/mm/yyyy; empty when only saving the draft.
    pub issued_on: String,
    pub signer_name: String,
    /// "Phó Bí thư Thường trực"; empty for none.
    pub signer_post: String,
}

/// What issuing adds to the prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub issued_on: chrono::NaiveDate,
    pub signer_name: String,
    pub signer_post: Option<String>,
}

impl ReportInput {
    /// The prose, cleaned: the results' leadership, limitations and next year's tasks must
    /// be written; every section at most `PROSE_MAX_LEN` characters.
    pub fn prose(&self) -> Result<Prose, crate::validation::FieldErrors> {
        let mut errors = crate::validation::FieldErrors::default();
        let p = &self.prose;
        let prose = Prose {
            leadership: errors.required_text(
                "leadership",
                &p.leadership,
                "Ghi công tác lãnh đạo, chỉ đạo, quán triệt",
                PROSE_MAX_LEN,
            ),
            limitations: errors.required_text(
                "limitations",
                &p.limitations,
                "Ghi hạn chế (hoặc ghi rõ không có hạn chế)",
                PROSE_MAX_LEN,
            ),
            causes: errors
                .optional_text("causes", &p.causes, PROSE_MAX_LEN)
                .unwrap_or_default(),
            next_year: errors.required_text(
                "next_year",
                &p.next_year,
                "Ghi nhiệm vụ trọng tâm năm tới",
                PROSE_MAX_LEN,
            ),
            proposals: errors
                .optional_text("proposals", &p.proposals, PROSE_MAX_LEN)
                .unwrap_or_default(),
        };
        if errors.is_empty() {
            Ok(prose)
        } else {
            Err(errors)
        }
    }

    /// The prose and what issuing needs: a day within the period's first year and today,
    /// and who signs. Every error at once.
    pub fn issue(
        &self,
        period: Period,
        today: chrono::NaiveDate,
    ) -> Result<(Prose, Issue), crate::validation::FieldErrors> {
        let (prose, mut errors) = match self.prose() {
            Ok(p) => (Some(p), crate::validation::FieldErrors::default()),
            Err(e) => (None, e),
        };
        let issued_on = if self.issued_on.trim().is_empty() {
            errors.add("issued_on", "Ghi ngày ban hành (dd/mm/yyyy)");
            None
        } else {
            errors.date("issued_on", &self.issued_on)
        };
        let earliest = chrono::NaiveDate::from_ymd_opt(period.first, 1, 1).unwrap_or_default();
        if let Some(d) = issued_on {
            if d > today {
                errors.add("issued_on", "Ngày ban hành không được sau hôm nay");
            } else if d < earliest {
                errors.add(
                    "issued_on",
                    format!("Ngày ban hành không được trước năm {}", period.first),
                );
            }
        }
        let signer_name =
            errors.required_text("signer_name", &self.signer_name, "Ghi họ tên người ký", 100);
        let signer_post = errors.optional_text("signer_post", &self.signer_post, 100);
        match (prose, issued_on, errors.is_empty()) {
            (Some(prose), Some(issued_on), true) => Ok((
                prose,
                Issue {
                    issued_on,
                    signer_name,
                    signer_post,
                },
            )),
            _ => Err(errors),
        }
    }
}

/// A label inside a sentence: its first letter lowered unless the word is an acronym
/// ("Văn bản" → "văn bản", "MTTQ và các đoàn thể" stays).
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() || second == ' ' => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_owned(),
    }
}

/// A section of results: a heading and its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// The results, field by field, written the way such reports write them.
pub fn results(f: &Figures) -> Vec<Section> {
    let mut out = Vec::new();
    let period = f.period().label();
    let last = f.last_year;
    // Where a figure is a state (plans, models, tasks): its year's, or its six months'.
    let state_of = if f.half_year {
        period.clone()
    } else {
        format!("năm {last}")
    };
    let state_in = if f.half_year {
        format!("Trong {period}")
    } else {
        format!("Năm {last}")
    };
    let s = &f.study;
    let mut study = Vec::new();
    if s.eligible > 0 || s.citizens > 0 || s.sessions > 0 {
        let topic = f
            .topic
            .as_deref()
            .map(|t| format!("Chuyên đề năm {last} “{t}”"))
            .unwrap_or_else(|| format!("Chuyên đề năm {last}"));
        study.push(format!(
            "{topic} đã được quán triệt đến {} đảng viên ({}/{} đảng viên) và {} lượt người dân, qua {} buổi học tập, quán triệt.",
            percent(s.studied, s.eligible),
            number(s.studied),
            number(s.eligible),
            more_than(s.citizens),
            number(s.sessions),
        ));
        let others: Vec<String> = s
            .counted
            .iter()
            .filter(|c| c.code != "nguoi_dan" && c.n > 0)
            .map(|c| format!("{} lượt {}", number(c.n), in_sentence(&c.label)))
            .collect();
        if !others.is_empty() {
            study.push(format!("Ngoài ra còn có {} tham gia.", others.join(", ")));
        }
    } else {
        study.push(format!(
            "Chưa ghi nhận buổi học tập, quán triệt nào trong {period}."
        ));
    }
    out.push(Section {
        heading: "1. Học tập, quán triệt chuyên đề".into(),
        paragraphs: study,
    });

    let p = &f.plans;
    let plans = if p.required > 0 {
        let mut text = format!(
            "{} cán bộ, đảng viên thuộc diện phải xây dựng kế hoạch cá nhân đã xây dựng kế hoạch ({}/{}); {} đã được chi bộ duyệt, {} đã được chi bộ đánh giá kết quả cuối năm.",
            percent(p.submitted, p.required),
            number(p.submitted),
            number(p.required),
            number(p.approved),
            number(p.assessed),
        );
        if p.leaders > 0 {
            text.push_str(&format!(
                " {}/{} cán bộ lãnh đạo, quản lý có kế hoạch đã được duyệt.",
                number(p.leaders_approved),
                number(p.leaders)
            ));
        }
        vec![text]
    } else {
        vec![format!("Chưa có số liệu kế hoạch cá nhân {state_of}.")]
    };
    out.push(Section {
        heading: "2. Xây dựng kế hoạch cá nhân, thực hiện trách nhiệm nêu gương".into(),
        paragraphs: plans,
    });

    let m = &f.models;
    let mut models = Vec::new();
    if m.total > 0 {
        models.push(format!(
            "{state_in} có {} mô hình tiêu biểu được {} cơ sở đảng đăng ký thực hiện ({} mô hình mới, {} mô hình kế thừa); {} mô hình đã được công nhận, {} lượt nhân rộng.",
            number(m.total),
            number(m.grassroots_with_model),
            number(m.total - m.continued),
            number(m.continued),
            number(m.recognised),
            number(m.replications),
        ));
        let sectors: Vec<String> = m
            .by_sector
            .iter()
            .map(|c| format!("{} {}", in_sentence(&c.label), number(c.n)))
            .collect();
        if !sectors.is_empty() {
            models.push(format!("Theo khối: {}.", sectors.join("; ")));
        }
    } else {
        models.push(format!("Chưa có mô hình nào đăng ký {state_of}."));
    }
    out.push(Section {
        heading: "3. Xây dựng, nhân rộng mô hình tiêu biểu".into(),
        paragraphs: models,
    });

    let e = &f.exemplars;
    let c = &f.commendations;
    let mut people = Vec::new();
    if e.nominated > 0 || c.decisions > 0 {
        people.push(format!(
            "Trong {period} đã phát hiện, đề cử {} gương điển hình ({} do người dân đề cử); {} gương đã được biểu dương, khen thưởng.",
            number(e.nominated),
            number(e.from_public),
            number(e.commended),
        ));
        let categories: Vec<String> = c
            .by_category
            .iter()
            .filter(|k| k.code != "tap_the")
            .map(|k| format!("{} {}", number(k.n), in_sentence(&k.label)))
            .collect();
        people.push(format!(
            "Cấp ủy các cấp đã ban hành {} quyết định khen thưởng {} tập thể và {} cá nhân{}.",
            number(c.decisions),
            number(c.collectives),
            number(c.individuals),
            if categories.is_empty() {
                String::new()
            } else {
                format!(" (trong đó {})", categories.join(", "))
            }
        ));
    } else {
        people.push(format!("Chưa có đề cử, khen thưởng nào trong {period}."));
    }
    out.push(Section {
        heading: "4. Phát hiện, biểu dương, khen thưởng điển hình".into(),
        paragraphs: people,
    });

    let pr = &f.propaganda;
    let propaganda = if pr.activities > 0 {
        let channels: Vec<String> = pr
            .by_channel
            .iter()
            .map(|c| format!("{} {}", in_sentence(&c.label), number(c.n)))
            .collect();
        vec![format!(
            "Đã tổ chức {} hoạt động tuyên truyền ({}), tiếp cận {} lượt người.",
            number(pr.activities),
            channels.join("; "),
            more_than(pr.reach),
        )]
    } else {
        vec![format!(
            "Chưa ghi nhận hoạt động tuyên truyền nào trong {period}."
        )]
    };
    out.push(Section {
        heading: "5. Công tác tuyên truyền".into(),
        paragraphs: propaganda,
    });

    let t = &f.tasks;
    let i = &f.inspections;
    let mut tasks = Vec::new();
    if t.total > 0 {
        tasks.push(format!(
            "{state_in} triển khai {} nhiệm vụ trọng tâm, đã hoàn thành {}{}.",
            number(t.total),
            number(t.done),
            if t.overdue.is_empty() {
                String::new()
            } else {
                format!(", {} nhiệm vụ quá hạn", number(t.overdue.len() as i64))
            }
        ));
    }
    if i.planned > 0 {
        tasks.push(format!(
            "Công tác kiểm tra, giám sát: thực hiện {}/{} cuộc theo kế hoạch; đã kiến nghị {} nội dung, còn {} chưa khắc phục xong{}.",
            number(i.done),
            number(i.planned),
            number(i.recommendations),
            number(i.open),
            if i.overdue > 0 {
                format!(" ({} quá hạn)", number(i.overdue))
            } else {
                String::new()
            }
        ));
    }
    if f.award.entries > 0 {
        tasks.push(format!(
            "Giải thưởng sáng tác, quảng bá về học tập và làm theo Bác nhận {} tác phẩm; {} tác phẩm đạt giải.",
            number(f.award.entries),
            number(f.award.prizes)
        ));
    }
    if tasks.is_empty() {
        tasks.push(format!(
            "Chưa có nhiệm vụ trọng tâm, cuộc kiểm tra, giám sát nào trong {period}."
        ));
    }
    out.push(Section {
        heading: "6. Nhiệm vụ trọng tâm, kiểm tra, giám sát".into(),
        paragraphs: tasks,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_start_every_five_years() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(term_start(day(2024, 12, 15)), 2020);
        assert_eq!(term_start(day(2025, 1, 2)), 2025);
        assert_eq!(term_start(day(2019, 6, 1)), 2015);
    }

    #[test]
    fn issuing_needs_a_day_a_signer_and_the_main_sections() {
        let today = chrono::NaiveDate::from_ymd_opt(2024, 12, 20).unwrap();
        let period = Period::year(2024);
        let mut input = ReportInput {
            issued_on: "21/12/2024".into(),
            ..Default::default()
        };
        let errors = input.issue(period, today).unwrap_err();
        for field in [
            "leadership",
            "limitations",
            "next_year",
            "issued_on",
            "signer_name",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        input.prose = Prose {
            leadership: "Đã quán triệt.".into(),
            limitations: "Không có.".into(),
            next_year: "1. Tiếp tục.".into(),
            ..Default::default()
        };
        input.issued_on = "15/12/2024".into();
        input.signer_name = " Nguyễn Văn A ".into();
        let (prose, issue) = input.issue(period, today).unwrap();
        assert_eq!(prose.causes, "");
        assert_eq!(issue.signer_name, "Nguyễn Văn A");
        assert_eq!(issue.signer_post, None);
        input.issued_on = "31/12/2023".into();
        assert!(input.issue(period, today).is_err());
    }

    #[test]
    fn more_than_keeps_three_digits() {
        assert_eq!(more_than(16_742), "hơn 16.700");
        assert_eq!(more_than(16_700), "16.700");
        assert_eq!(more_than(999), "999");
        assert_eq!(more_than(1_234_567), "hơn 1.230.000");
    }

    #[test]
    fn periods_read_and_write() {
        assert_eq!(Period::parse("2024"), Some(Period::year(2024)));
        let term = Period::parse("2021 – 2025").expect("term");
        assert_eq!((term.first, term.last), (2021, 2025));
        assert_eq!(term.code(), "2021-2025");
        assert_eq!(term.label(), "giai đoạn 2021 – 2025");
        assert_eq!(term.before().code(), "2016-2020");
        assert_eq!(Period::parse("2025-2021"), None);
        let half = Period::parse("2024-6T").expect("six months");
        assert_eq!(half, Period::half_year(2024));
        assert_eq!(half.code(), "2024-6t");
        assert_eq!(half.label(), "6 tháng đầu năm 2024");
        assert_eq!(half.before(), Period::half_year(2023));
        assert_eq!(half.until(), chrono::NaiveDate::from_ymd_opt(2024, 6, 30));
        assert_eq!(half.next_label(), "6 tháng cuối năm 2024");
        assert_eq!(Period::year(2024).until(), None);
        assert_eq!(Period::parse("x-6t"), None);
        assert_eq!(Period::parse("abc"), None);
    }

    #[test]
    fn results_write_the_seed_sentence() {
        let f = Figures {
            first_year: 2024,
            last_year: 2024,
            study: Study {
                eligible: 10_000,
                studied: 9_970,
                sessions: 120,
                citizens: 16_742,
                counted: vec![],
            },
            ..Default::default()
        };
        let text = results(&f)[0].paragraphs.join(" ");
        assert!(text.contains("99,7% đảng viên"), "{text}");
        assert!(text.contains("hơn 16.700 lượt người dân"), "{text}");
    }

    #[test]
    fn an_empty_period_says_so() {
        let f = Figures {
            first_year: 2030,
            last_year: 2030,
            ..Default::default()
        };
        assert!(f.is_empty());
        let all: Vec<String> = results(&f).into_iter().flat_map(|s| s.paragraphs).collect();
        assert!(all.iter().all(|p| p.contains("Chưa")), "{all:?}");
    }
}
