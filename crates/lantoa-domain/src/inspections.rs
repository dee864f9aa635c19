//! Inspection and supervision (kiểm tra, giám sát) of how units and leaders carry out the
//! campaign: the kinds and what is looked at, a planned inspection and its result, the
//! recommendations it leaves (each with a responsible unit and a deadline) and their
//! follow-up until closed.

use crate::ClosedList;
use crate::closed_list;
use crate::validation::FieldErrors;
use chrono::{Datelike, NaiveDate};

closed_list!(
    /// Kiểm tra, or giám sát regular or on a topic (Điều lệ Đảng, Quy định 22-QĐ/TW).
    InspectionKind {
        Inspection = ("kiem_tra", "Kiểm tra"),
        RegularSupervision = ("giam_sat_thuong_xuyen", "Giám sát thường xuyên"),
        TopicSupervision = ("giam_sat_chuyen_de", "Giám sát chuyên đề"),
    }
);

closed_list!(
    /// What an inspection looks at, as the seed's plans name it.
    InspectionFocus {
        Conclusion01 = ("ket_luan_01", "Thực hiện Kết luận 01-KL/TW"),
        YearTopic = ("chuyen_de_nam", "Thực hiện chuyên đề năm"),
        PersonalPlans = ("ke_hoach_ca_nhan", "Kế hoạch cá nhân, cam kết tu dưỡng rèn luyện"),
        ExemplaryRole = ("vai_tro_neu_guong", "Vai trò nêu gương của cán bộ lãnh đạo, người đứng đầu"),
        Other = ("khac", "Nội dung khác"),
    }
);

closed_list!(
    /// Where an inspection stands.
    InspectionState {
        Planned = ("ke_hoach", "Trong kế hoạch"),
        Done = ("da_thuc_hien", "Đã thực hiện"),
    }
);

closed_list!(
    /// Where a recommendation stands, as the responsible unit reports.
    RecommendationStatus {
        Open = ("chua_thuc_hien", "Chưa thực hiện"),
        InProgress = ("dang_khac_phuc", "Đang khắc phục"),
        Closed = ("da_khac_phuc", "Đã khắc phục"),
    }
);

impl RecommendationStatus {
    /// Whether it still needs doing.
    pub fn is_open(self) -> bool {
        self != RecommendationStatus::Closed
    }
}

/// Whether a recommendation is overdue on `today`: its deadline passed and it is not closed.
pub fn recommendation_overdue(
    deadline: NaiveDate,
    status: RecommendationStatus,
    today: NaiveDate,
) -> bool {
    status.is_open() && today > deadline
}

/// Longest accepted free text.
pub const TEXT_MAX_LEN: usize = 10_000;

/// A planned inspection as typed. The subject (a unit, or a person of it) is chosen apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionInput {
    /// An `InspectionKind` code.
    pub kind: String,
    /// An `InspectionFocus` code.
    pub focus: String,
    /// What exactly, and over which period ("việc thực hiện chuyên đề năm 2025, 6 tháng đầu năm").
    pub content: String,
    /// Who inspects: the head and members of the team.
    pub team: String,
    /// dd/mm/yyyy.
    pub starts_on: String,
    /// dd/mm/yyyy.
    pub ends_on: String,
}

/// A checked planned inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionDraft {
    pub kind: InspectionKind,
    pub focus: InspectionFocus,
    pub content: String,
    pub team: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

impl InspectionInput {
    /// Checks every field at once: the dates fall in the plan's year, in order.
    pub fn validate(&self, year: i32) -> Result<InspectionDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = InspectionKind::from_code(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Chọn kiểm tra hay giám sát");
        }
        let focus = InspectionFocus::from_code(self.focus.trim());
        if focus.is_none() {
            errors.add("focus", "Chọn nội dung kiểm tra, giám sát");
        }
        let content = errors.required_text(
            "content",
            &self.content,
            "Ghi nội dung cụ thể và thời kỳ kiểm tra, giám sát",
            TEXT_MAX_LEN,
        );
        let team = errors.required_text(
            "team",
            &self.team,
            "Ghi trưởng đoàn và thành viên đoàn",
            TEXT_MAX_LEN,
        );
        let mut in_year = |field: &'static str, text: &str| match errors.date(field, text) {
            Some(d) if d.year() != year => {
                errors.add(field, format!("Ngày phải trong năm {year}"));
                None
            }
            d => d,
        };
        let starts_on = in_year("starts_on", &self.starts_on);
        let ends_on = in_year("ends_on", &self.ends_on);
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            errors.add("ends_on", "Ngày kết thúc không được trước ngày bắt đầu");
        }
        match (kind, focus, starts_on, ends_on, errors.is_empty()) {
            (Some(kind), Some(focus), Some(starts_on), Some(ends_on), true) => {
                Ok(InspectionDraft {
                    kind,
                    focus,
                    content,
                    team,
                    starts_on,
                    ends_on,
                })
            }
            _ => Err(errors),
        }
    }
}

/// The result of an inspection as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultInput {
    /// dd/mm/yyyy: the date of the conclusion (thông báo kết luận).
    pub concluded_on: String,
    pub conclusion: String,
    pub strengths: String,
    pub shortcomings: String,
}

/// A checked result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultDraft {
    pub concluded_on: NaiveDate,
    pub conclusion: String,
    pub strengths: Option<String>,
    pub shortcomings: Option<String>,
}

