//! Quality ratings of members and of organisations (Quy định 366-QĐ/TW): a score out of 100,
//! the level the score falls in by the bands of the regulation in force, the period rated,
//! and the step the rating has reached (self-rating → appraisal and proposal → decision).
//!
//! The bands are data ([`Bands`]), stored by name on every rating, so a rating keeps the
//! rule it was made under when the regulation changes. A level typed by hand must be the
//! one its score gives; a cap on "xuất sắc" per unit, when configured, warns before saving.

use crate::closed_list;
use crate::validation::FieldErrors;

closed_list!(
    /// The four levels, for members and organisations alike.
    RatingLevel {
        Excellent = ("xuat_sac", "Hoàn thành xuất sắc nhiệm vụ"),
        Good = ("tot", "Hoàn thành tốt nhiệm vụ"),
        Done = ("hoan_thanh", "Hoàn thành nhiệm vụ"),
        NotDone = ("khong_hoan_thanh", "Không hoàn thành nhiệm vụ"),
    }
);

closed_list!(
    /// The period a rating covers.
    RatingPeriod {
        Year = ("nam", "Năm"),
        Quarter = ("quy", "Quý"),
        Term = ("nhiem_ky", "Nhiệm kỳ"),
        AdHoc = ("dot_xuat", "Đột xuất"),
    }
);

closed_list!(
    /// How far a rating has come.
    RatingStep {
        SelfRated = ("tu_danh_gia", "Tự đánh giá"),
        Proposed = ("tham_dinh", "Thẩm định, đề xuất"),
        Decided = ("quyet_dinh", "Quyết định"),
    }
);

impl RatingLevel {
    /// The level in a table heading: "Xuất sắc", "Tốt", "Hoàn thành", "Không hoàn thành".
    pub fn short_label(self) -> &'static str {
        match self {
            RatingLevel::Excellent => "Xuất sắc",
            RatingLevel::Good => "Tốt",
            RatingLevel::Done => "Hoàn thành",
            RatingLevel::NotDone => "Không hoàn thành",
        }
    }
}

/// Score bands of a regulation, in tenths of a point.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bands {
    /// The regulation's number ("366-QĐ/TW"), stored on each rating.
    pub regulation: std::borrow::Cow<'static, str>,
    /// Lowest score of "xuất sắc".
    pub excellent: i32,
    /// Lowest score of "tốt".
    pub good: i32,
    /// Lowest score of "hoàn thành".
    pub done: i32,
}

impl Bands {
    /// Quy định 366-QĐ/TW (30-8-2025): ≥ 90 xuất sắc; 70 to < 90 tốt; 50 to < 70 hoàn
    /// thành; < 50 không hoàn thành.
    pub const QD_366: Bands = Bands {
        regulation: std::borrow::Cow::Borrowed("366-QĐ/TW"),
        excellent: 900,
        good: 700,
        done: 500,
    };

    /// The bands in words: "từ 90 điểm: xuất sắc; từ 70 đến dưới 90: tốt; …".
    pub fn describe(&self) -> String {
        let (e, g, d) = (
            score_text(self.excellent),
            score_text(self.good),
            score_text(self.done),
        );
        format!(
            "từ {e} điểm: xuất sắc; từ {g} đến dưới {e}: tốt; từ {d} đến dưới {g}: hoàn thành; dưới {d}: không hoàn thành"
        )
    }

    /// The level a score (tenths) falls in.
    pub fn level(&self, tenths: i32) -> RatingLevel {
        if tenths >= self.excellent {
            RatingLevel::Excellent
        } else if tenths >= self.good {
            RatingLevel::Good
        } else if tenths >= self.done {
            RatingLevel::Done
        } else {
            RatingLevel::NotDone
        }
    }
}

/// A score as people write it: "85", "85,5", "85.5"; in tenths, from 0 to 1 000.
pub fn parse_score(text: &str) -> Result<i32, String> {
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        return Err("Chưa nhập điểm".into());
    }
    let (whole, tenth) = match text.split_once('.') {
        Some((w, t)) if t.len() == 1 => (w, t),
        Some(_) => return Err("Điểm ghi tối đa một chữ số thập phân, ví dụ 85,5".into()),
        None => (text.as_str(), "0"),
    };
    match (whole.parse::<i32>(), tenth.parse::<i32>()) {
        (Ok(w), Ok(t)) if (0..=100).contains(&w) && !(w == 100 && t > 0) => Ok(w * 10 + t),
        (Ok(_), Ok(_)) => Err("Điểm phải từ 0 đến 100".into()),
        _ => Err(format!("«{text}» không phải là điểm số")),
    }
}

/// A score in tenths as shown: 855 → "85,5", 900 → "90".
pub fn score_text(tenths: i32) -> String {
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{},{}", tenths / 10, tenths % 10)
    }
}

/// A rating as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RatingInput {
    pub period: String,
    /// Which quarter or term, for those periods ("Quý 2", "2020–2025").
    pub period_label: String,
    pub score: String,
    /// A level code, or empty to take the score's.
    pub level: String,
    pub step: String,
    pub note: String,
}

