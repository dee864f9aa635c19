//! Personal (and collective) plans: what a person commits to do in a campaign year, how the
//! plan moves from draft to the cell's year-end assessment, and the checks on each step.
//!
//! The states follow the year: **nháp** (the owner writes) → **đã nộp** (submitted) → the
//! reviewer either **trả lại** (returns it with a comment; the owner edits and submits
//! again) or **đã duyệt** (approves) → **đã sơ kết** (the owner's mid-year review, each
//! commitment done / in progress / not done with evidence) → **đã tự đánh giá** (the
//! owner's year-end self-assessment) → **chi bộ đã đánh giá** (the reviewer's assessment)
//! → **đã khóa** (locked). The owner writes and self-assesses; a reviewer — by default
//! staff or a leader over the person's cell — returns, approves, assesses and locks, and is
//! never the plan's owner. Commitments change only while the plan is a draft or returned.

use crate::ClosedList;
use crate::closed_list;
use crate::validation::FieldErrors;
use chrono::{Datelike, NaiveDate};

closed_list!(
    /// Areas a commitment belongs to (also the headings of self-reviews).
    CommitmentArea {
        Politics = ("tu_tuong_chinh_tri", "Tư tưởng chính trị"),
        Ethics = ("dao_duc_loi_song", "Đạo đức, lối sống"),
        WorkStyle = ("tac_phong", "Tác phong, lề lối làm việc"),
        Duties = ("nhiem_vu", "Thực hiện nhiệm vụ được giao"),
        Example = ("neu_guong", "Nêu gương"),
        Other = ("khac", "Khác"),
    }
);

closed_list!(
    /// Where a plan stands in its year.
    PlanState {
        Draft = ("nhap", "Nháp"),
        Submitted = ("da_nop", "Đã nộp"),
        Returned = ("tra_lai", "Trả lại để sửa"),
        Approved = ("da_duyet", "Đã duyệt"),
        MidYearReviewed = ("so_ket", "Đã sơ kết 6 tháng"),
        SelfAssessed = ("tu_danh_gia", "Đã tự đánh giá cuối năm"),
        Assessed = ("chi_bo_danh_gia", "Chi bộ đã đánh giá"),
        Locked = ("khoa", "Đã khóa"),
    }
);

closed_list!(
    /// How far a commitment has come, at mid-year and at year end.
    Progress {
        Done = ("da_thuc_hien", "Đã thực hiện"),
        InProgress = ("dang_thuc_hien", "Đang thực hiện"),
        NotDone = ("chua_thuc_hien", "Chưa thực hiện"),
    }
);

closed_list!(
    /// Whose plan it is.
    PlanKind {
        Personal = ("ca_nhan", "Kế hoạch cá nhân"),
        Collective = ("tap_the", "Kế hoạch của tập thể"),
    }
);

/// A step taken on a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStep {
    /// The owner hands the plan in.
    Submit,
    /// The reviewer sends it back with a comment.
    Return,
    /// The reviewer approves it.
    Approve,
    /// The owner's mid-year review.
    MidYearReview,
    /// The owner's year-end self-assessment.
    SelfAssess,
    /// The reviewer's year-end assessment.
    Assess,
    /// The reviewer locks it.
    Lock,
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanRole {
    /// The person whose plan it is (or staff writing for someone without an account).
    Owner,
    /// Who approves and assesses it.
    Reviewer,
}

impl PlanStep {
    /// Who takes this step.
    pub fn role(self) -> PlanRole {
        match self {
            PlanStep::Submit | PlanStep::MidYearReview | PlanStep::SelfAssess => PlanRole::Owner,
            PlanStep::Return | PlanStep::Approve | PlanStep::Assess | PlanStep::Lock => {
                PlanRole::Reviewer
            }
        }
    }

