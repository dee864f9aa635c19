//! The creative-works award (Giải thưởng sáng tác, quảng bá tác phẩm văn học, nghệ thuật,
//! báo chí về chủ đề «Học tập và làm theo…»): its fields, prize tiers and authors' kinds,
//! a round with its submission window and number of prizes per tier, and an entry as its
//! authors send it (contacts never public).

use crate::ClosedList;
use crate::closed_list;
use crate::validation::FieldErrors;
use chrono::NaiveDate;

closed_list!(
    /// The fields of the award, the press with its sub-kinds, and promotion.
    AwardField {
        Literature = ("van_hoc", "Văn học"),
        Music = ("am_nhac", "Âm nhạc"),
        Theatre = ("san_khau", "Sân khấu"),
        FineArts = ("my_thuat", "Mỹ thuật"),
        Film = ("dien_anh", "Điện ảnh"),
        Photography = ("nhiep_anh", "Nhiếp ảnh"),
        Dance = ("mua", "Múa"),
        Architecture = ("kien_truc", "Kiến trúc"),
        Folk = ("van_nghe_dan_gian", "Văn nghệ dân gian"),
        PrintPress = ("bao_in", "Báo chí — báo in"),
        OnlinePress = ("bao_dien_tu", "Báo chí — báo điện tử"),
        PhotoPress = ("bao_anh", "Báo chí — ảnh báo chí"),
        Radio = ("phat_thanh", "Báo chí — phát thanh"),
        Television = ("truyen_hinh", "Báo chí — truyền hình"),
        Promotion = ("quang_ba", "Quảng bá tác phẩm"),
    }
);

closed_list!(
    /// Prize tiers, highest first.
    PrizeTier {
        Special = ("dac_biet", "Giải Đặc biệt"),
        A = ("a", "Giải A"),
        B = ("b", "Giải B"),
        C = ("c", "Giải C"),
        Encouragement = ("khuyen_khich", "Giải Khuyến khích"),
    }
);

closed_list!(
    /// Who the author is, as the figures count them.
    AuthorKind {
        Cadre = ("can_bo", "Cán bộ, công chức, viên chức"),
        Member = ("dang_vien", "Đảng viên"),
        YouthUnion = ("doan_vien", "Đoàn viên"),
        Association = ("hoi_vien", "Hội viên"),
        Citizen = ("nguoi_dan", "Người dân"),
    }
);

/// Longest accepted name, title or line.
pub const LINE_MAX_LEN: usize = 500;
/// Longest accepted rules.
pub const RULES_MAX_LEN: usize = 20_000;

/// A round as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundInput {
    /// "Giải thưởng … giai đoạn 2023–2025".
    pub name: String,
    pub rules: String,
    /// dd/mm/yyyy: submissions open.
    pub opens_on: String,
    /// dd/mm/yyyy: last day of submissions.
    pub closes_on: String,
    /// Number of prizes of each tier, in `PrizeTier::ALL` order.
    pub prizes: [String; 5],
}

/// A checked round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundDraft {
    pub name: String,
    pub rules: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Prizes of each tier, in `PrizeTier::ALL` order.
    pub prizes: [i32; 5],
}

