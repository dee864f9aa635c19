//! The soak test (`lantoa-bench --soak SECONDS`): mixed traffic — sign-ins, dashboards,
//! people lists, drill-downs, attendance saves, public pages and citizens' nominations —
//! from `--concurrency` connections as fast as the server answers, for as long as asked
//! (ten minutes per database for issue 10). It reports each kind of request's latency
//! against issue 9's targets, the server's memory when warm and at the end, and fails on any
//! 5xx, any write not acknowledged (or acknowledged and not saved), or memory that keeps
//! growing after the warm-up.

use crate::load::{self, Body, Route, Target};
use hyper::{Method, StatusCode};
use lantoa_store::synth::Rng;
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How a run of the soak went.
pub struct Soaked {
    /// Latencies by kind of request.
    pub latencies: BTreeMap<String, Vec<Duration>>,
    /// Each kind's p50 target, ms.
    pub targets: BTreeMap<String, f64>,
    /// Answers no request should get.
    pub wrong: Vec<String>,
    /// Nominations the server acknowledged.
    pub nominations: u64,
    /// Resident memory at the end of the warm-up, at the end, and at its peak, kB.
    pub rss_warm_kb: u64,
    pub rss_end_kb: u64,
    pub rss_peak_kb: u64,
}

/// One kind of request of the mix, with its weight.
#[derive(Clone)]
enum Action {
    /// A route of the load benchmark (as signed-in staff, or anonymous for public pages).
    Route(Route),
    /// Signing in again through the form (a password hash checked, a session made).
    SignIn(Route),
    /// A citizen opening the nomination form and sending it, answer and all, from an
    /// address of their own behind the trusted proxy.
    Nominate,
}

impl Action {
    fn name(&self) -> &str {
        match self {
            Action::Route(r) | Action::SignIn(r) => &r.name,
            Action::Nominate => "public nomination (form, then send)",
        }
    }
}

/// The mix: the load benchmark's routes, the public model list, sign-ins and nominations.
fn mix(routes: &[Route], username: &str, password: &str) -> Vec<(u64, Action)> {
    let weight = |name: &str| match name {
        "public showcase home" => 20,
        "dashboard, top unit" => 4,
        "dashboard, grassroots unit" => 10,
        "people search, first page" => 10,
        "coverage drill-down, first page" => 6,
        "save attendance, 30 people" => 12,
        _ => 2,
    };
    let mut actions: Vec<(u64, Action)> = routes
        .iter()
        .map(|r| (weight(&r.name), Action::Route(r.clone())))
        .collect();
    actions.push((
        6,
        Action::Route(Route {
            name: "public model list".into(),
            method: Method::GET,
            path: "/mo-hinh-tieu-bieu".into(),
            body: None,
            headers: Vec::new(),
            expect: StatusCode::OK,
            target_ms: Some(20.0),
            pending: None,
        }),
    ));
    actions.push((
        2,
        Action::SignIn(Route {
            name: "sign-in".into(),
            method: Method::POST,
            path: "/dang-nhap".into(),
            body: Some(Body::form(format!(
                "ten={username}&mat_khau={password}&tiep="
            ))),
            headers: Vec::new(),
            expect: StatusCode::SEE_OTHER,
            target_ms: None,
            pending: None,
        }),
    ));
    actions.push((2, Action::Nominate));
    actions
}

/// The value of attribute `attribute` of the first tag after `marker`.
fn attribute_after<'a>(html: &'a str, marker: &str, attribute: &str) -> Option<&'a str> {
    let rest = &html[html.find(marker)? + marker.len()..];
    let start = rest.find(&format!("{attribute}=\""))? + attribute.len() + 2;
    let end = rest[start..].find('"')?;
    Some(&rest[start..start + end])
}

/// The value of the first option after the empty one ("— Chọn —") of a select.
fn first_choice<'a>(html: &'a str, select_id: &str) -> Option<&'a str> {
    let select = &html[html.find(&format!("<select id=\"{select_id}\""))?..];
    let empty = select.find("<option value=\"\"")?;
    attribute_after(&select[empty + 1..], "<option", "value")
}

/// The answer to the form's "7 cộng 5 bằng mấy?" (the last "cộng" before the question's end:
/// the page has others, "cộng đồng" among the fields).
fn sum_asked(html: &str) -> Option<i64> {
    let question = &html[..html.find(" bằng mấy?")?];
    let at = question.rfind(" cộng ")?;
    let before = question[..at]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()?
        .parse::<i64>()
        .ok()?;
    let after = question[at + " cộng ".len()..].trim().parse::<i64>().ok()?;
    Some(before + after)
}