impl ResultInput {
    /// Checks every field at once: concluded on or after the inspection began, not after
    /// `today`.
    pub fn validate(
        &self,
        starts_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<ResultDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let concluded_on = match errors.date("concluded_on", &self.concluded_on) {
            Some(d) if d < starts_on => {
                errors.add(
                    "concluded_on",
                    format!(
                        "Ngày kết luận không được trước ngày bắt đầu ({})",
                        crate::dates::display(starts_on)
                    ),
                );
                None
            }
            Some(d) if d > today => {
                errors.add("concluded_on", "Ngày kết luận chưa tới");
                None
            }
            d => d,
        };
        let conclusion = errors.required_text(
            "conclusion",
            &self.conclusion,
            "Ghi kết luận của đoàn",
            TEXT_MAX_LEN,
        );
        let strengths = errors.optional_text("strengths", &self.strengths, TEXT_MAX_LEN);
        let shortcomings = errors.optional_text("shortcomings", &self.shortcomings, TEXT_MAX_LEN);
        match (concluded_on, errors.is_empty()) {
            (Some(concluded_on), true) => Ok(ResultDraft {
                concluded_on,
                conclusion,
                strengths,
                shortcomings,
            }),
            _ => Err(errors),
        }
    }
}

/// A recommendation as typed; the responsible unit is chosen apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecommendationInput {
    pub content: String,
    /// dd/mm/yyyy.
    pub deadline: String,
}

/// A checked recommendation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationDraft {
    pub content: String,
    pub deadline: NaiveDate,
}

impl RecommendationInput {
    /// Checks both fields: the deadline is not before the conclusion.
    pub fn validate(&self, concluded_on: NaiveDate) -> Result<RecommendationDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let content = errors.required_text(
            "recommendation",
            &self.content,
            "Ghi nội dung kiến nghị, yêu cầu khắc phục",
            TEXT_MAX_LEN,
        );
        let deadline = match errors.date("deadline", &self.deadline) {
            Some(d) if d < concluded_on => {
                errors.add(
                    "deadline",
                    "Thời hạn khắc phục không được trước ngày kết luận",
                );
                None
            }
            d => d,
        };
        match (deadline, errors.is_empty()) {
            (Some(deadline), true) => Ok(RecommendationDraft { content, deadline }),
            _ => Err(errors),
        }
    }
}

/// A follow-up of a recommendation as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowUpInput {
    /// A `RecommendationStatus` code.
    pub status: String,
    pub note: String,
}

/// A checked follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpDraft {
    pub status: RecommendationStatus,
    pub note: String,
}

impl FollowUpInput {
    /// Checks both fields: what was done is always said.
    pub fn validate(&self) -> Result<FollowUpDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = RecommendationStatus::from_code(self.status.trim());
        if status.is_none() {
            errors.add("status", "Chọn tình trạng khắc phục");
        }
        let note = errors.required_text(
            "note",
            &self.note,
            "Ghi việc đã làm để khắc phục",
            TEXT_MAX_LEN,
        );
        match (status, errors.is_empty()) {
            (Some(status), true) => Ok(FollowUpDraft { status, note }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_plan_needs_its_kind_focus_content_team_and_dates_in_its_year_in_order() {
        let errors = InspectionInput {
            kind: "kiem_tra".into(),
            starts_on: "10/03/2024".into(),
            ends_on: "01/03/2025".into(),
            ..Default::default()
        }
        .validate(2025)
        .unwrap_err();
        for field in ["focus", "content", "team", "starts_on"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let errors = InspectionInput {
            kind: "giam_sat_chuyen_de".into(),
            focus: "vai_tro_neu_guong".into(),
            content: "Việc thực hiện kế hoạch cá nhân".into(),
            team: "Đồng chí Chủ nhiệm UBKT (trưởng đoàn)".into(),
            starts_on: "10/03/2025".into(),
            ends_on: "01/03/2025".into(),
        }
        .validate(2025)
        .unwrap_err();
        assert!(errors.get("ends_on").is_some());
    }

    #[test]
    fn a_result_is_concluded_after_it_began_and_not_in_the_future() {
        let input = |on: &str| ResultInput {
            concluded_on: on.into(),
            conclusion: "Đảng ủy lãnh đạo thực hiện nghiêm túc".into(),
            ..Default::default()
        };
        let begun = day(2025, 3, 10);
        let today = day(2025, 6, 1);
        assert!(input("01/03/2025").validate(begun, today).is_err());
        assert!(input("02/06/2025").validate(begun, today).is_err());
        let draft = input("20/03/2025").validate(begun, today).unwrap();
        assert_eq!(draft.strengths, None);
    }

    #[test]
    fn a_recommendation_is_overdue_until_closed_and_its_follow_up_says_what_was_done() {
        let concluded = day(2025, 3, 20);
        assert!(
            RecommendationInput {
                content: "Bổ sung kế hoạch cá nhân".into(),
                deadline: "01/03/2025".into(),
            }
            .validate(concluded)
            .is_err()
        );
        let deadline = day(2025, 6, 30);
        assert!(recommendation_overdue(
            deadline,
            RecommendationStatus::InProgress,
            day(2025, 7, 1)
        ));
        assert!(!recommendation_overdue(
            deadline,
            RecommendationStatus::Closed,
            day(2025, 7, 1)
        ));
        assert!(!recommendation_overdue(
            deadline,
            RecommendationStatus::Open,
            deadline
        ));
        let refused = FollowUpInput {
            status: "da_khac_phuc".into(),
            note: " ".into(),
        }
        .validate()
        .unwrap_err();
        assert!(refused.get("note").is_some());
    }
}
