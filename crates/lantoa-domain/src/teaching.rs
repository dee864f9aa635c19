//! Teaching the campaign's content (đưa nội dung vào giảng dạy): the courses a school,
//! the education office or the political centre runs in which the core content of Hồ Chí
//! Minh's thought, morality and style is taught — to whom, how many classes, learners and
//! hours, over which period.

use crate::ClosedList;
use crate::closed_list;
use crate::validation::FieldErrors;
use chrono::{Datelike, NaiveDate};

closed_list!(
    /// Who is taught, as the education sector and the political centre count them.
    Audience {
        CadresAndMembers = ("can_bo_dang_vien", "Cán bộ, đảng viên"),
        NewMembers = ("dang_vien_moi", "Đảng viên mới"),
        Applicants = ("cam_tinh_dang", "Quần chúng ưu tú (lớp cảm tình Đảng)"),
        Preschool = ("mam_non", "Trẻ mầm non"),
        Primary = ("tieu_hoc", "Học sinh tiểu học"),
        LowerSecondary = ("thcs", "Học sinh trung học cơ sở"),
        UpperSecondary = ("thpt", "Học sinh trung học phổ thông"),
        Others = ("khac", "Đối tượng khác"),
    }
);

/// Longest accepted name or content.
pub const TEXT_MAX_LEN: usize = 5_000;

/// A course as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseInput {
    /// "Lớp bồi dưỡng lý luận chính trị cho đảng viên mới, khóa 1".
    pub name: String,
    /// An `Audience` code.
    pub audience: String,
    /// The lessons or subjects in which the content is taught.
    pub content: String,
    pub classes: String,
    pub learners: String,
    /// Hours of the campaign's content (tiết or giờ).
    pub hours: String,
    /// dd/mm/yyyy.
    pub starts_on: String,
    /// dd/mm/yyyy.
    pub ends_on: String,
}

/// A checked course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseDraft {
    pub name: String,
    pub audience: Audience,
    pub content: String,
    pub classes: i32,
    pub learners: i32,
    pub hours: i32,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// A whole number from 1 to `max`, "1.200" allowed.
fn positive(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    what: &str,
    max: i32,
) -> Option<i32> {
    match text.trim().replace(['.', ' '], "").parse::<i32>() {
        Ok(n) if (1..=max).contains(&n) => Some(n),
        _ => {
            errors.add(
                field,
                format!(
                    "{what} là số nguyên từ 1 đến {}",
                    crate::format::number(max as i64)
                ),
            );
            None
        }
    }
}

impl CourseInput {
    /// Checks every field at once: it begins in the campaign year and ends after it
    /// begins; at least as many learners as classes.
    pub fn validate(&self, year: i32) -> Result<CourseDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.required_text(
            "name",
            &self.name,
            "Ghi tên lớp, khóa học hoặc môn học",
            TEXT_MAX_LEN,
        );
        let audience = Audience::from_code(self.audience.trim());
        if audience.is_none() {
            errors.add("audience", "Chọn đối tượng học");
        }
        let content = errors.required_text(
            "content",
            &self.content,
            "Ghi bài, chuyên đề hoặc môn học có nội dung về tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            TEXT_MAX_LEN,
        );
        let classes = positive(&mut errors, "classes", &self.classes, "Số lớp", 100_000);
        let learners = positive(
            &mut errors,
            "learners",
            &self.learners,
            "Số học viên",
            10_000_000,
        );
        let hours = positive(&mut errors, "hours", &self.hours, "Số tiết", 10_000);
        if let (Some(c), Some(l)) = (classes, learners)
            && l < c
        {
            errors.add("learners", "Số học viên không ít hơn số lớp");
        }
        let starts_on = match errors.date("starts_on", &self.starts_on) {
            Some(d) if d.year() != year => {
                errors.add("starts_on", format!("Ngày bắt đầu phải trong năm {year}"));
                None
            }
            d => d,
        };
        let ends_on = errors.date("ends_on", &self.ends_on);
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            errors.add("ends_on", "Ngày kết thúc không được trước ngày bắt đầu");
        }
        match (
            audience,
            classes,
            learners,
            hours,
            starts_on,
            ends_on,
            errors.is_empty(),
        ) {
            (
                Some(audience),
                Some(classes),
                Some(learners),
                Some(hours),
                Some(starts_on),
                Some(ends_on),
                true,
            ) => Ok(CourseDraft {
                name,
                audience,
                content,
                classes,
                learners,
                hours,
                starts_on,
                ends_on,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_course_needs_its_audience_counts_and_dates_in_order_in_its_year() {
        let errors = CourseInput {
            name: "Lớp đảng viên mới".into(),
            classes: "3".into(),
            learners: "2".into(),
            hours: "0".into(),
            starts_on: "05/01/2024".into(),
            ends_on: "01/01/2024".into(),
            ..Default::default()
        }
        .validate(2025)
        .unwrap_err();
        for field in ["audience", "content", "learners", "hours", "starts_on"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let draft = CourseInput {
            name: "Lớp bồi dưỡng lý luận chính trị cho đảng viên mới".into(),
            audience: "dang_vien_moi".into(),
            content: "Bài 2: Tư tưởng Hồ Chí Minh".into(),
            classes: "2".into(),
            learners: "1.120".into(),
            hours: "8".into(),
            starts_on: "10/03/2025".into(),
            ends_on: "20/03/2025".into(),
        }
        .validate(2025)
        .unwrap();
        assert_eq!(
            (draft.classes, draft.learners, draft.audience),
            (2, 1120, Audience::NewMembers)
        );
    }
}
