//! Studying the year's topic: campaign years and topics, study sessions, attendance, and the
//! coverage figures of the reports ("quán triệt đến 99,7% đảng viên … hơn 16.700 lượt").
//!
//! How coverage is computed (shown to users on the "Cách tính" page):
//! - the **reference day** of a year is 31/12 of that year, or today while the year runs;
//! - **eligible** members of a unit's subtree are the people who, on the reference day,
//!   belonged to a unit of the subtree and were party members with status chính thức or dự
//!   bị (members exempt from activities are left out);
//! - **studied** are the eligible members marked present at one session or more held in the
//!   year on one of its topics, by any unit (a member who studied with another unit counts
//!   where they belong);
//! - **coverage** = studied / eligible, shown with one decimal ("99,7%");
//! - **lượt** (attendances) of non-members are counted per session and audience kind, not
//!   named; a person attending twice counts twice.

use crate::closed_list;
use crate::validation::FieldErrors;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

closed_list!(
    /// How a session is held.
    SessionFormat {
        InPerson = ("truc_tiep", "Trực tiếp"),
        Online = ("truc_tuyen", "Trực tuyến"),
        Hybrid = ("ket_hop", "Kết hợp"),
    }
);

closed_list!(
    /// What kind of meeting a session is.
    SessionKind {
        Conference = ("hoi_nghi", "Hội nghị học tập, quán triệt"),
        ThematicMeeting = ("sinh_hoat_chuyen_de", "Sinh hoạt chuyên đề"),
        Class = ("lop_hoc", "Lớp học, bồi dưỡng"),
    }
);

closed_list!(
    /// A member's attendance at a session.
    AttendanceStatus {
        Present = ("co_mat", "Có mặt"),
        Absent = ("vang", "Vắng"),
        Excused = ("vang_co_ly_do", "Vắng có lý do"),
    }
);

closed_list!(
    /// Audiences counted in lượt, not named.
    AudienceKind {
        Citizens = ("nguoi_dan", "Người dân"),
        YouthUnion = ("doan_vien", "Đoàn viên"),
        Associations = ("hoi_vien", "Hội viên"),
        Pupils = ("hoc_sinh", "Học sinh, sinh viên"),
        Workers = ("cong_nhan", "Công nhân, người lao động"),
        Other = ("khac", "Khác"),
    }
);

impl AttendanceStatus {
    /// A mark as written in a file: the label or code, or the short forms people use
    /// ("x", "có", "c" for present; "không", "v" for absent; "p", "có phép" for excused).
    pub fn parse(text: &str) -> Option<Self> {
        use crate::ClosedList;
        Self::from_user_text(text).or_else(|| match crate::text::fold(text).as_str() {
            "x" | "co" | "c" | "1" | "tham du" | "du" => Some(Self::Present),
            "khong" | "v" | "0" | "vang mat" => Some(Self::Absent),
            "p" | "co phep" | "vang co phep" | "ly do" => Some(Self::Excused),
            _ => None,
        })
    }
}

/// An attendance row of a file: who (name, and card or unit to tell people apart) and the
/// mark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttendanceRowInput {
    pub full_name: String,
    pub party_card_no: String,
    pub org_code: String,
    pub status: String,
}

/// The day a year's figures are taken on: 31/12, or today while the year runs.
pub fn reference_day(year: i32, today: NaiveDate) -> NaiveDate {
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    end.min(today)
}

/// Eligible and studied members of a subtree for a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// Members who must study.
    pub eligible: i64,
    /// Of them, present at one session or more.
    pub studied: i64,
}

impl Coverage {
    /// Eligible members who have not studied yet.
    pub fn missing(&self) -> i64 {
        (self.eligible - self.studied).max(0)
    }

    /// "99,7%", or "–" without eligible members.
    pub fn percent(&self) -> String {
        crate::format::percent(self.studied, self.eligible)
    }

    /// Coverage in thousandths, for sorting.
    pub fn per_mille(&self) -> i64 {
        if self.eligible <= 0 {
            0
        } else {
            self.studied * 1000 / self.eligible
        }
    }
}

/// A session as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionInput {
    pub title: String,
    pub kind: String,
    pub format: String,
    /// dd/mm/yyyy.
    pub date: String,
    /// HH:MM.
    pub starts: String,
    /// HH:MM.
    pub ends: String,
    pub place: String,
    pub speaker: String,
    pub notes: String,
    /// Ids of the chosen topics.
    pub topics: Vec<i64>,
    /// Ids of the units whose members make the roster; empty for the organiser's whole
    /// subtree.
    pub units: Vec<i64>,
}

/// A checked session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDraft {
    pub title: String,
    pub kind: SessionKind,
    pub format: SessionFormat,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub place: Option<String>,
    pub speaker: Option<String>,
    pub notes: Option<String>,
    pub topics: Vec<i64>,
    /// Roster units (checked against the organiser's subtree by the store).
    pub units: Vec<i64>,
}