/// A checked rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingDraft {
    pub period: RatingPeriod,
    pub period_label: String,
    pub score: i32,
    pub level: RatingLevel,
    pub regulation: String,
    pub step: RatingStep,
    pub note: Option<String>,
}

impl RatingInput {
    /// Checks a rating under `bands`: known period (a quarter or term names which), a score
    /// from 0 to 100, a level that is the score's, a known step. Every error at once.
    pub fn validate(&self, bands: &Bands) -> Result<RatingDraft, FieldErrors> {
        use crate::ClosedList;
        let mut errors = FieldErrors::default();
        let period = RatingPeriod::from_code(self.period.trim());
        let period_label = crate::text::clean(&self.period_label);
        match period {
            None => errors.add("period", "Chọn kỳ đánh giá"),
            Some(RatingPeriod::Quarter | RatingPeriod::Term) if period_label.is_empty() => errors
                .add(
                    "period_label",
                    "Ghi rõ quý hoặc nhiệm kỳ (ví dụ: Quý 2; 2020–2025)",
                ),
            _ => {}
        }
        let score = match parse_score(&self.score) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.add("score", e);
                None
            }
        };
        let level = match (score, self.level.trim()) {
            (Some(s), "") => Some(bands.level(s)),
            (score, code) => match (RatingLevel::from_code(code), score) {
                (None, _) => {
                    errors.add("level", "Chọn mức xếp loại trong danh sách");
                    None
                }
                (Some(chosen), Some(s)) if chosen != bands.level(s) => {
                    errors.add(
                        "level",
                        format!(
                            "Điểm {} ứng với mức «{}» theo Quy định {}, không phải «{}»",
                            score_text(s),
                            bands.level(s).label(),
                            bands.regulation,
                            chosen.label()
                        ),
                    );
                    None
                }
                (Some(chosen), _) => Some(chosen),
            },
        };
        let step = RatingStep::from_code(self.step.trim());
        if step.is_none() {
            errors.add("step", "Chọn bước: tự đánh giá, thẩm định hoặc quyết định");
        }
        let note = Some(crate::text::clean(&self.note)).filter(|n| !n.is_empty());
        match (period, score, level, step, errors.is_empty()) {
            (Some(period), Some(score), Some(level), Some(step), true) => Ok(RatingDraft {
                period,
                period_label: if period == RatingPeriod::Year {
                    String::new()
                } else {
                    period_label
                },
                score,
                level,
                regulation: bands.regulation.to_string(),
                step,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// Whether rating one more "xuất sắc" would pass the cap: at most `cap_percent` of the
/// unit's "tốt" may be "xuất sắc". Returns the warning to show, if any.
pub fn cap_warning(excellent: i64, good: i64, cap_percent: u32) -> Option<String> {
    let allowed = good * i64::from(cap_percent) / 100;
    (excellent + 1 > allowed).then(|| {
        format!(
            "Đơn vị đã có {excellent} «xuất sắc» trên {good} «tốt»; thêm một nữa sẽ vượt tỷ lệ {cap_percent}% (tối đa {allowed}). Kiểm tra lại, rồi bấm «Vẫn lưu» nếu đúng."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_fall_in_the_bands_of_366() {
        let b = Bands::QD_366;
        assert_eq!(b.level(900), RatingLevel::Excellent);
        assert_eq!(b.level(899), RatingLevel::Good);
        assert_eq!(b.level(700), RatingLevel::Good);
        assert_eq!(b.level(500), RatingLevel::Done);
        assert_eq!(b.level(499), RatingLevel::NotDone);
        assert_eq!(parse_score("85,5"), Ok(855));
        assert_eq!(parse_score("100"), Ok(1000));
        assert!(parse_score("101").is_err() && parse_score("-1").is_err());
        assert!(parse_score("100,5").is_err() && parse_score("8,55").is_err());
        assert_eq!(score_text(855), "85,5");
        assert_eq!(score_text(900), "90");
    }

    #[test]
    fn a_level_must_be_the_score_s() {
        let input = RatingInput {
            period: "nam".into(),
            score: "85".into(),
            step: "tu_danh_gia".into(),
            ..Default::default()
        };
        let draft = input.validate(&Bands::QD_366).unwrap();
        assert_eq!(draft.level, RatingLevel::Good);
        assert_eq!(draft.regulation, "366-QĐ/TW");
        let wrong = RatingInput {
            level: "xuat_sac".into(),
            ..input.clone()
        };
        assert_eq!(
            wrong.validate(&Bands::QD_366).unwrap_err().get("level"),
            Some(
                "Điểm 85 ứng với mức «Hoàn thành tốt nhiệm vụ» theo Quy định 366-QĐ/TW, không phải «Hoàn thành xuất sắc nhiệm vụ»"
            )
        );
        let bad = RatingInput {
            period: "quy".into(),
            score: "120".into(),
            step: String::new(),
            ..Default::default()
        };
        let errors = bad.validate(&Bands::QD_366).unwrap_err();
        for field in ["period_label", "score", "step"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn the_cap_on_excellent_warns() {
        assert!(cap_warning(1, 10, 20).is_none());
        assert!(cap_warning(2, 10, 20).unwrap().contains("vượt tỷ lệ 20%"));
    }
}
