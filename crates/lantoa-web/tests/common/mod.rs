//! The web application in-process for tests, on a fresh database per backend (SQLite
//! always, PostgreSQL too when `LANTOA_TEST_POSTGRES_URL` is set, and then it must be
//! reachable), with the demo city and its accounts loaded. Requests carry the session of
//! the account the app is signed in as.
#![allow(dead_code, reason = "each test file uses part of the harness")]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use lantoa_store::Store;
use lantoa_store::demo::DemoAccount;
use lantoa_web::{AppState, build_router};
use sea_orm::ConnectionTrait;
use std::sync::Arc;
use tower::ServiceExt;

#[path = "../../../lantoa-store/tests/common/stale.rs"]
mod stale;

/// The application, signed in as one account (or nobody).
#[derive(Clone)]
pub struct TestApp {
    pub state: AppState,
    /// The SQL statements the app's store has run.
    pub statements: lantoa_store::StatementCount,
    pub backend: &'static str,
    /// The demo accounts with this run's passwords.
    pub accounts: Arc<Vec<DemoAccount>>,
    /// The session cookie sent with every request.
    pub cookie: Option<String>,
    /// An API token sent with every request.
    pub bearer: Option<String>,
    /// The client address the server sees.
    pub client_addr: Option<std::net::SocketAddr>,
    /// Where the database is, for a second server on it.
    database_url: String,
    _dir: Arc<tempfile::TempDir>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// The XML of the body of a Word document the reply carries.
    #[allow(dead_code)]
    pub fn docx_xml(&self) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&self.body)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name("word/document.xml").unwrap(),
            &mut text,
        )
        .unwrap();
        text
    }

    /// The value of the session cookie the reply sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix(&format!("{}=", lantoa_web::auth::SESSION_COOKIE)))
            .map(|v| v.split(';').next().unwrap_or_default().to_owned())
    }
}

impl TestApp {
    /// The app on each backend, signed in as the demo's system administrator.
    pub async fn each() -> Vec<TestApp> {
        let mut apps = Vec::new();
        for app in Self::each_anonymous().await {
            apps.push(app.signed_in_as("quantri").await);
        }
        apps
    }