/// The prize counts as stored: "dac_biet:1,a:3,b:5,c:8,khuyen_khich:10".
pub fn prizes_text(prizes: &[i32; 5]) -> String {
    PrizeTier::ALL
        .iter()
        .zip(prizes)
        .map(|(t, n)| format!("{}:{n}", t.code()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The prize counts read back; a tier not written counts 0.
pub fn prizes_of(text: &str) -> [i32; 5] {
    let mut prizes = [0; 5];
    for part in text.split(',') {
        if let Some((code, n)) = part.split_once(':')
            && let Some(i) = PrizeTier::ALL.iter().position(|t| t.code() == code.trim())
        {
            prizes[i] = n.trim().parse().unwrap_or(0);
        }
    }
    prizes
}

impl RoundInput {
    /// Checks every field at once: submissions close after they open; at least one prize.
    pub fn validate(&self) -> Result<RoundDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.required_text("name", &self.name, "Ghi tên đợt giải", LINE_MAX_LEN);
        let rules = errors.required_text(
            "rules",
            &self.rules,
            "Ghi thể lệ: đối tượng, yêu cầu tác phẩm, cách gửi",
            RULES_MAX_LEN,
        );
        let opens_on = errors.date("opens_on", &self.opens_on);
        let closes_on = errors.date("closes_on", &self.closes_on);
        if let (Some(o), Some(c)) = (opens_on, closes_on)
            && c < o
        {
            errors.add("closes_on", "Hạn nhận tác phẩm phải sau ngày bắt đầu nhận");
        }
        let mut prizes = [0; 5];
        for (i, text) in self.prizes.iter().enumerate() {
            match text.trim() {
                "" => {}
                t => match t.parse::<i32>() {
                    Ok(n) if (0..=1000).contains(&n) => prizes[i] = n,
                    _ => errors.add("prizes", "Số giải mỗi hạng là số nguyên từ 0 đến 1.000"),
                },
            }
        }
        if prizes.iter().all(|n| *n == 0) && errors.get("prizes").is_none() {
            errors.add("prizes", "Ghi số giải của ít nhất một hạng");
        }
        match (opens_on, closes_on, errors.is_empty()) {
            (Some(opens_on), Some(closes_on), true) => Ok(RoundDraft {
                name,
                rules,
                opens_on,
                closes_on,
                prizes,
            }),
            _ => Err(errors),
        }
    }
}

/// An entry as its authors (or staff for them) send it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryInput {
    pub title: String,
    /// An `AwardField` code.
    pub field: String,
    /// The genre within the field ("Truyện ngắn", "Ca khúc", "Phóng sự").
    pub genre: String,
    /// Real names of the authors, one or several.
    pub authors: String,
    /// Pen names, if any.
    pub pen_names: String,
    /// An `AuthorKind` code.
    pub author_kind: String,
    /// Where the authors work or live.
    pub work_unit: String,
    pub phone: String,
    pub email: String,
    /// dd/mm/yyyy: created or first published.
    pub made_on: String,
    /// Where the work can be seen or heard.
    pub link: String,
    /// The authors declare the work is their own and not awarded before.
    pub original: bool,
}

/// A checked entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDraft {
    pub title: String,
    pub field: AwardField,
    pub genre: String,
    pub authors: String,
    pub pen_names: Option<String>,
    pub author_kind: AuthorKind,
    pub work_unit: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub made_on: NaiveDate,
    pub link: Option<String>,
}