    /// The audit and history code.
    pub fn code(self) -> &'static str {
        match self {
            PlanStep::Submit => "nop",
            PlanStep::Return => "tra_lai",
            PlanStep::Approve => "duyet",
            PlanStep::MidYearReview => "so_ket",
            PlanStep::SelfAssess => "tu_danh_gia",
            PlanStep::Assess => "danh_gia",
            PlanStep::Lock => "khoa",
        }
    }

    /// The step named by a code.
    pub fn from_code(code: &str) -> Option<Self> {
        [
            PlanStep::Submit,
            PlanStep::Return,
            PlanStep::Approve,
            PlanStep::MidYearReview,
            PlanStep::SelfAssess,
            PlanStep::Assess,
            PlanStep::Lock,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// What the history shows.
    pub fn label(self) -> &'static str {
        match self {
            PlanStep::Submit => "Nộp kế hoạch",
            PlanStep::Return => "Trả lại để sửa",
            PlanStep::Approve => "Duyệt kế hoạch",
            PlanStep::MidYearReview => "Sơ kết 6 tháng",
            PlanStep::SelfAssess => "Tự đánh giá cuối năm",
            PlanStep::Assess => "Chi bộ đánh giá",
            PlanStep::Lock => "Khóa kế hoạch",
        }
    }
}

impl PlanState {
    /// The state after `step`, or why the step cannot be taken now.
    pub fn after(self, step: PlanStep) -> Result<PlanState, String> {
        use PlanState::*;
        let next = match (step, self) {
            (PlanStep::Submit, Draft | Returned) => Submitted,
            (PlanStep::Return, Submitted) => Returned,
            (PlanStep::Approve, Submitted) => Approved,
            (PlanStep::MidYearReview, Approved | MidYearReviewed) => MidYearReviewed,
            (PlanStep::SelfAssess, Approved | MidYearReviewed | SelfAssessed) => SelfAssessed,
            (PlanStep::Assess, SelfAssessed | Assessed) => Assessed,
            (PlanStep::Lock, Assessed) => Locked,
            (_, Locked) => {
                return Err("Kế hoạch đã khóa, không thay đổi được nữa".to_owned());
            }
            (step, state) => {
                return Err(format!(
                    "Kế hoạch đang ở bước «{}», chưa «{}» được",
                    state.label(),
                    step.label().to_lowercase()
                ));
            }
        };
        Ok(next)
    }

    /// Whether the commitments may be changed (draft, or returned for changes).
    pub fn editable(self) -> bool {
        matches!(self, PlanState::Draft | PlanState::Returned)
    }

    /// Whether the plan has been handed in (for coverage: "đã xây dựng kế hoạch").
    pub fn submitted(self) -> bool {
        !self.editable() || self == PlanState::Returned
    }

    /// Whether it has been approved (or gone further).
    pub fn approved(self) -> bool {
        matches!(
            self,
            PlanState::Approved
                | PlanState::MidYearReviewed
                | PlanState::SelfAssessed
                | PlanState::Assessed
                | PlanState::Locked
        )
    }
}

impl CommitmentArea {
    /// The area as written in a file: its label or code, or the one area whose label begins
    /// with the text ("Đạo đức" for "Đạo đức, lối sống", "tac phong").
    pub fn from_file(text: &str) -> Option<Self> {
        use crate::ClosedList;
        Self::from_user_text(text).or_else(|| {
            let wanted = crate::text::fold(text);
            let mut starting = Self::ALL.iter().filter(|a| {
                !wanted.is_empty() && crate::text::fold(a.label()).starts_with(&wanted)
            });
            match (starting.next(), starting.next()) {
                (Some(one), None) => Some(*one),
                _ => None,
            }
        })
    }
}

/// A row of a plans file: whose plan, for which year, and one of its commitments (a plan
/// of several commitments is several rows of the same person and year).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanRowInput {
    /// The campaign year, "2025".
    pub year: String,
    /// Họ và tên.
    pub full_name: String,
    /// Số thẻ đảng viên.
    pub party_card_no: String,
    /// Mã đơn vị, to tell apart people of the same name.
    pub org_code: String,
    /// Chức vụ Đảng, written at the head of the plan.
    pub party_post: String,
    /// Chức vụ chính quyền, đoàn thể.
    pub government_post: String,
    /// The commitment; its area as written (label or code).
    pub commitment: CommitmentInput,
}

/// A commitment as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitmentInput {
    /// A `CommitmentArea` code.
    pub area: String,
    /// The concrete action.
    pub action: String,
    /// How it will be measured.
    pub measure: String,
    /// dd/mm/yyyy, or empty for the year's end.
    pub deadline: String,
}

/// A checked commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentDraft {
    pub area: CommitmentArea,
    pub action: String,
    pub measure: String,
    pub deadline: NaiveDate,
}

/// Fewest words of a concrete action: "Làm tốt" says nothing.
pub const MIN_ACTION_WORDS: usize = 4;