    /// The app on each backend, signed in as nobody.
    pub async fn each_anonymous() -> Vec<TestApp> {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        let mut apps = vec![TestApp::ready(store, "sqlite", &url, dir).await];
        if let Ok(url) = std::env::var("LANTOA_TEST_POSTGRES_URL")
            && !url.is_empty()
        {
            let admin = Store::connect(&url)
                .await
                .expect("LANTOA_TEST_POSTGRES_URL is set: PostgreSQL must be reachable");
            stale::drop_stale_databases(&admin).await;
            let name = format!(
                "lantoa_web_{}_{}",
                std::process::id(),
                chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0)
            );
            admin
                .db()
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            let base = url
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .unwrap_or(url.clone());
            let url = format!("{base}/{name}");
            let store = Store::connect(&url).await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            apps.push(TestApp::ready(store, "postgres", &url, dir).await);
        }
        apps
    }

    /// Migrated, with the demo loaded and files kept in `dir`.
    async fn ready(
        store: Store,
        backend: &'static str,
        database_url: &str,
        dir: tempfile::TempDir,
    ) -> TestApp {
        let store = store.with_files(lantoa_store::files::Files::at(dir.path().join("files")));
        let (store, statements) = store.counting_statements();
        store.migrate().await.unwrap();
        lantoa_store::demo::load(store.db(), lantoa_web::today())
            .await
            .unwrap();
        // The city's 2024 figures, read once: their roll-ups are then kept up to date by
        // each test's writes, which `assert_counters_exact` checks.
        let city = lantoa_store::org::get_by_code(store.db(), "TU-MYTHO")
            .await
            .unwrap()
            .unwrap();
        let year = lantoa_domain::report::Period {
            first: 2024,
            last: 2024,
            half: false,
        };
        lantoa_store::report::figures(store.db(), &city, year, lantoa_web::today())
            .await
            .unwrap();
        let accounts = lantoa_store::demo::accounts(store.db()).await.unwrap();
        TestApp {
            state: AppState {
                // A debug build under the test suite's load may take more than the 3 s a
                // dashboard waits before it shows the progress of its count instead.
                dashboard_wait: std::time::Duration::from_secs(600),
                ..AppState::new(store)
            },
            statements,
            backend,
            accounts: Arc::new(accounts),
            cookie: None,
            bearer: None,
            client_addr: None,
            database_url: database_url.to_owned(),
            _dir: Arc::new(dir),
        }
    }

    /// A second server on the same database and files, with this app's session: what a
    /// load balancer sends the next request to.
    #[allow(dead_code)]
    pub async fn other_server(&self) -> TestApp {
        let store = Store::connect(&self.database_url)
            .await
            .unwrap()
            .with_files(lantoa_store::files::Files::at(
                self._dir.path().join("files"),
            ));
        let (store, statements) = store.counting_statements();
        TestApp {
            state: AppState {
                // A debug build under the test suite's load may take more than the 3 s a
                // dashboard waits before it shows the progress of its count instead.
                dashboard_wait: std::time::Duration::from_secs(600),
                ..AppState::new(store)
            },
            statements,
            ..self.clone()
        }
    }

    /// The same app with a new session of this demo account (made directly, without the
    /// sign-in form, so that tests need not hash passwords).
    pub async fn signed_in_as(&self, username: &str) -> TestApp {
        let account = self.account_id(username).await;
        let (_, token) = lantoa_store::sessions::start(
            self.state.store.db(),
            &lantoa_store::audit::Actor::system("test"),
            account,
            Some("test"),
            self.state.auth.lifetimes,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        TestApp {
            cookie: Some(token),
            bearer: None,
            ..self.clone()
        }
    }

    /// The same app and session served with other settings.
    #[allow(dead_code)]
    pub fn with_state(&self, state: AppState) -> TestApp {
        TestApp {
            state,
            ..self.clone()
        }
    }

    /// The same app with nobody signed in.
    pub fn anonymous(&self) -> TestApp {
        TestApp {
            cookie: None,
            bearer: None,
            ..self.clone()
        }
    }

    pub async fn account_id(&self, username: &str) -> i64 {
        lantoa_store::accounts::find_for_login(self.state.store.db(), username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {username}"))
            .id
    }

    /// A party member (the first by name) of the subtree of the unit with this code.
    pub async fn someone_of(&self, code: &str) -> lantoa_domain::PersonId {
        let db = self.state.store.db();
        let unit = lantoa_store::org::get_by_code(db, code)
            .await
            .unwrap()
            .unwrap();
        lantoa_store::people::search(
            db,
            &lantoa_store::people::PeopleFilter {
                scope: lantoa_store::org::Scope::Subtrees(vec![unit.subtree()]),
                status: Some(lantoa_domain::people::MemberStatus::Official),
                ..Default::default()
            },
            1,
            1,
        )
        .await
        .unwrap()
        .items[0]
            .id
    }

    /// Opens a campaign year with one topic (the demo has 2024 and 2025).
    pub async fn open_year(&self, year: i32) -> lantoa_store::campaign::CampaignYear {
        let db = self.state.store.db();
        let actor = lantoa_store::audit::Actor::cli();
        let id = lantoa_store::campaign::create_year(db, &actor, year, "Toàn khóa")
            .await
            .unwrap();
        lantoa_store::campaign::add_topic(db, &actor, id, &format!("Chuyên đề năm {year}"), "")
            .await
            .unwrap();
        lantoa_store::campaign::year(db, year).await.unwrap()
    }

    /// This run's password of a demo account.
    pub fn password(&self, username: &str) -> String {
        self.accounts
            .iter()
            .find(|a| a.username == username)
            .unwrap()
            .password
            .clone()
    }

    /// The same app with this session cookie.
    pub fn with_cookie(&self, cookie: Option<String>) -> TestApp {
        TestApp {
            cookie,
            bearer: None,
            ..self.clone()
        }
    }

    /// The same app calling from this address.
    pub fn calling_from(&self, addr: &str) -> TestApp {
        TestApp {
            client_addr: Some(format!("{addr}:50000").parse().unwrap()),
            ..self.clone()
        }
    }

    /// The same app calling with this API token and no cookie.
    pub fn with_token(&self, token: &str) -> TestApp {
        TestApp {
            cookie: None,
            bearer: Some(token.to_owned()),
            ..self.clone()
        }
    }

    pub async fn send(&self, mut request: Request<Body>) -> Reply {
        if let Some(addr) = self.client_addr {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        if let Some(cookie) = &self.cookie {
            request.headers_mut().append(
                header::COOKIE,
                format!("{}={cookie}", lantoa_web::auth::SESSION_COOKIE)
                    .parse()
                    .unwrap(),
            );
        }
        if let Some(token) = &self.bearer {
            request.headers_mut().insert(
                header::AUTHORIZATION,
                format!("Bearer {token}").parse().unwrap(),
            );
        }
        let response = build_router(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// The reply to a GET and how many SQL statements answering it ran.
    #[allow(dead_code)]
    pub async fn get_counting(&self, uri: &str) -> (Reply, u64) {
        let before = self.statements.get();
        let reply = self.get(uri).await;
        (reply, self.statements.get() - before)
    }

    pub async fn post_form(&self, uri: &str, form: &str) -> Reply {
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .unwrap();
        self.send(request).await
    }

    /// A form written as a query string ("a=1&b=x+y"), posted as multipart with a file
    /// if any: for forms that may bring a file.
    #[allow(dead_code)]
    pub async fn post_multipart(
        &self,
        uri: &str,
        form: &str,
        file: Option<(&str, &[u8])>,
    ) -> Reply {
        let pairs: Vec<(String, String)> = form
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k), decode(v))
            })
            .collect();
        let fields: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.send(multipart_form(uri, &fields, file)).await
    }

    pub async fn org_id(&self, code: &str) -> i64 {
        lantoa_store::org::get_by_code(self.state.store.db(), code)
            .await
            .unwrap()
            .unwrap()
            .id
            .0
    }
}

