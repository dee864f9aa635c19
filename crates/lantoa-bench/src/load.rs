//! Driving one route: keep-alive HTTP/1.1 connections of our own (hyper's client
//! connection, no pool), each sending the same request again and again until the time is
//! up; the latencies, the requests per second, the failures, and the server's memory
//! sampled meanwhile.

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// A request the benchmark repeats.
#[derive(Debug, Clone)]
pub struct Route {
    /// What it measures, for the table.
    pub name: String,
    pub method: hyper::Method,
    pub path: String,
    /// What a POST sends.
    pub body: Option<Body>,
    /// Headers beyond the session cookie and the same-origin marks (a proxy's
    /// `X-Forwarded-For`).
    pub headers: Vec<(&'static str, String)>,
    /// The status a correct answer has.
    pub expect: StatusCode,
    /// The p50 latency it should stay under at this scale, in ms (issue 9's targets).
    pub target_ms: Option<f64>,
    /// Text in an answer that is not the page yet but says it is being prepared (a
    /// dashboard counting its figures for the first time reloads itself): the benchmark asks
    /// again until the real page comes, and counts such an answer as a failure once warm.
    pub pending: Option<&'static str>,
}

impl Route {
    /// Whether an answer is the one this route should give: the expected status, and not
    /// the page that says it is still being prepared.
    fn answered(&self, status: StatusCode, body: &[u8]) -> bool {
        status == self.expect
            && self
                .pending
                .is_none_or(|marker| !body.windows(marker.len()).any(|w| w == marker.as_bytes()))
    }
}

/// A request's body and its content type.
#[derive(Debug, Clone)]
pub struct Body {
    pub content_type: String,
    pub bytes: Bytes,
}

impl Body {
    /// An urlencoded form.
    pub fn form(form: impl Into<String>) -> Self {
        Self {
            content_type: "application/x-www-form-urlencoded".into(),
            bytes: Bytes::from(form.into()),
        }
    }

    /// A multipart form of text fields and one file (name of the field, file name, bytes),
    /// as a browser sends an upload; a file input left empty is sent with no name or bytes.
    pub fn multipart(fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> Self {
        let boundary = "----lantoa-bench-7f3a9c";
        let mut bytes = Vec::new();
        for (name, value) in fields {
            bytes.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (field, file_name, content) = file;
        bytes.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        bytes.extend_from_slice(content);
        bytes.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        Self {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            bytes: Bytes::from(bytes),
        }
    }
}

/// A server's answer to one request.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub took: Duration,
    pub body: Bytes,
    /// Where a redirect points.
    pub location: Option<String>,
}

/// What one route's run measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Measured {
    pub name: String,
    pub path: String,
    pub requests: usize,
    pub failures: usize,
    /// The first request of the route, before the warm-up, in ms.
    pub first_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub per_second: f64,
    /// The server's largest resident memory seen during the run, in MB.
    pub rss_mb: f64,
    pub target_ms: Option<f64>,
}

impl Measured {
    /// Whether its p50 misses its target; a route of which no request finished within the
    /// measured seconds misses it too.
    pub fn missed(&self) -> bool {
        self.target_ms
            .is_some_and(|t| self.requests == 0 || self.p50_ms > t)
    }
}

/// Where to send requests and as whom.
#[derive(Debug, Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub cookie: String,
    /// The server's process, whose memory is sampled.
    pub pid: u32,
}

