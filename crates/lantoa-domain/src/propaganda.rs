//! Propaganda (tuyên truyền): the channels reports count, an activity as a unit records it
//! (on a form or in a spreadsheet row), the media columns a radio–TV station keeps with
//! their items, and the thresholds of regularity (months without activity, the share of
//! activities that are only documents) the findings use.

use crate::ClosedList;
use crate::closed_list;
use crate::text::fold;
use crate::validation::FieldErrors;
use chrono::{Datelike, NaiveDate};

closed_list!(
    /// The channels counted in reports (DOMAIN.md).
    Channel {
        Meeting = ("hoi_nghi", "Hội nghị, lớp học tập"),
        Document = ("van_ban", "Văn bản"),
        Loudspeaker = ("loa", "Loa truyền thanh, phát thanh"),
        Television = ("truyen_hinh", "Truyền hình"),
        Press = ("bao", "Báo in, báo điện tử"),
        Website = ("trang_tin", "Trang thông tin điện tử"),
        SocialMedia = ("mang_xa_hoi", "Mạng xã hội"),
        Visual = ("truc_quan", "Trực quan (pano, áp phích, băng rôn)"),
        WordOfMouth = ("mieng", "Tuyên truyền miệng"),
        Performance = ("van_nghe", "Chiếu phim, văn nghệ, sân khấu hóa"),
        Contest = ("hoi_thi", "Hội thi"),
        Bookshelf = ("tu_sach", "Tủ sách, góc Bác Hồ"),
    }
);

/// Other words people write for each channel in a spreadsheet, folded.
const CHANNEL_WORDS: &[(Channel, &[&str])] = &[
    (
        Channel::Meeting,
        &["hoi nghi", "lop hoc", "hoc tap", "toa dam", "sinh hoat"],
    ),
    (
        Channel::Document,
        &["van ban", "cong van", "huong dan", "ke hoach"],
    ),
    (
        Channel::Loudspeaker,
        &["loa", "truyen thanh", "phat thanh", "dai"],
    ),
    (Channel::Television, &["truyen hinh", "tivi", "phong su"]),
    (Channel::Press, &["bao", "tap chi"]),
    (
        Channel::Website,
        &["trang thong tin", "cong thong tin", "website"],
    ),
    (
        Channel::SocialMedia,
        &["mang xa hoi", "facebook", "zalo", "tiktok", "youtube"],
    ),
    (
        Channel::Visual,
        &["truc quan", "pano", "ap phich", "bang ron", "khau hieu"],
    ),
    (
        Channel::WordOfMouth,
        &["mieng", "bao cao vien", "tuyen truyen vien"],
    ),
    (
        Channel::Performance,
        &["van nghe", "chieu phim", "san khau"],
    ),
    (Channel::Contest, &["hoi thi", "cuoc thi"]),
    (
        Channel::Bookshelf,
        &["tu sach", "goc bac", "goc ho chi minh"],
    ),
];

impl Channel {
    /// The channel a spreadsheet cell names: its code, its label, or words people use for
    /// it ("Trang Facebook của phường", "pano"); the longest such words found win, so that
    /// "báo cáo viên" is word of mouth, not the press.
    pub fn from_file(text: &str) -> Option<Channel> {
        let folded = fold(text);
        if folded.is_empty() {
            return None;
        }
        if let Some(c) = Channel::from_code(text.trim()) {
            return Some(c);
        }
        Channel::ALL
            .iter()
            .copied()
            .find(|c| fold(c.label()) == folded)
            .or_else(|| {
                let padded = format!(" {folded} ");
                CHANNEL_WORDS
                    .iter()
                    .flat_map(|(c, words)| words.iter().map(move |w| (*c, *w)))
                    .filter(|(_, w)| padded.contains(&format!(" {w} ")))
                    .max_by_key(|(_, w)| w.len())
                    .map(|(c, _)| c)
            })
    }
}

/// Longest accepted title or topic.
pub const TITLE_MAX_LEN: usize = 500;
/// Longest accepted link.
pub const LINK_MAX_LEN: usize = 1_000;

/// A whole number of at least `min`, "1.200" allowed.
fn count(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    min: i64,
    what: &str,
) -> Option<i64> {
    match text.trim().replace(['.', ' '], "").parse::<i64>() {
        Ok(n) if n >= min && n <= 100_000_000 => Some(n),
        _ => {
            errors.add(field, format!("{what} là số nguyên từ {min} trở lên"));
            None
        }
    }
}