/// An upload of the import form.
pub fn multipart(kind: &str, name: &str, bytes: &[u8], options: &[&str]) -> Request<Body> {
    multipart_to("/quan-ly/nhap-du-lieu", kind, name, bytes, options)
}

/// An upload form posted to `uri`.
pub fn multipart_to(
    uri: &str,
    kind: &str,
    name: &str,
    bytes: &[u8],
    options: &[&str],
) -> Request<Body> {
    let mut fields = vec![("kind", kind)];
    fields.extend(options.iter().map(|o| (*o, "1")));
    multipart_form(uri, &fields, Some((name, bytes)))
}

/// A multipart form posted to `uri`: text fields (repeat a name for checkboxes) and a file
/// in the field `file`.
pub fn multipart_form(
    uri: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Request<Body> {
    let boundary = "lantoatestboundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    Request::post(uri)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// The signed-in member writes a plan of two concrete commitments for `year` and submits
/// it; returns the plan's page.
#[allow(dead_code)]
pub async fn submitted_plan(member: &TestApp, year: i32) -> String {
    let reply = member
        .post_form("/quan-ly/ke-hoach-cua-toi", &format!("year={year}"))
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    let edit = reply.location();
    let body = format!(
        "area_0=neu_guong&action_0=%C4%90i+%C4%91%E1%BA%A7u+v%E1%BA%ADn+%C4%91%E1%BB%99ng+ph%C3%A2n+lo%E1%BA%A1i+r%C3%A1c\
         &measure_0=C%E1%BA%A3+n%C4%83m&deadline_0=30%2F06%2F{year}\
         &area_1=nhiem_vu&action_1=Ho%C3%A0n+th%C3%A0nh+b%C3%A1o+c%C3%A1o+qu%C3%BD+%C4%91%C3%BAng+h%E1%BA%A1n\
         &measure_1=4+b%C3%A1o+c%C3%A1o&deadline_1=&then=nop"
    );
    let reply = member.post_form(&edit, &body).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text());
    edit.trim_end_matches("/sua").to_owned()
}

impl TestApp {
    /// The integer column `value` of the first row of a query (counts, ids).
    #[allow(dead_code)]
    pub async fn scalar(&self, query: &str) -> i64 {
        let db = self.state.store.db();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                query,
            ))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no row: {query}"));
        row.try_get::<Option<i64>>("", "value")
            .unwrap()
            .unwrap_or(0)
    }

    /// Phường 5 (DB-P5), the year 2024 and one of the ward's own 2024 sessions.
    #[allow(dead_code)]
    pub async fn ward_session(
        &self,
    ) -> (
        lantoa_store::org::Org,
        lantoa_store::campaign::CampaignYear,
        lantoa_store::study::Session,
    ) {
        let db = self.state.store.db();
        let ward = lantoa_store::org::get_by_code(db, "DB-P5")
            .await
            .unwrap()
            .unwrap();
        let year = lantoa_store::campaign::year(db, 2024).await.unwrap();
        let session = lantoa_store::study::sessions(db, &ward.subtree(), &year, 1, 50)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|s| s.org_id == ward.id)
            .unwrap();
        (ward, year, session)
    }

    /// Every roll-up equals a recount of the base rows (what `lantoa check counters`
    /// checks), and at least `keys` figures were kept: what write-heavy tests end with.
    #[allow(dead_code)]
    pub async fn assert_counters_exact(&self, keys: usize) {
        let (checked, differences) = lantoa_store::rollups::check(self.state.store.db())
            .await
            .unwrap();
        assert!(differences.is_empty(), "{}: {differences:#?}", self.backend);
        assert!(checked >= keys, "{}: {checked} keys", self.backend);
    }
}