impl EntryInput {
    /// Checks every field at once: a phone or an email to reach the authors, a work made
    /// within the round's period (`from` to `today`), the declaration ticked.
    pub fn validate(&self, from: NaiveDate, today: NaiveDate) -> Result<EntryDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.required_text("title", &self.title, "Ghi tên tác phẩm", LINE_MAX_LEN);
        let field = AwardField::from_code(self.field.trim());
        if field.is_none() {
            errors.add("field", "Chọn lĩnh vực dự giải");
        }
        let genre = errors.required_text(
            "genre",
            &self.genre,
            "Ghi thể loại (ví dụ: truyện ngắn, ca khúc, phóng sự)",
            LINE_MAX_LEN,
        );
        let authors = errors.required_text(
            "authors",
            &self.authors,
            "Ghi họ tên thật của tác giả (các tác giả cách nhau bằng dấu phẩy)",
            LINE_MAX_LEN,
        );
        let pen_names = errors.optional_text("pen_names", &self.pen_names, LINE_MAX_LEN);
        let author_kind = AuthorKind::from_code(self.author_kind.trim());
        if author_kind.is_none() {
            errors.add(
                "author_kind",
                "Chọn tác giả là cán bộ, đảng viên, đoàn viên, hội viên hay người dân",
            );
        }
        let work_unit = errors.required_text(
            "work_unit",
            &self.work_unit,
            "Ghi cơ quan, đơn vị công tác hoặc nơi cư trú",
            LINE_MAX_LEN,
        );
        let phone = match self.phone.trim() {
            "" => None,
            p => match crate::validation::phone(p) {
                Ok(p) => Some(p),
                Err(message) => {
                    errors.add("phone", message);
                    None
                }
            },
        };
        let email = match self.email.trim() {
            "" => None,
            e => match crate::validation::email(e) {
                Ok(e) => Some(e),
                Err(message) => {
                    errors.add("email", message);
                    None
                }
            },
        };
        if self.phone.trim().is_empty() && self.email.trim().is_empty() {
            errors.add(
                "phone",
                "Ghi số điện thoại hoặc email để ban tổ chức liên hệ (không công khai)",
            );
        }
        let made_on = match errors.date("made_on", &self.made_on) {
            Some(d) if d < from => {
                errors.add(
                    "made_on",
                    format!(
                        "Tác phẩm sáng tác, công bố từ ngày {} trở đi",
                        crate::dates::display(from)
                    ),
                );
                None
            }
            Some(d) if d > today => {
                errors.add("made_on", "Ngày này chưa tới");
                None
            }
            d => d,
        };
        let link = errors.web_link("link", &self.link, 1_000);
        if !self.original {
            errors.add(
                "original",
                "Cần cam đoan tác phẩm do mình sáng tác và chưa đoạt giải ở cuộc thi khác",
            );
        }
        match (field, author_kind, made_on, errors.is_empty()) {
            (Some(field), Some(author_kind), Some(made_on), true) => Ok(EntryDraft {
                title,
                field,
                genre,
                authors,
                pen_names,
                author_kind,
                work_unit,
                phone,
                email,
                made_on,
                link,
            }),
            _ => Err(errors),
        }
    }
}

closed_list!(
    /// Where a round's judging stands.
    RoundStage {
        Preliminary = ("so_khao", "Sơ khảo"),
        Final = ("chung_khao", "Chung khảo"),
        Published = ("da_cong_bo", "Đã công bố kết quả"),
    }
);

/// The rubric each judge scores an entry on: (field name, label, highest points). The
/// points add up to 100.
pub const RUBRIC: [(&str, &str, i32); 3] = [
    ("content", "Nội dung, tư tưởng", 40),
    ("art", "Chất lượng nghệ thuật, nghiệp vụ", 40),
    ("impact", "Sức lan tỏa, tính thực tiễn", 20),
];

/// The mean preliminary score an entry needs to reach the final round.
pub const FINALIST_MIN: f64 = 60.0;
/// The mean final score an entry needs to win a prize.
pub const PRIZE_MIN: f64 = 50.0;

/// A judge's score of an entry as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreInput {
    /// Points of each criterion of [`RUBRIC`], in order.
    pub points: [String; 3],
    /// The judge knows the authors or has another interest: they do not score it.
    pub conflict: bool,
    pub note: String,
}

/// A checked score: the points, or `None` when the judge declared a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreDraft {
    pub points: Option<[i32; 3]>,
    pub note: Option<String>,
}

impl ScoreDraft {
    /// The total out of 100, when scored.
    pub fn total(&self) -> Option<i32> {
        self.points.map(|p| p.iter().sum())
    }
}

impl ScoreInput {
    /// Checks every criterion: whole points from 0 to its highest; none needed with a
    /// conflict declared.
    pub fn validate(&self) -> Result<ScoreDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let note = errors.optional_text("note", &self.note, LINE_MAX_LEN);
        if self.conflict {
            return if errors.is_empty() {
                Ok(ScoreDraft { points: None, note })
            } else {
                Err(errors)
            };
        }
        let mut points = [0; 3];
        for (i, (field, label, max)) in RUBRIC.iter().enumerate() {
            match self.points[i].trim().replace(',', ".").parse::<i32>() {
                Ok(n) if (0..=*max).contains(&n) => points[i] = n,
                _ => errors.add(*field, format!("{label}: điểm nguyên từ 0 đến {max}")),
            }
        }
        if errors.is_empty() {
            Ok(ScoreDraft {
                points: Some(points),
                note,
            })
        } else {
            Err(errors)
        }
    }
}