fn time(text: &str) -> Option<NaiveTime> {
    let text = text.trim().replace('h', ":");
    NaiveTime::parse_from_str(&text, "%H:%M").ok()
}

impl SessionInput {
    /// Checks a session held in `year`: a title, a known kind and format, a date within the
    /// year and not in the future beyond the year, an end after the start, one topic at
    /// least. Every error at once.
    pub fn validate(&self, year: i32) -> Result<SessionDraft, FieldErrors> {
        use crate::ClosedList;
        let mut errors = FieldErrors::default();
        let title = crate::text::clean(&self.title);
        if title.is_empty() {
            errors.add("title", "Chưa nhập tên buổi học tập");
        }
        let kind = SessionKind::from_code(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Chọn hình thức sinh hoạt");
        }
        let format = SessionFormat::from_code(&self.format);
        if format.is_none() {
            errors.add(
                "format",
                "Chọn cách tổ chức: trực tiếp, trực tuyến hoặc kết hợp",
            );
        }
        let date = match crate::dates::parse(&self.date) {
            Ok(d) if d.year() != year => {
                errors.add(
                    "date",
                    format!(
                        "Ngày {} không thuộc năm {year} của đợt học tập",
                        crate::dates::display(d)
                    ),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.add("date", e.to_string());
                None
            }
        };
        let starts = time(&self.starts);
        let ends = time(&self.ends);
        if starts.is_none() {
            errors.add("starts", "Giờ bắt đầu ghi dạng 07:30");
        }
        if ends.is_none() {
            errors.add("ends", "Giờ kết thúc ghi dạng 11:00");
        }
        if let (Some(s), Some(e)) = (starts, ends)
            && e <= s
        {
            errors.add("ends", "Giờ kết thúc phải sau giờ bắt đầu");
        }
        if self.topics.is_empty() {
            errors.add("topics", "Chọn ít nhất một chuyên đề được học tập");
        }
        let optional = |s: &str| Some(crate::text::clean(s)).filter(|s| !s.is_empty());
        match (kind, format, date, starts, ends, errors.is_empty()) {
            (Some(kind), Some(format), Some(date), Some(s), Some(e), true) => Ok(SessionDraft {
                title,
                kind,
                format,
                starts_at: date.and_time(s),
                ends_at: date.and_time(e),
                place: optional(&self.place),
                speaker: optional(&self.speaker),
                notes: optional(&self.notes),
                topics: self.topics.clone(),
                units: {
                    let mut units = self.units.clone();
                    units.sort_unstable();
                    units.dedup();
                    units
                },
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> SessionInput {
        SessionInput {
            title: "Hội nghị quán triệt chuyên đề năm 2024".into(),
            kind: "hoi_nghi".into(),
            format: "truc_tiep".into(),
            date: "15/03/2024".into(),
            starts: "07:30".into(),
            ends: "11:00".into(),
            topics: vec![1],
            ..Default::default()
        }
    }

    #[test]
    fn a_session_is_held_within_its_year_on_a_topic() {
        let draft = input().validate(2024).unwrap();
        assert_eq!(draft.starts_at.to_string(), "2024-03-15 07:30:00");
        let errors = input().validate(2025).unwrap_err();
        assert!(errors.get("date").unwrap().contains("không thuộc năm 2025"));
        let bad = SessionInput {
            ends: "07:00".into(),
            topics: vec![],
            title: " ".into(),
            ..input()
        };
        let errors = bad.validate(2024).unwrap_err();
        assert!(
            errors.get("ends").is_some()
                && errors.get("topics").is_some()
                && errors.get("title").is_some()
        );
    }

    #[test]
    fn marks_are_read_as_people_write_them() {
        assert_eq!(
            AttendanceStatus::parse("Có mặt"),
            Some(AttendanceStatus::Present)
        );
        assert_eq!(
            AttendanceStatus::parse("x"),
            Some(AttendanceStatus::Present)
        );
        assert_eq!(
            AttendanceStatus::parse("vắng có lý do"),
            Some(AttendanceStatus::Excused)
        );
        assert_eq!(
            AttendanceStatus::parse("Vắng"),
            Some(AttendanceStatus::Absent)
        );
        assert_eq!(AttendanceStatus::parse("?"), None);
    }

    #[test]
    fn coverage_reads_like_the_report() {
        let c = Coverage {
            eligible: 3044,
            studied: 2909,
        };
        assert_eq!(c.percent(), "95,6%");
        assert_eq!(c.missing(), 135);
        let none = Coverage::default();
        assert_eq!(none.percent(), "–");
        assert_eq!(
            reference_day(2024, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()),
            NaiveDate::from_ymd_opt(2024, 12, 31).unwrap()
        );
        assert_eq!(
            reference_day(2026, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()),
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
        );
    }
}