/// Phrases that alone promise nothing checkable.
const VAGUE: &[&str] = &[
    "thuc hien tot",
    "chap hanh nghiem",
    "lam tot nhiem vu",
    "hoan thanh tot nhiem vu",
    "khong co",
    "tiep tuc phat huy",
];

/// The plan's commitments as typed: blank rows (every field empty) are dropped; each other
/// row is checked, and its errors are reported as `commitment_<n>` (n from 1).
pub fn check_commitments(
    rows: &[CommitmentInput],
    year: i32,
) -> Result<Vec<CommitmentDraft>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut out = Vec::new();
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default();
    let filled = rows.iter().filter(|r| {
        !(r.action.trim().is_empty() && r.measure.trim().is_empty() && r.deadline.trim().is_empty())
    });
    for (index, row) in filled.enumerate() {
        let mut reasons: Vec<String> = Vec::new();
        let area = CommitmentArea::from_code(row.area.trim());
        if area.is_none() {
            reasons.push("chọn lĩnh vực".into());
        }
        let action = crate::text::clean(&row.action);
        let folded = crate::text::fold(&action);
        if action.split(' ').filter(|w| !w.is_empty()).count() < MIN_ACTION_WORDS
            || VAGUE.contains(&folded.as_str())
        {
            reasons.push(format!(
                "việc làm cần cụ thể (ít nhất {MIN_ACTION_WORDS} từ, nói rõ làm gì)"
            ));
        }
        let measure = crate::text::clean(&row.measure);
        if measure.is_empty() {
            reasons.push("ghi cách đo kết quả (ví dụ: số buổi, sản phẩm, thời hạn)".into());
        }
        let deadline = if row.deadline.trim().is_empty() {
            Some(year_end)
        } else {
            match crate::dates::parse(&row.deadline) {
                Ok(d) if d.year() == year => Some(d),
                Ok(d) => {
                    reasons.push(format!(
                        "thời hạn {} không thuộc năm {year}",
                        crate::dates::display(d)
                    ));
                    None
                }
                Err(e) => {
                    reasons.push(e.to_string());
                    None
                }
            }
        };
        match (area, deadline, reasons.is_empty()) {
            (Some(area), Some(deadline), true) => out.push(CommitmentDraft {
                area,
                action,
                measure,
                deadline,
            }),
            _ => errors.add(
                commitment_field(index),
                format!("Việc {}: {}", index + 1, reasons.join("; ")),
            ),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The form field of the n-th commitment (from 0).
pub fn commitment_field(index: usize) -> &'static str {
    const FIELDS: [&str; 20] = [
        "commitment_1",
        "commitment_2",
        "commitment_3",
        "commitment_4",
        "commitment_5",
        "commitment_6",
        "commitment_7",
        "commitment_8",
        "commitment_9",
        "commitment_10",
        "commitment_11",
        "commitment_12",
        "commitment_13",
        "commitment_14",
        "commitment_15",
        "commitment_16",
        "commitment_17",
        "commitment_18",
        "commitment_19",
        "commitment_20",
    ];
    FIELDS.get(index).copied().unwrap_or("commitments")
}

/// Most commitments a plan holds.
pub const MAX_COMMITMENTS: usize = 20;

/// A plan may be submitted when it holds one commitment at least.
pub fn check_submittable(commitments: usize) -> Result<(), FieldErrors> {
    if commitments == 0 {
        Err(FieldErrors::single(
            "commitments",
            "Kế hoạch chưa có việc làm cụ thể nào: thêm ít nhất một việc trước khi nộp",
        ))
    } else {
        Ok(())
    }
}

/// A review of one commitment (mid-year or year end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressInput {
    /// Commitment id.
    pub commitment: i64,
    /// A `Progress` code.
    pub progress: String,
    /// Evidence or explanation.
    pub evidence: String,
}