/// The mean of some totals, when there are any.
pub fn mean(totals: &[i32]) -> Option<f64> {
    (!totals.is_empty())
        .then(|| totals.iter().map(|t| f64::from(*t)).sum::<f64>() / totals.len() as f64)
}

/// The prizes of a round from its finalists ranked best first (entry, mean final score):
/// the tiers are given in order, as many of each as the round has, to entries at or
/// above [`PRIZE_MIN`]; a tier left short passes its prizes to none.
pub fn assign_prizes(ranked: &[(i64, f64)], prizes: &[i32; 5]) -> Vec<(i64, PrizeTier)> {
    let mut tiers = PrizeTier::ALL
        .iter()
        .zip(prizes)
        .flat_map(|(t, n)| std::iter::repeat_n(*t, (*n).max(0) as usize));
    ranked
        .iter()
        .filter(|(_, score)| *score >= PRIZE_MIN)
        .map_while(|(id, _)| tiers.next().map(|t| (*id, t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_round_closes_after_it_opens_and_has_prizes_stored_by_tier() {
        let errors = RoundInput {
            name: "Giải 2023–2025".into(),
            rules: "Thể lệ".into(),
            opens_on: "01/06/2025".into(),
            closes_on: "01/01/2025".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert!(errors.get("closes_on").is_some() && errors.get("prizes").is_some());
        let prizes = [0, 2, 4, 6, 10];
        assert_eq!(prizes_of(&prizes_text(&prizes)), prizes);
    }

    #[test]
    fn a_score_stays_within_the_rubric_unless_the_judge_declares_a_conflict() {
        let input = |p: [&str; 3], conflict: bool| ScoreInput {
            points: p.map(String::from),
            conflict,
            note: String::new(),
        };
        let errors = input(["41", "x", "20"], false).validate().unwrap_err();
        assert!(errors.get("content").is_some() && errors.get("art").is_some());
        assert_eq!(
            input(["35", "30", "15"], false).validate().unwrap().total(),
            Some(80)
        );
        assert_eq!(input(["", "", ""], true).validate().unwrap().total(), None);
    }

    #[test]
    fn prizes_go_in_tier_order_to_the_best_finalists_above_the_floor() {
        let ranked = [(1, 92.0), (2, 88.5), (3, 70.0), (4, 55.0), (5, 49.0)];
        let prizes = [0, 1, 1, 0, 5];
        assert_eq!(
            assign_prizes(&ranked, &prizes),
            vec![
                (1, PrizeTier::A),
                (2, PrizeTier::B),
                (3, PrizeTier::Encouragement),
                (4, PrizeTier::Encouragement),
            ]
        );
        assert_eq!(mean(&[80, 90]), Some(85.0));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn an_entry_needs_a_way_to_reach_its_authors_a_date_in_the_round_and_the_declaration() {
        let errors = EntryInput {
            title: "Bác vẫn cùng chúng cháu hành quân".into(),
            field: "am_nhac".into(),
            genre: "Ca khúc".into(),
            authors: "Nguyễn Văn A".into(),
            author_kind: "nguoi_dan".into(),
            work_unit: "Phường 5".into(),
            made_on: "01/01/2022".into(),
            ..Default::default()
        }
        .validate(day(2023, 1, 1), day(2025, 6, 1))
        .unwrap_err();
        for field in ["phone", "made_on", "original"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let draft = EntryInput {
            title: "Bác vẫn cùng chúng cháu hành quân".into(),
            field: "am_nhac".into(),
            genre: "Ca khúc".into(),
            authors: "Nguyễn Văn A".into(),
            author_kind: "nguoi_dan".into(),
            work_unit: "Phường 5".into(),
            email: "tacgia@example.vn".into(),
            made_on: "19/05/2024".into(),
            original: true,
            ..Default::default()
        }
        .validate(day(2023, 1, 1), day(2025, 6, 1))
        .unwrap();
        assert_eq!((draft.field, draft.phone), (AwardField::Music, None));
    }
}
