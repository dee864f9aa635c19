//! Two years (2024, 2025) of propaganda by the units under the city with the seed's
//! weakness in it:
//! most activities are only documents, and one unit in five falls silent for months; and
//! the radio–TV station's two columns, whose items tell of the exemplars commended and the
//! models recognised the year before.

use crate::StoreError;
use crate::audit::Actor;
use crate::propaganda::{self, Story};
use chrono::NaiveDate;
use lantoa_domain::propaganda::{ActivityInput, ColumnInput, ItemInput};

/// Channels in rotation: six documents in ten activities.
const CHANNELS: [&str; 10] = [
    "van_ban",
    "van_ban",
    "hoi_nghi",
    "van_ban",
    "loa",
    "van_ban",
    "mang_xa_hoi",
    "van_ban",
    "truc_quan",
    "van_ban",
];

fn title_of(channel: &str, month: u32, year: i32) -> String {
    match channel {
        "van_ban" => format!("Hướng dẫn tuyên truyền chuyên đề tháng {month}/{year}"),
        "hoi_nghi" => format!("Hội nghị học tập chuyên đề, tháng {month}/{year}"),
        "loa" => format!("Phát thanh gương người tốt việc tốt tháng {month}/{year}"),
        "mang_xa_hoi" => {
            format!("Bài viết gương điển hình trên trang của đơn vị, tháng {month}/{year}")
        }
        _ => format!("Pano, băng rôn tuyên truyền tháng {month}/{year}"),
    }
}

fn reach_of(channel: &str, n: usize) -> String {
    match channel {
        "hoi_nghi" => (60 + n % 240).to_string(),
        "loa" => (800 + (n * 37) % 1200).to_string(),
        "mang_xa_hoi" => (300 + (n * 91) % 4000).to_string(),
        _ => String::new(),
    }
}

/// Records the activities of 2024 and 2025 and the station's columns.
pub(super) async fn propaganda<C: crate::Writer>(conn: &C) -> Result<(), StoreError> {
    let actor = Actor::system("demo");
    let today = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default();
    let Some(city) = crate::org::get_by_code(conn, super::ROOT_CODE).await? else {
        return Ok(());
    };
    let units = crate::org::child_units(conn, city.id).await?;
    for year in [2024, 2025] {
        let Ok(campaign_year) = crate::campaign::year(conn, year).await else {
            continue;
        };
        let mut n = 0usize;
        for (i, unit) in units.iter().enumerate() {
            for month in 1..=12u32 {
                // One unit in five is silent from spring to summer, some longer.
                if i % 5 == 2 && (4..=6 + (i % 3) as u32).contains(&month) {
                    continue;
                }
                for k in 0..1 + (i + month as usize) % 2 {
                    let m = month as usize;
                    let channel = CHANNELS[(i * 13 + m * 7 + k * 3 + i * m) % CHANNELS.len()];
                    let draft = ActivityInput {
                        held_on: format!("{:02}/{month:02}/{year}", 3 + (i * 5 + k * 11) % 25),
                        channel: channel.into(),
                        topic: format!("Chuyên đề năm {year}"),
                        title: title_of(channel, month, year),
                        quantity: (1 + (n % 3)).to_string(),
                        reach: reach_of(channel, n),
                        ..Default::default()
                    }
                    .validate(today)
                    .map_err(StoreError::Invalid)?;
                    propaganda::insert(conn, &actor, unit.id, campaign_year.id, &draft).await?;
                    n += 1;
                }
            }
        }
    }
    columns(conn, &actor, &city, today).await
}

/// The station's columns and their 2025 items.
async fn columns<C: crate::Writer>(
    conn: &C,
    actor: &Actor,
    city: &crate::org::Org,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let Some(station) = crate::org::get_by_code(conn, "DTTTH").await? else {
        return Ok(());
    };
    let (exemplars, models) = propaganda::story_candidates(conn, &city.subtree(), 2024).await?;
    for (name, kind, schedule, started, per_year) in [
        (
            "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            "truyen_hinh",
            "Hằng tháng, 15 phút, phát lại vào Chủ nhật",
            "01/06/2016",
            12u32,
        ),
        (
            "Người tốt, việc tốt",
            "phat_thanh",
            "Hai lần mỗi tháng, trên hệ thống loa truyền thanh",
            "01/01/2019",
            24,
        ),
    ] {
        let draft = ColumnInput {
            name: name.into(),
            kind: kind.into(),
            schedule: schedule.into(),
            started_on: started.into(),
        }
        .validate()
        .map_err(StoreError::Invalid)?;
        let id = propaganda::create_column(conn, actor, &station, &draft).await?;
        let column = propaganda::column(conn, id).await?;
        for k in 0..per_year {
            let month = 1 + k * 12 / per_year;
            let day = if per_year == 12 { 15 } else { 5 + (k % 2) * 15 };
            // Exemplars on the radio, models on television, in turn.
            let story = if kind == "phat_thanh" {
                exemplars
                    .get(k as usize % exemplars.len().max(1))
                    .map(|(id, name)| (Story::Exemplar(*id), name.clone()))
            } else {
                models
                    .get(k as usize % models.len().max(1))
                    .map(|(id, name)| (Story::Model(*id), name.clone()))
            };
            let title = match &story {
                Some((_, about)) => {
                    let who = about.split(" — ").next().unwrap_or(about);
                    format!("{who}: lan tỏa việc làm theo Bác")
                }
                None => format!("Học và làm theo Bác, kỳ {}", k + 1),
            };
            let item = ItemInput {
                aired_on: format!("{day:02}/{month:02}/2025"),
                title,
                programme: if kind == "truyen_hinh" {
                    "Thời sự tối".into()
                } else {
                    "Chương trình phát thanh buổi sáng".into()
                },
                link: String::new(),
            }
            .validate(column.started_on, today)
            .map_err(StoreError::Invalid)?;
            propaganda::add_item(conn, actor, &column, &item, story.map(|(s, _)| s)).await?;
        }
    }
    Ok(())
}