pub type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// A keep-alive connection to the server.
pub async fn connect(addr: SocketAddr) -> anyhow::Result<Sender> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// Sends one request on a connection and reads the whole answer.
pub async fn send(sender: &mut Sender, target: &Target, route: &Route) -> anyhow::Result<Answer> {
    let mut request = Request::builder()
        .method(route.method.clone())
        .uri(&route.path)
        .header(hyper::header::HOST, target.addr.to_string())
        .header(hyper::header::COOKIE, &target.cookie)
        // The server refuses cross-site writes; a same-origin form says where it is from.
        .header("sec-fetch-site", "same-origin")
        .header(hyper::header::ORIGIN, format!("http://{}", target.addr));
    for (name, value) in &route.headers {
        request = request.header(*name, value);
    }
    let body = match &route.body {
        Some(body) => {
            request = request.header(hyper::header::CONTENT_TYPE, &body.content_type);
            Full::new(body.bytes.clone())
        }
        None => Full::new(Bytes::new()),
    };
    let started = Instant::now();
    sender.ready().await?;
    let response = sender.send_request(request.body(body)?).await?;
    let status = response.status();
    let location = response
        .headers()
        .get(hyper::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.into_body().collect().await?.to_bytes();
    Ok(Answer {
        status,
        took: started.elapsed(),
        body,
        location,
    })
}

/// Sends a route until it gives its real answer (a page still being prepared is asked for
/// again, as its refresh would): the last status and the time from the first request.
pub async fn send_until_answered(
    sender: &mut Sender,
    target: &Target,
    route: &Route,
) -> anyhow::Result<(StatusCode, Duration)> {
    let started = Instant::now();
    loop {
        let answer = send(sender, target, route).await?;
        if answer.status != route.expect || route.answered(answer.status, &answer.body) {
            return Ok((answer.status, started.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The server's resident memory now and at its peak, in kB (Linux `/proc`).
pub fn memory_kb(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Runs a route with `concurrency` connections for `seconds` after a short warm-up.
pub async fn run(
    target: &Target,
    route: &Route,
    concurrency: usize,
    seconds: f64,
) -> anyhow::Result<Measured> {
    let mut senders = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        senders.push(connect(target.addr).await?);
    }
    // The first request alone, however long it takes: on a fresh dataset it counts the
    // page's figures for the first time (the roll-ups), which no later request repeats. A
    // page that shows the count's progress meanwhile is followed until its figures come.
    let (status, first) = send_until_answered(&mut senders[0], target, route).await?;
    anyhow::ensure!(status == route.expect, "{}: {status}", route.name);
    // Warm-up: a second of traffic not counted.
    let warm_until = Instant::now() + Duration::from_secs(1);
    let until = warm_until + Duration::from_secs_f64(seconds);
    let sampler = {
        let pid = target.pid;
        tokio::spawn(async move {
            let mut peak = 0;
            while Instant::now() < until {
                peak = peak.max(memory_kb(pid).0);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            peak
        })
    };
    let mut tasks = Vec::with_capacity(concurrency);
    for mut sender in senders {
        let (target, route) = (target.clone(), route.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            loop {
                let now = Instant::now();
                if now >= until {
                    break;
                }
                match send(&mut sender, &target, &route).await {
                    Ok(answer) if now >= warm_until => {
                        latencies.push(answer.took);
                        if !route.answered(answer.status, &answer.body) {
                            failures += 1;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => {
                        failures += 1;
                        match connect(target.addr).await {
                            Ok(s) => sender = s,
                            Err(_) => break,
                        }
                    }
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures += f;
    }
    let peak_kb = sampler.await?;
    Ok(measured(
        route, latencies, failures, first, seconds, peak_kb,
    ))
}

/// Sends `route` again and again on one connection while `long` (on another) is answered:
/// what a user waits for while the server does something long, such as counting the top
/// dashboard's figures for the first time on a fresh dataset. The result's first request
/// is `long`'s.
pub async fn run_while(target: &Target, route: &Route, long: &Route) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let long_request = {
        let mut sender = connect(target.addr).await?;
        let (target, long) = (target.clone(), long.clone());
        tokio::spawn(async move { send_until_answered(&mut sender, &target, &long).await })
    };
    let mut sender = connect(target.addr).await?;
    let (mut latencies, mut failures, mut peak_kb) = (Vec::new(), 0, 0);
    while !long_request.is_finished() {
        match send(&mut sender, target, route).await {
            Ok(answer) => {
                latencies.push(answer.took);
                if !route.answered(answer.status, &answer.body) {
                    failures += 1;
                }
            }
            Err(_) => {
                failures += 1;
                sender = connect(target.addr).await?;
            }
        }
        peak_kb = peak_kb.max(memory_kb(target.pid).0);
    }
    let (status, took) = long_request.await??;
    anyhow::ensure!(status == long.expect, "{}: {status}", long.name);
    let mut measured = measured(
        route,
        latencies,
        failures,
        took,
        started.elapsed().as_secs_f64(),
        peak_kb,
    );
    measured.name = format!("{}, while {}", route.name, long.name);
    Ok(measured)
}

/// A route's figures from its latencies over `seconds`.
fn measured(
    route: &Route,
    mut latencies: Vec<Duration>,
    failures: usize,
    first: Duration,
    seconds: f64,
    peak_kb: u64,
) -> Measured {
    latencies.sort();
    Measured {
        name: route.name.clone(),
        path: route.path.clone(),
        requests: latencies.len(),
        failures,
        first_ms: first.as_secs_f64() * 1000.0,
        p50_ms: percentile(&latencies, 0.50),
        p95_ms: percentile(&latencies, 0.95),
        p99_ms: percentile(&latencies, 0.99),
        per_second: latencies.len() as f64 / seconds,
        rss_mb: peak_kb as f64 / 1024.0,
        target_ms: route.target_ms,
    }
}

/// Signs in through the form and returns the session cookie.
pub async fn sign_in(target: &Target, username: &str, password: &str) -> anyhow::Result<String> {
    let mut sender = connect(target.addr).await?;
    let form = format!("ten={username}&mat_khau={password}&tiep=");
    let request = Request::builder()
        .method(hyper::Method::POST)
        .uri("/dang-nhap")
        .header(hyper::header::HOST, target.addr.to_string())
        .header("sec-fetch-site", "same-origin")
        .header(hyper::header::ORIGIN, format!("http://{}", target.addr))
        .header(
            hyper::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(Full::new(Bytes::from(form)))?;
    let response = sender.send_request(request).await?;
    anyhow::ensure!(
        response.status() == StatusCode::SEE_OTHER,
        "sign-in answered {}",
        response.status()
    );
    response
        .headers()
        .get_all(hyper::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("lantoa_phien="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .context("sign-in set no session cookie")
}

/// Waits until the server answers its health check.
pub async fn wait_ready(addr: SocketAddr) -> anyhow::Result<()> {
    let target = Target {
        addr,
        cookie: String::new(),
        pid: 0,
    };
    let health = Route {
        name: "health".into(),
        method: hyper::Method::GET,
        path: "/healthz".into(),
        body: None,
        headers: Vec::new(),
        expect: StatusCode::OK,
        target_ms: None,
        pending: None,
    };
    for _ in 0..300 {
        if let Ok(mut sender) = connect(addr).await
            && let Ok(Answer {
                status: StatusCode::OK,
                ..
            }) = send(&mut sender, &target, &health).await
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the server did not answer /healthz within 30 s")
}