/// The nomination form as a citizen fills it from the page just shown.
fn nomination(form_page: &str) -> Option<Body> {
    let expires = attribute_after(form_page, "name=\"expires\"", "value")?;
    let token = attribute_after(form_page, "name=\"token\"", "value")?;
    let unit = first_choice(form_page, "unit")?;
    let field = first_choice(form_page, "field")?;
    let kind = attribute_after(form_page, "name=\"kind\"", "value")?;
    let answer = sum_asked(form_page)?.to_string();
    Some(Body::multipart(
        &[
            ("kind", kind),
            ("name", "Nguyễn Thị Hoa"),
            ("about", "Bán hàng ở chợ, nhà ở khu phố 2"),
            ("unit", unit),
            ("field", field),
            (
                "achievement",
                "Nhiều năm nhặt được của rơi trả lại người mất, giúp đỡ người già neo đơn.",
            ),
            ("nominator_name", "Trần Văn Bình"),
            ("nominator_contact", "0912345678"),
            ("answer", &answer),
            ("expires", expires),
            ("token", token),
            ("website", ""),
        ],
        ("file", "", &[]),
    ))
}

/// What one request of the mix came to: its latency, or what was wrong.
async fn perform(
    sender: &mut load::Sender,
    target: &Target,
    action: &Action,
    addresses: &AtomicU64,
) -> anyhow::Result<Result<Duration, String>> {
    let route = match action {
        Action::Route(route) | Action::SignIn(route) => route.clone(),
        Action::Nominate => {
            let page = Route {
                name: "nomination form".into(),
                method: Method::GET,
                path: "/de-cu".into(),
                body: None,
                headers: Vec::new(),
                expect: StatusCode::OK,
                target_ms: None,
                pending: None,
            };
            let started = Instant::now();
            let shown = load::send(sender, target, &page).await?;
            if shown.status != StatusCode::OK {
                return Ok(Err(format!("/de-cu answered {}", shown.status)));
            }
            let Some(body) = nomination(&String::from_utf8_lossy(&shown.body)) else {
                return Ok(Err("the nomination form could not be read".into()));
            };
            let n = addresses.fetch_add(1, Ordering::Relaxed);
            let send = Route {
                name: "nomination".into(),
                method: Method::POST,
                path: "/de-cu".into(),
                body: Some(body),
                headers: vec![(
                    "x-forwarded-for",
                    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255),
                )],
                expect: StatusCode::OK,
                target_ms: None,
                pending: None,
            };
            let sent = load::send(sender, target, &send).await?;
            let text = String::from_utf8_lossy(&sent.body);
            return Ok(
                if sent.status == StatusCode::OK && !text.contains("class=\"error\"") {
                    Ok(started.elapsed())
                } else {
                    Err(format!("nomination answered {}", sent.status))
                },
            );
        }
    };
    let answer = load::send(sender, target, &route).await?;
    let set_cookie = answer.status == StatusCode::SEE_OTHER;
    Ok(
        if answer.status == route.expect && (!matches!(action, Action::SignIn(_)) || set_cookie) {
            Ok(answer.took)
        } else {
            let text = String::from_utf8_lossy(&answer.body);
            Err(format!(
                "{} answered {}: {}",
                route.path,
                answer.status,
                text.chars().take(200).collect::<String>()
            ))
        },
    )
}

/// Exemplars in the database (nominations add one each).
async fn exemplars(url: &str) -> anyhow::Result<i64> {
    let store = lantoa_store::Store::connect(url).await?;
    let row = store
        .db()
        .query_one_raw(sea_orm::Statement::from_string(
            store.db().get_database_backend(),
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM exemplars",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no count"))?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// Drives the mix for `seconds` against a running server; the first third (at most a
/// minute) is the warm-up, whose end is the memory baseline.
pub async fn run(
    target: &Target,
    url: &str,
    routes: &[Route],
    account: (&str, &str),
    concurrency: usize,
    seconds: f64,
) -> anyhow::Result<Soaked> {
    let before = exemplars(url).await?;
    let actions = Arc::new(mix(routes, account.0, account.1));
    let total_weight: u64 = actions.iter().map(|a| a.0).sum();
    let started = Instant::now();
    let until = started + Duration::from_secs_f64(seconds);
    let warm = Duration::from_secs_f64((seconds / 3.0).min(60.0));
    let addresses = Arc::new(AtomicU64::new(1));
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let (target, actions, addresses) = (target.clone(), actions.clone(), addresses.clone());
        workers.push(tokio::spawn(async move {
            let mut dice = Rng::new(worker as u64 + 1);
            let mut sender = load::connect(target.addr).await?;
            let mut latencies: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
            let (mut wrong, mut nominations) = (Vec::new(), 0u64);
            while Instant::now() < until {
                let mut pick = dice.below(total_weight);
                let action = actions
                    .iter()
                    .find(|(w, _)| {
                        let hit = pick < *w;
                        pick = pick.saturating_sub(*w);
                        hit
                    })
                    .map(|a| &a.1)
                    .unwrap_or(&actions[0].1);
                match perform(&mut sender, &target, action, &addresses).await {
                    Ok(Ok(took)) => {
                        if matches!(action, Action::Nominate) {
                            nominations += 1;
                        }
                        latencies
                            .entry(action.name().to_owned())
                            .or_default()
                            .push(took);
                    }
                    Ok(Err(what)) => wrong.push(what),
                    Err(e) => {
                        wrong.push(format!("{}: {e}", action.name()));
                        sender = load::connect(target.addr).await?;
                    }
                }
            }
            anyhow::Ok((latencies, wrong, nominations))
        }));
    }
    let sampler = {
        let pid = target.pid;
        tokio::spawn(async move {
            let (mut warm_kb, mut end_kb) = (0, 0);
            while Instant::now() < until {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let now = load::memory_kb(pid).0;
                if started.elapsed() <= warm {
                    warm_kb = now;
                }
                end_kb = now;
            }
            (warm_kb, end_kb)
        })
    };
    let mut soaked = Soaked {
        latencies: BTreeMap::new(),
        targets: actions
            .iter()
            .filter_map(|(_, a)| match a {
                Action::Route(r) => r.target_ms.map(|t| (r.name.clone(), t)),
                _ => None,
            })
            .collect(),
        wrong: Vec::new(),
        nominations: 0,
        rss_warm_kb: 0,
        rss_end_kb: 0,
        rss_peak_kb: 0,
    };
    for worker in workers {
        let (latencies, wrong, nominations) = worker.await??;
        for (name, mut l) in latencies {
            soaked.latencies.entry(name).or_default().append(&mut l);
        }
        soaked.wrong.extend(wrong);
        soaked.nominations += nominations;
    }
    (soaked.rss_warm_kb, soaked.rss_end_kb) = sampler.await?;
    soaked.rss_peak_kb = load::memory_kb(target.pid).1;
    let saved = exemplars(url).await? - before;
    if saved != soaked.nominations as i64 {
        soaked.wrong.push(format!(
            "{} nominations acknowledged, {saved} saved",
            soaked.nominations
        ));
    }
    Ok(soaked)
}

