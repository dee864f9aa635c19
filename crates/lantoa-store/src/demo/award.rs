//! The 2023–2025 creative-works award of the seed (key task 6), with entries in most
//! fields from cadres, members, union and association members and citizens, judged by
//! three judges (one declaring a conflict) through both rounds and its results published;
//! and the next round, 2026–2028, open on the public site.

use crate::StoreError;
use crate::audit::Actor;
use crate::award::{self, EntrySource};
use chrono::NaiveDate;
use lantoa_domain::ClosedList;
use lantoa_domain::award::{AuthorKind, AwardField, EntryInput, RoundInput};

const RULES: &str = "Đối tượng: cán bộ, đảng viên, công chức, viên chức, đoàn viên, hội viên và nhân dân trong và ngoài thành phố.\n\
Tác phẩm: phản ánh sinh động việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; gương điển hình, mô hình hay, cách làm sáng tạo ở các địa phương, đơn vị; sáng tác hoặc công bố trong thời gian của đợt giải; chưa đoạt giải ở cuộc thi khác.\n\
Mỗi tác giả gửi không quá 3 tác phẩm; ghi rõ họ tên thật, bút danh, địa chỉ, số điện thoại.";

const TITLES: [&str; 8] = [
    "Người giữ lửa khu phố",
    "Theo lời Bác dạy",
    "Mùa xuân bên dòng Tiền Giang",
    "Chuyện ông Tư hiến đất",
    "Lớp học tình thương",
    "Bác vẫn cùng chúng cháu",
    "Tấm gương thầm lặng",
    "Ấp mới, niềm vui mới",
];

/// The rounds and the past round's entries.
pub(super) async fn award<C: crate::Writer>(conn: &C) -> Result<(), StoreError> {
    let Some(city) = crate::org::get_by_code(conn, super::ROOT_CODE).await? else {
        return Ok(());
    };
    let actor = Actor::system("demo");
    let mut ids = Vec::new();
    for (name, opens, closes, prizes) in [
        (
            "Giải thưởng sáng tác, quảng bá tác phẩm văn học, nghệ thuật, báo chí về chủ đề «Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh» giai đoạn 2023–2025",
            "19/05/2023",
            "30/06/2025",
            ["0", "2", "4", "6", "10"],
        ),
        (
            "Giải thưởng sáng tác, quảng bá tác phẩm văn học, nghệ thuật, báo chí về chủ đề «Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh» giai đoạn 2026–2028",
            "19/05/2026",
            "30/06/2028",
            ["1", "2", "4", "6", "10"],
        ),
    ] {
        let draft = RoundInput {
            name: name.into(),
            rules: RULES.into(),
            opens_on: opens.into(),
            closes_on: closes.into(),
            prizes: prizes.map(String::from),
        }
        .validate()
        .map_err(StoreError::Invalid)?;
        ids.push(award::create_round(conn, &actor, &city, &draft).await?);
    }
    let round = award::round(conn, ids[0]).await?;
    let today = round.closes_on;
    let fields = [
        AwardField::Literature,
        AwardField::Music,
        AwardField::Photography,
        AwardField::PrintPress,
        AwardField::Television,
        AwardField::Radio,
        AwardField::FineArts,
        AwardField::Folk,
        AwardField::OnlinePress,
    ];
    for i in 0..42usize {
        let field = fields[(i * 5) % fields.len()];
        let kind = AuthorKind::ALL[(i * 3) % AuthorKind::ALL.len()];
        let made = NaiveDate::from_ymd_opt(
            2023 + (i % 3) as i32,
            1 + (i % 12) as u32,
            1 + (i % 27) as u32,
        )
        .filter(|d| *d <= today)
        .unwrap_or(today);
        let draft = EntryInput {
            title: format!("{} ({})", TITLES[i % TITLES.len()], i + 1),
            field: field.code().into(),
            genre: match field {
                AwardField::Literature => "Truyện ngắn",
                AwardField::Music => "Ca khúc",
                AwardField::Photography => "Ảnh đơn",
                AwardField::Television => "Phóng sự",
                AwardField::Radio => "Ký sự phát thanh",
                AwardField::FineArts => "Tranh cổ động",
                AwardField::Folk => "Đờn ca tài tử",
                _ => "Bài viết",
            }
            .into(),
            authors: format!("Tác giả Mẫu {}", i + 1),
            pen_names: if i % 4 == 0 {
                format!("Hoài Tiền {}", i + 1)
            } else {
                String::new()
            },
            author_kind: kind.code().into(),
            work_unit: "Thành phố Mỹ Tho".into(),
            phone: format!("09{:08}", 12_340_000 + i),
            email: String::new(),
            made_on: lantoa_domain::dates::display(made),
            link: String::new(),
            original: true,
        }
        .validate(round.works_from(), today)
        .map_err(StoreError::Invalid)?;
        let source = if i % 3 == 0 {
            EntrySource::Staff
        } else {
            EntrySource::Public
        };
        award::submit(conn, &actor, &round, &draft, source, today, None).await?;
    }
    judge(conn, &actor, round.id).await
}

/// The past round's judges (accounts that cannot sign in: they judged before Lan Tỏa),
/// their blind scores in both rounds and the confirmed results.
async fn judge<C: crate::Writer>(conn: &C, actor: &Actor, round_id: i64) -> Result<(), StoreError> {
    use crate::judging;
    use lantoa_domain::award::ScoreInput;
    let mut judges = Vec::new();
    for username in ["giamkhao.vanhoc", "giamkhao.nghethuat", "giamkhao.baochi"] {
        // "!" is no password hash: these accounts never sign in.
        judges.push(crate::accounts::create(conn, actor, username, "!", None, &[]).await?);
    }
    let mut round = award::round(conn, round_id).await?;
    for judge in &judges {
        for field in AwardField::ALL {
            judging::assign(conn, actor, &round, *judge, *field).await?;
        }
    }
    for stage in 0..2 {
        for (j, judge) in judges.iter().enumerate() {
            for entry in judging::blind_entries(conn, &round, *judge).await? {
                let n = entry.id as usize + j * 7 + stage * 3;
                let input = ScoreInput {
                    points: [
                        (18 + n % 23).to_string(),
                        (17 + (n * 5) % 24).to_string(),
                        (8 + (n * 3) % 13).to_string(),
                    ],
                    // The third judge knows the authors of one work in eleven.
                    conflict: j == 2 && entry.id % 11 == 0,
                    note: String::new(),
                };
                let draft = input.validate().map_err(StoreError::Invalid)?;
                judging::score(conn, actor, &round, *judge, entry.id, &draft).await?;
            }
        }
        if stage == 0 {
            judging::close_preliminary(conn, actor, &round).await?;
        } else {
            let confirmed = NaiveDate::from_ymd_opt(2025, 9, 26).unwrap_or_default();
            judging::confirm(conn, actor, &round, confirmed).await?;
        }
        round = award::round(conn, round_id).await?;
    }
    Ok(())
}