/// A propaganda activity as typed or read from a row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityInput {
    /// The unit's code (files only; a form records for the unit it is on).
    pub org_code: String,
    /// dd/mm/yyyy.
    pub held_on: String,
    /// A channel's code, label or usual word.
    pub channel: String,
    /// The topic ("Chuyên đề năm 2025"), or empty.
    pub topic: String,
    /// What it was ("Hội nghị quán triệt Chuyên đề năm 2025").
    pub title: String,
    /// How many (sessions, copies, broadcasts, panels); 1 when empty.
    pub quantity: String,
    /// People reached (lượt), when known.
    pub reach: String,
    /// A link to it or its evidence.
    pub link: String,
}

/// A checked activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityDraft {
    pub held_on: NaiveDate,
    pub channel: Channel,
    pub topic: Option<String>,
    pub title: String,
    pub quantity: i32,
    pub reach: Option<i64>,
    pub link: Option<String>,
}

impl ActivityDraft {
    /// Its month (1–12), by which regularity is counted.
    pub fn month(&self) -> u32 {
        self.held_on.month()
    }
}

impl ActivityInput {
    /// Checks every field at once; not after `today`.
    pub fn validate(&self, today: NaiveDate) -> Result<ActivityDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let held_on = match errors.date("held_on", &self.held_on) {
            Some(d) if d > today => {
                errors.add("held_on", "Ngày này chưa tới: ghi hoạt động đã diễn ra");
                None
            }
            d => d,
        };
        let channel = Channel::from_file(&self.channel);
        if channel.is_none() {
            errors.add(
                "channel",
                format!(
                    "Chọn hình thức tuyên truyền trong danh sách: {}",
                    Channel::ALL
                        .iter()
                        .map(|c| c.label())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            );
        }
        let topic = errors.optional_text("topic", &self.topic, TITLE_MAX_LEN);
        let title = errors.required_text(
            "title",
            &self.title,
            "Ghi tên hoạt động, tin bài hoặc văn bản",
            TITLE_MAX_LEN,
        );
        let quantity = if self.quantity.trim().is_empty() {
            Some(1)
        } else {
            count(&mut errors, "quantity", &self.quantity, 1, "Số lượng")
        };
        let reach = if self.reach.trim().is_empty() {
            None
        } else {
            count(&mut errors, "reach", &self.reach, 0, "Số lượt người")
        };
        let link = errors.web_link("link", &self.link, LINK_MAX_LEN);
        match (held_on, channel, quantity, errors.is_empty()) {
            (Some(held_on), Some(channel), Some(quantity), true) => Ok(ActivityDraft {
                held_on,
                channel,
                topic,
                title,
                quantity: quantity.min(i32::MAX as i64) as i32,
                reach,
                link,
            }),
            _ => Err(errors),
        }
    }
}

closed_list!(
    /// Where a media column runs.
    MediaKind {
        Television = ("truyen_hinh", "Truyền hình"),
        Radio = ("phat_thanh", "Phát thanh"),
        Website = ("trang_tin", "Trang thông tin điện tử"),
        Press = ("bao", "Báo"),
    }
);

/// A media column (chuyên trang, chuyên mục) as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnInput {
    pub name: String,
    /// A `MediaKind` code.
    pub kind: String,
    /// How often it runs ("Hằng tháng, tuần thứ hai").
    pub schedule: String,
    /// dd/mm/yyyy.
    pub started_on: String,
}

/// A checked media column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDraft {
    pub name: String,
    pub kind: MediaKind,
    pub schedule: String,
    pub started_on: NaiveDate,
}

impl ColumnInput {
    /// Checks every field at once.
    pub fn validate(&self) -> Result<ColumnDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.required_text(
            "name",
            &self.name,
            "Ghi tên chuyên trang, chuyên mục",
            TITLE_MAX_LEN,
        );
        let kind = MediaKind::from_code(self.kind.trim());
        if kind.is_none() {
            errors.add(
                "kind",
                "Chọn loại: truyền hình, phát thanh, trang tin hay báo",
            );
        }
        let schedule = errors.required_text(
            "schedule",
            &self.schedule,
            "Ghi thời lượng, định kỳ phát (ví dụ: hằng tháng, 15 phút)",
            TITLE_MAX_LEN,
        );
        let started_on = errors.date("started_on", &self.started_on);
        match (kind, started_on, errors.is_empty()) {
            (Some(kind), Some(started_on), true) => Ok(ColumnDraft {
                name,
                kind,
                schedule,
                started_on,
            }),
            _ => Err(errors),
        }
    }
}