impl Soaked {
    /// Whether memory stayed flat after the warm-up: the end within a fifth (and 16 MB) of
    /// the warm server's.
    pub fn memory_flat(&self) -> bool {
        self.rss_end_kb as f64 <= self.rss_warm_kb as f64 * 1.2 + 16.0 * 1024.0
    }

    /// The report as Markdown: each kind's count and latencies against its target, then the
    /// totals, the memory and what was wrong.
    pub fn markdown(&self, database: &str, concurrency: usize, seconds: f64) -> String {
        let requests: usize = self.latencies.values().map(Vec::len).sum();
        let mut out = format!(
            "Soak, {database}, {concurrency} connections, {seconds:.0} s, {} — {requests} requests \
             ({:.0}/s), {} wrong answers\n\n\
             | Request | count | p50 ms | p95 ms | p99 ms | target (p50) |\n|---|---:|---:|---:|---:|---|\n",
            chrono::Local::now().format("%d/%m/%Y"),
            requests as f64 / seconds,
            self.wrong.len(),
        );
        for (name, latencies) in &self.latencies {
            let mut sorted = latencies.clone();
            sorted.sort();
            let at = |p: f64| {
                let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
                sorted[i].as_secs_f64() * 1000.0
            };
            let target = match self.targets.get(name) {
                Some(t) if at(0.5) > *t => format!("< {t} ms: MISSED"),
                Some(t) => format!("< {t} ms: met"),
                None => String::new(),
            };
            out.push_str(&format!(
                "| {name} | {} | {:.2} | {:.2} | {:.2} | {target} |\n",
                sorted.len(),
                at(0.5),
                at(0.95),
                at(0.99)
            ));
        }
        out.push_str(&format!(
            "\nServer memory: {:.0} MB when warm, {:.0} MB at the end, {:.0} MB at its peak ({}).\n",
            self.rss_warm_kb as f64 / 1024.0,
            self.rss_end_kb as f64 / 1024.0,
            self.rss_peak_kb as f64 / 1024.0,
            if self.memory_flat() { "flat" } else { "GREW" }
        ));
        out.push_str(&format!(
            "Nominations acknowledged and saved: {}.\n",
            self.nominations
        ));
        for wrong in self.wrong.iter().take(20) {
            out.push_str(&format!("- {wrong}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nomination_is_filled_from_the_form_as_shown() {
        let page = r#"<form><input type="radio" name="kind" value="ca_nhan"> Cá nhân
            <select id="unit" name="unit"><option value="">— Chọn —</option><option value="17">Phường 5</option></select>
            <select id="field" name="field"><option value="">— Chọn —</option><option value="kinh_te">Kinh tế</option><option value="cong_dong">Xây dựng khu dân cư, cộng đồng</option></select>
            <input type="hidden" name="expires" value="1700000000"><input type="hidden" name="token" value="abc">
            <label for="answer">7 cộng 5 bằng mấy?</label></form>"#;
        let body = nomination(page).expect("the form is read");
        let text = String::from_utf8_lossy(&body.bytes);
        for (name, value) in [
            ("kind", "ca_nhan"),
            ("unit", "17"),
            ("field", "kinh_te"),
            ("expires", "1700000000"),
            ("token", "abc"),
            ("answer", "12"),
        ] {
            assert!(
                text.contains(&format!("name=\"{name}\"\r\n\r\n{value}\r\n")),
                "{name}: {text}"
            );
        }
    }
}
