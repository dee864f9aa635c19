//! Key tasks of a campaign year (nhiệm vụ trọng tâm): numbered tasks a committee sets, each
//! with a lead unit, coordinating units, a deadline and a measurable target; the progress
//! the assigned units report (status, percent, narrative); and when a task is overdue.

use crate::ClosedList;
use crate::closed_list;
use crate::validation::FieldErrors;
use chrono::NaiveDate;

closed_list!(
    /// Where a key task stands, as the assigned units report it.
    TaskStatus {
        NotStarted = ("chua_bat_dau", "Chưa bắt đầu"),
        InProgress = ("dang_thuc_hien", "Đang thực hiện"),
        Done = ("hoan_thanh", "Hoàn thành"),
        Late = ("cham", "Chậm"),
    }
);

/// Whether a task is overdue on `today`: its deadline passed and it is not done.
pub fn is_overdue(deadline: NaiveDate, status: TaskStatus, today: NaiveDate) -> bool {
    status != TaskStatus::Done && today > deadline
}

/// How far a task has come, as a list prints it: "Đang thực hiện, 60%", with "quá hạn"
/// when it is overdue.
pub fn progress_text(status: TaskStatus, percent: i32, overdue: bool) -> String {
    let mut text = format!("{}, {percent}%", status.label());
    if overdue {
        text.push_str(" — quá hạn");
    }
    text
}

/// Longest accepted content, documents, target or narrative.
pub const TEXT_MAX_LEN: usize = 5_000;

/// A key task as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyTaskInput {
    /// Its number in the year's list ("1").
    pub number: String,
    /// What is to be done.
    pub content: String,
    /// The guiding documents ("Kế hoạch 46-KH/TU…"), or empty.
    pub documents: String,
    /// dd/mm/yyyy.
    pub deadline: String,
    /// How it is measured ("100% chi bộ sinh hoạt chuyên đề").
    pub target: String,
}

/// A checked key task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyTaskDraft {
    pub number: i32,
    pub content: String,
    pub documents: Option<String>,
    pub deadline: NaiveDate,
    pub target: String,
}

impl KeyTaskInput {
    /// Checks every field at once; the deadline must fall in or after the campaign year.
    pub fn validate(&self, year: i32) -> Result<KeyTaskDraft, FieldErrors> {
        use chrono::Datelike;
        let mut errors = FieldErrors::default();
        let number = match self.number.trim().parse::<i32>() {
            Ok(n) if (1..=999).contains(&n) => Some(n),
            _ => {
                errors.add("number", "Số thứ tự là số nguyên từ 1 đến 999");
                None
            }
        };
        let content = errors.required_text(
            "content",
            &self.content,
            "Ghi nội dung nhiệm vụ",
            TEXT_MAX_LEN,
        );
        let target = errors.required_text(
            "target",
            &self.target,
            "Ghi chỉ tiêu đo được (ví dụ: 100% chi bộ sinh hoạt chuyên đề)",
            TEXT_MAX_LEN,
        );
        let documents = errors.optional_text("documents", &self.documents, TEXT_MAX_LEN);
        let deadline = match errors.date("deadline", &self.deadline) {
            Some(d) if d.year() < year => {
                errors.add(
                    "deadline",
                    format!("Thời hạn phải trong năm {year} hoặc sau đó"),
                );
                None
            }
            d => d,
        };
        match (number, deadline, errors.is_empty()) {
            (Some(number), Some(deadline), true) => Ok(KeyTaskDraft {
                number,
                content,
                documents,
                deadline,
                target,
            }),
            _ => Err(errors),
        }
    }
}

/// A progress report as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressInput {
    /// A `TaskStatus` code.
    pub status: String,
    /// 0–100, "%" allowed.
    pub percent: String,
    /// What was done.
    pub narrative: String,
}

/// A checked progress report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressDraft {
    pub status: TaskStatus,
    pub percent: i32,
    pub narrative: String,
}

impl ProgressInput {
    /// Checks every field at once: "hoàn thành" is 100%, and 100% is "hoàn thành".
    pub fn validate(&self) -> Result<ProgressDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = TaskStatus::from_code(self.status.trim());
        if status.is_none() {
            errors.add("status", "Chọn tình trạng thực hiện");
        }
        let percent = match self
            .percent
            .trim()
            .trim_end_matches('%')
            .trim()
            .parse::<i32>()
        {
            Ok(p) if (0..=100).contains(&p) => Some(p),
            _ => {
                errors.add("percent", "Tỷ lệ hoàn thành là số nguyên từ 0 đến 100");
                None
            }
        };
        if let (Some(s), Some(p)) = (status, percent)
            && ((s == TaskStatus::Done) != (p == 100))
        {
            errors.add(
                "percent",
                "«Hoàn thành» đi cùng 100%, và 100% là «Hoàn thành»",
            );
        }
        let narrative = errors.required_text(
            "narrative",
            &self.narrative,
            "Ghi kết quả đã làm được",
            TEXT_MAX_LEN,
        );
        match (status, percent, errors.is_empty()) {
            (Some(status), Some(percent), true) => Ok(ProgressDraft {
                status,
                percent,
                narrative,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_needs_a_number_content_a_target_and_a_deadline_in_its_year() {
        let errors = KeyTaskInput {
            number: "0".into(),
            deadline: "31/12/2024".into(),
            ..Default::default()
        }
        .validate(2025)
        .unwrap_err();
        for field in ["number", "content", "target", "deadline"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let draft = KeyTaskInput {
            number: "3".into(),
            content: "Tổ chức sinh hoạt chuyên đề".into(),
            deadline: "30/6/2025".into(),
            target: "100% chi bộ".into(),
            ..Default::default()
        }
        .validate(2025)
        .unwrap();
        assert_eq!(draft.number, 3);
        assert_eq!(draft.documents, None);
    }

    #[test]
    fn done_is_a_hundred_percent_and_overdue_is_late_and_not_done() {
        let input = |status: &str, percent: &str| ProgressInput {
            status: status.into(),
            percent: percent.into(),
            narrative: "Đã tổ chức ở 40 chi bộ".into(),
        };
        assert!(input("hoan_thanh", "90").validate().is_err());
        assert!(input("dang_thuc_hien", "100%").validate().is_err());
        assert!(input("dang_thuc_hien", "101").validate().is_err());
        assert_eq!(input("hoan_thanh", "100%").validate().unwrap().percent, 100);
        let deadline = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        let after = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert!(is_overdue(deadline, TaskStatus::InProgress, after));
        assert!(!is_overdue(deadline, TaskStatus::Done, after));
        assert!(!is_overdue(deadline, TaskStatus::NotStarted, deadline));
    }
}