/// An item (tin, bài, phóng sự) of a column as typed; the exemplar or model it tells of is
/// chosen apart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemInput {
    /// dd/mm/yyyy.
    pub aired_on: String,
    pub title: String,
    /// The programme or page it ran in ("Thời sự tối"), or empty.
    pub programme: String,
    pub link: String,
}

/// A checked item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDraft {
    pub aired_on: NaiveDate,
    pub title: String,
    pub programme: Option<String>,
    pub link: Option<String>,
}

impl ItemInput {
    /// Checks every field at once: aired on or after the column began, not after `today`.
    pub fn validate(
        &self,
        started_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<ItemDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let aired_on = match errors.date("aired_on", &self.aired_on) {
            Some(d) if d < started_on => {
                errors.add(
                    "aired_on",
                    format!(
                        "Chuyên mục bắt đầu từ {}",
                        crate::dates::display(started_on)
                    ),
                );
                None
            }
            Some(d) if d > today => {
                errors.add("aired_on", "Ngày phát chưa tới");
                None
            }
            d => d,
        };
        let title = errors.required_text("title", &self.title, "Ghi tên tin, bài", TITLE_MAX_LEN);
        let programme = errors.optional_text("programme", &self.programme, TITLE_MAX_LEN);
        let link = errors.web_link("link", &self.link, LINK_MAX_LEN);
        match (aired_on, errors.is_empty()) {
            (Some(aired_on), true) => Ok(ItemDraft {
                aired_on,
                title,
                programme,
                link,
            }),
            _ => Err(errors),
        }
    }
}

/// The months of `year` already over on `today`, for counting months without activity.
pub fn months_over(year: i32, today: NaiveDate) -> u32 {
    match today.year().cmp(&year) {
        std::cmp::Ordering::Greater => 12,
        std::cmp::Ordering::Equal => today.month() - 1,
        std::cmp::Ordering::Less => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
    }

    #[test]
    fn a_channel_is_read_from_its_code_its_label_or_the_word_people_use() {
        assert_eq!(Channel::from_file("van_ban"), Some(Channel::Document));
        assert_eq!(Channel::from_file("Văn bản"), Some(Channel::Document));
        assert_eq!(
            Channel::from_file("Trang Facebook của phường"),
            Some(Channel::SocialMedia)
        );
        assert_eq!(Channel::from_file("Pano, áp phích"), Some(Channel::Visual));
        assert_eq!(
            Channel::from_file("Báo cáo viên nói chuyện"),
            Some(Channel::WordOfMouth)
        );
        assert_eq!(Channel::from_file("Báo Ấp Bắc"), Some(Channel::Press));
        assert_eq!(Channel::from_file("  "), None);
        assert_eq!(Channel::from_file("Thư tay"), None);
    }

    #[test]
    fn an_activity_needs_a_past_date_a_channel_a_title_and_sane_counts() {
        let errors = ActivityInput {
            held_on: "01/01/2026".into(),
            channel: "Thư tay".into(),
            quantity: "0".into(),
            reach: "nhiều".into(),
            link: "www.example.vn".into(),
            ..Default::default()
        }
        .validate(today())
        .unwrap_err();
        for field in ["held_on", "channel", "title", "quantity", "reach", "link"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let draft = ActivityInput {
            held_on: "19/05/2025".into(),
            channel: "Hội nghị".into(),
            title: "Hội nghị quán triệt Chuyên đề năm 2025".into(),
            reach: "1.250".into(),
            ..Default::default()
        }
        .validate(today())
        .unwrap();
        assert_eq!(
            (draft.quantity, draft.reach, draft.month()),
            (1, Some(1250), 5)
        );
    }

    #[test]
    fn an_item_runs_after_its_column_began() {
        let began = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let input = |on: &str| ItemInput {
            aired_on: on.into(),
            title: "Người giữ lửa khu phố".into(),
            ..Default::default()
        };
        assert!(input("31/12/2023").validate(began, today()).is_err());
        assert!(input("15/03/2025").validate(began, today()).is_ok());
    }

    #[test]
    fn the_months_over_are_those_before_this_one_of_this_year() {
        let today = NaiveDate::from_ymd_opt(2026, 5, 20).unwrap();
        assert_eq!(months_over(2025, today), 12);
        assert_eq!(months_over(2026, today), 4);
        assert_eq!(months_over(2027, today), 0);
    }
}