/// The question's fields in a form page: (answer, expires, token).
#[allow(dead_code)]
pub fn solve(html: &str) -> (String, String, String) {
    let question = html
        .split("<label for=\"answer\">")
        .nth(1)
        .and_then(|rest| rest.split(" bằng mấy?").next())
        .unwrap_or_else(|| panic!("no question: {html}"));
    let (a, b) = question.split_once(" cộng ").unwrap();
    let answer = a.trim().parse::<i64>().unwrap() + b.trim().parse::<i64>().unwrap();
    let hidden = |name: &str| {
        html.split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned()
    };
    (answer.to_string(), hidden("expires"), hidden("token"))
}

/// A query-string value decoded: "+" is a space, "%XX" a byte.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("00");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A real JPEG photo of 64 × 48 pixels as a phone sends it, with an EXIF block that says
/// where it was taken ("GPS …").
pub fn phone_photo() -> Vec<u8> {
    use image::ImageEncoder;
    let pixels = image::RgbImage::from_pixel(64, 48, image::Rgb([30, 140, 60]));
    let mut exif = b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x01\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"GPS 10.3600 N 106.3600 E");
    let mut out = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new(&mut out);
    encoder.set_exif_metadata(exif).unwrap();
    encoder
        .write_image(pixels.as_raw(), 64, 48, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A real PNG of 16 × 16 pixels with bytes after its end ("GPS …") that a picture written
/// anew drops.
pub fn png_picture() -> Vec<u8> {
    let pixels = image::RgbImage::from_pixel(16, 16, image::Rgb([200, 30, 30]));
    let mut out = Vec::new();
    pixels
        .write_with_encoder(image::codecs::png::PngEncoder::new(&mut out))
        .unwrap();
    out.extend_from_slice(b"GPS 10.3600 N 106.3600 E");
    out
}

/// The size of the picture a reply serves, after checking that it was written anew (no
/// trace of what [`phone_photo`] and [`png_picture`] carry besides pixels) and is shown in
/// place.
pub fn served_picture(reply: &Reply) -> (u32, u32) {
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        !reply.body.windows(3).any(|w| w == b"GPS"),
        "the picture still carries its metadata"
    );
    let disposition = reply.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(disposition.starts_with("inline"), "{disposition}");
    let picture = image::load_from_memory(&reply.body).unwrap();
    (picture.width(), picture.height())
}