/// Checks a review: every commitment gets a progress; "not done" needs a reason.
pub fn check_progress(
    rows: &[ProgressInput],
    commitments: &[i64],
) -> Result<Vec<(i64, Progress, Option<String>)>, FieldErrors> {
    let mut errors = FieldErrors::default();
    let mut out = Vec::new();
    for (index, id) in commitments.iter().enumerate() {
        let row = rows.iter().find(|r| r.commitment == *id);
        let progress = row.and_then(|r| Progress::from_code(r.progress.trim()));
        let evidence = row
            .map(|r| crate::text::clean(&r.evidence))
            .filter(|e| !e.is_empty());
        match progress {
            None => errors.add(
                commitment_field(index),
                format!("Việc {}: chọn mức thực hiện", index + 1),
            ),
            Some(Progress::NotDone) if evidence.is_none() => errors.add(
                commitment_field(index),
                format!("Việc {}: chưa thực hiện thì ghi lý do", index + 1),
            ),
            Some(p) => out.push((*id, p, evidence)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_read_from_files_by_label_code_or_beginning() {
        assert_eq!(
            CommitmentArea::from_file("Nêu gương"),
            Some(CommitmentArea::Example)
        );
        assert_eq!(
            CommitmentArea::from_file("dao duc"),
            Some(CommitmentArea::Ethics)
        );
        assert_eq!(
            CommitmentArea::from_file("tac_phong"),
            Some(CommitmentArea::WorkStyle)
        );
        assert_eq!(
            CommitmentArea::from_file("Thực hiện"),
            Some(CommitmentArea::Duties)
        );
        assert_eq!(CommitmentArea::from_file(""), None);
        assert_eq!(CommitmentArea::from_file("Học tập"), None);
    }

    #[test]
    fn a_plan_moves_through_its_year() {
        use PlanState::*;
        let mut state = Draft;
        for step in [
            PlanStep::Submit,
            PlanStep::Return,
            PlanStep::Submit,
            PlanStep::Approve,
            PlanStep::MidYearReview,
            PlanStep::SelfAssess,
            PlanStep::Assess,
            PlanStep::Lock,
        ] {
            state = state.after(step).unwrap();
        }
        assert_eq!(state, Locked);
        assert_eq!(
            Locked.after(PlanStep::Submit).unwrap_err(),
            "Kế hoạch đã khóa, không thay đổi được nữa"
        );
        assert_eq!(
            Draft.after(PlanStep::Approve).unwrap_err(),
            "Kế hoạch đang ở bước «Nháp», chưa «duyệt kế hoạch» được"
        );
        assert!(Returned.editable() && !Approved.editable());
        assert!(Returned.submitted() && !Draft.submitted() && Locked.approved());
        assert_eq!(PlanStep::Approve.role(), PlanRole::Reviewer);
    }

    #[test]
    fn commitments_must_be_concrete() {
        let good = CommitmentInput {
            area: "neu_guong".into(),
            action: "Đi đầu đăng ký và hoàn thành 2 đề tài cải cách hành chính".into(),
            measure: "2 đề tài được nghiệm thu".into(),
            deadline: "30/09/2024".into(),
        };
        let blank = CommitmentInput::default();
        let vague = CommitmentInput {
            area: "neu_guong".into(),
            action: "Thực hiện tốt".into(),
            measure: String::new(),
            deadline: "01/01/2025".into(),
        };
        let drafts = check_commitments(&[good.clone(), blank.clone()], 2024).unwrap();
        assert_eq!(drafts.len(), 1);
        let errors = check_commitments(&[good, vague], 2024).unwrap_err();
        let message = errors.get("commitment_2").unwrap();
        assert!(
            message.starts_with("Việc 2: việc làm cần cụ thể"),
            "{message}"
        );
        assert!(message.contains("cách đo kết quả") && message.contains("không thuộc năm 2024"));
        assert!(check_commitments(&[blank], 2024).unwrap().is_empty());
        assert!(check_submittable(0).is_err() && check_submittable(1).is_ok());
    }

    #[test]
    fn a_review_covers_every_commitment() {
        let rows = vec![
            ProgressInput {
                commitment: 7,
                progress: "da_thuc_hien".into(),
                evidence: "Biên bản nghiệm thu".into(),
            },
            ProgressInput {
                commitment: 8,
                progress: "chua_thuc_hien".into(),
                evidence: " ".into(),
            },
        ];
        let errors = check_progress(&rows, &[7, 8, 9]).unwrap_err();
        assert_eq!(
            errors.get("commitment_2"),
            Some("Việc 2: chưa thực hiện thì ghi lý do")
        );
        assert_eq!(
            errors.get("commitment_3"),
            Some("Việc 3: chọn mức thực hiện")
        );
        assert_eq!(check_progress(&rows[..1], &[7]).unwrap().len(), 1);
    }
}
