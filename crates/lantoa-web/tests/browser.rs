//! The main journeys in a real browser: headless Chromium driven over WebDriver
//! (chromedriver, through fantoccini) against the real server on a loopback port, on a phone
//! (360×740) and a desktop (1280×900) viewport. Signing in; recording a study session and
//! its attendance; a member writing and submitting a plan and the ward approving it;
//! registering a model; a citizen nominating on the public site and staff verifying it; a
//! year-end report written and downloaded. Every page the journeys reach is checked with
//! axe-core, and a serious or critical violation fails the test. Each step's screenshot is
//! written to `target/e2e-screenshots/` for a person to look at.
//!
//! Needs `chromium` and `chromedriver` on the PATH (Debian `chromium chromium-driver`) and
//! axe-core's `axe.min.js` (`LANTOA_AXE_JS`, default `target/e2e/node_modules/axe-core/axe.min.js`,
//! which `npm install --prefix target/e2e axe-core` makes). Without them the test says so
//! and passes, unless `LANTOA_TEST_BROWSER` is set (as CI does): then it fails.

mod common;

use common::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::time::Duration;

/// How long a step may take to show what it should: a debug build beside the rest of the
/// test suite is slow, and a report is written by a job the page waits for.
const PATIENCE: Duration = Duration::from_secs(90);

/// A viewport the journeys run on.
#[derive(Clone, Copy)]
struct Viewport {
    name: &'static str,
    width: u32,
    height: u32,
}

const VIEWPORTS: [Viewport; 2] = [
    Viewport {
        name: "dien-thoai",
        width: 360,
        height: 740,
    },
    Viewport {
        name: "may-tinh",
        width: 1280,
        height: 900,
    },
];

/// The workspace's `target` folder.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// What the journeys need from the machine, or why it is missing.
struct Tools {
    axe: String,
}

fn tools() -> Result<Tools, String> {
    for program in ["chromium", "chromedriver"] {
        let found = std::process::Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            return Err(format!("{program} is not installed"));
        }
    }
    let axe = std::env::var_os("LANTOA_AXE_JS").map_or_else(
        || target_dir().join("e2e/node_modules/axe-core/axe.min.js"),
        PathBuf::from,
    );
    let axe =
        std::fs::read_to_string(&axe).map_err(|e| format!("axe-core at {}: {e}", axe.display()))?;
    Ok(Tools { axe })
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    process: std::process::Child,
    url: String,
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let process = std::process::Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Driver {
            process,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// One browser on one viewport, following one journey: it screenshots and checks each step.
struct Browser {
    client: Client,
    base: String,
    axe: std::sync::Arc<String>,
    shots: PathBuf,
    journey: &'static str,
    viewport: Viewport,
    step: usize,
}

impl Browser {
    async fn open(
        driver: &Driver,
        base: &str,
        axe: std::sync::Arc<String>,
        journey: &'static str,
        viewport: Viewport,
    ) -> Browser {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    format!("--window-size={},{}", viewport.width, viewport.height),
                    "--lang=vi-VN",
                ],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .expect("a Chromium session");
        // The window's inner size, as a phone's screen (the window adds no frame headless).
        client
            .set_window_size(viewport.width, viewport.height)
            .await
            .unwrap();
        let shots = target_dir().join("e2e-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Browser {
            client,
            base: base.to_owned(),
            axe,
            shots,
            journey,
            viewport,
            step: 0,
        }
    }

    async fn goto(&mut self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => self.fail(&format!("no «{css}» on the page: {e}")).await,
        }
    }

    /// Fails the journey, with a screenshot of the page it stopped on.
    async fn fail(&self, why: &str) -> ! {
        if let Ok(png) = self.client.screenshot().await {
            let name = format!("{}-{}-LOI.png", self.journey, self.viewport.name);
            let _ = std::fs::write(self.shots.join(name), png);
        }
        let path = self.client.current_url().await.map(|u| u.to_string());
        let errors = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll('.error, .notice'))
                   .map(e => e.textContent.trim()).join(' | ');",
                Vec::new(),
            )
            .await;
        panic!(
            "{} on {}: {why} (at {path:?}; the page says {errors:?})",
            self.journey, self.viewport.name
        )
    }

    /// Types into the field named `name` (its earlier text cleared).
    async fn fill(&self, name: &str, value: &str) {
        let field = self.find(&format!("[name=\"{name}\"]")).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Chooses an option of the select named `name` by its value.
    async fn select(&self, name: &str, value: &str) {
        self.find(&format!("select[name=\"{name}\"]"))
            .await
            .select_by_value(value)
            .await
            .unwrap();
    }

    /// Chooses the first real option (after "— Chọn —") of the select named `name`.
    async fn select_first(&self, name: &str) {
        self.find(&format!("select[name=\"{name}\"]"))
            .await
            .select_by_index(1)
            .await
            .unwrap();
    }

    /// Ticks the checkbox or radio button matched by `css` (as a click on it would; a
    /// WebDriver click on a small box inside its label does not always land on the box).
    async fn tick(&self, css: &str) {
        let element = self.find(css).await;
        self.client
            .execute(
                "arguments[0].checked = true; arguments[0].dispatchEvent(new Event('change'));",
                vec![serde_json::to_value(&element).unwrap()],
            )
            .await
            .unwrap();
    }

    /// Clicks the button whose text is `label`.
    async fn press(&self, label: &str) {
        let button = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&format!(
                "//button[normalize-space()='{label}']"
            )))
            .await;
        match button {
            Ok(button) => button.click().await.unwrap(),
            Err(e) => self.fail(&format!("no button «{label}»: {e}")).await,
        }
    }

    async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// Screenshots the page and runs axe-core on it: serious or critical violations fail.
    async fn check(&mut self, what: &str) {
        self.step += 1;
        let png = self.client.screenshot().await.unwrap();
        let file = self.shots.join(format!(
            "{}-{}-{:02}-{what}.png",
            self.journey, self.viewport.name, self.step
        ));
        std::fs::write(&file, png).unwrap();
        // No step of a journey should leave a form with errors.
        let errors = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll('p.error, .errors li'))
                   .map(e => e.textContent.trim()).filter(t => t).join(' | ');",
                Vec::new(),
            )
            .await
            .unwrap();
        if errors.as_str().is_some_and(|e| !e.is_empty()) {
            self.fail(&format!("{what}: the form says {errors}")).await;
        }
        self.client
            .execute(&self.axe, Vec::new())
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                   r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' +
                       v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | '))));",
                Vec::new(),
            )
            .await
            .expect("axe-core runs");
        let violations: Vec<String> = serde_json::from_value(found).unwrap_or_default();
        assert!(
            violations.is_empty(),
            "{} on {} ({}), {}: accessibility violations:\n{}",
            self.journey,
            self.viewport.name,
            what,
            self.path().await,
            violations.join("\n")
        );
    }

    async fn sign_in(&mut self, app: &TestApp, username: &str) {
        self.sign_in_with(username, &app.password(username)).await;
    }

    async fn sign_in_with(&mut self, username: &str, password: &str) {
        self.goto("/dang-nhap").await;
        self.check("dang-nhap").await;
        self.fill("ten", username).await;
        self.fill("mat_khau", password).await;
        self.press("Đăng nhập").await;
        self.find("form[action=\"/dang-xuat\"]").await;
    }

    async fn close(self) {
        self.client.close().await.unwrap();
    }
}

/// Waits (up to [`PATIENCE`]) for a count to reach what a step should have saved: a click
/// returns before the page it submits has been answered.
async fn saved(app: &TestApp, query: &str, expected: i64, what: &str) {
    let mut found = 0;
    for _ in 0..PATIENCE.as_millis() / 200 {
        found = app.scalar(query).await;
        if found == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{what}: {found} instead of {expected} ({query})");
}

/// The demo's DB-P5 ward id.
async fn ward(app: &TestApp) -> i64 {
    app.org_id("DB-P5").await
}

async fn record_a_session(app: &TestApp, b: &mut Browser, title: &str) {
    b.sign_in(app, "canbo.p5").await;
    b.check("tong-quan").await;
    b.goto("/quan-ly/hoc-tap/buoi/moi?year=2025").await;
    b.check("buoi-moi").await;
    b.fill("title", title).await;
    b.fill("date", "15/10/2025").await;
    b.fill("starts", "07:30").await;
    b.fill("ends", "11:00").await;
    b.tick("input[name=\"format\"]").await;
    b.tick("input[name=\"topics\"]").await;
    b.fill("place", "Hội trường Đảng ủy Phường 5").await;
    b.press("Lưu").await;
    b.find("select[name^=\"m_\"]").await;
    b.check("buoi-hoc").await;
    // The first person on the roster is absent; the rest stay as marked.
    b.find("select[name^=\"m_\"]")
        .await
        .select_by_value("vang")
        .await
        .unwrap();
    b.press("Lưu điểm danh").await;
    b.find("select[name^=\"m_\"]").await;
    b.check("da-diem-danh").await;
    saved(
        app,
        &format!(
            "SELECT COUNT(*) AS value FROM attendance a JOIN study_sessions s ON s.id = a.session_id \
             WHERE s.title = '{title}' AND a.status = 'vang'"
        ),
        1,
        "the absence",
    )
    .await;
}

/// A member account of cell DB-P5-CB1 for each viewport (a member writes one plan a year):
/// the demo's own, and one made here for another member of the cell.
async fn member_account(app: &TestApp, viewport: usize) -> (String, String) {
    if viewport == 0 {
        return ("dangvien.p5".into(), app.password("dangvien.p5"));
    }
    let db = app.state.store.db();
    let person = app
        .scalar(
            "SELECT p.id AS value FROM people p JOIN orgs o ON o.id = p.org_id \
             WHERE o.code = 'DB-P5-CB1' AND p.member_status = 'chinh_thuc' \
             AND p.id NOT IN (SELECT person_id FROM accounts WHERE person_id IS NOT NULL) \
             ORDER BY p.id LIMIT 1",
        )
        .await;
    let password = "Hoc-tap-lam-theo-2026".to_owned();
    lantoa_store::accounts::create(
        db,
        &lantoa_store::audit::Actor::system("test"),
        "dangvien2.p5",
        &lantoa_store::accounts::hash_password(&password).unwrap(),
        Some(person),
        &[lantoa_store::accounts::Grant {
            org_id: Some(lantoa_domain::OrgId(app.org_id("DB-P5-CB1").await)),
            role: lantoa_domain::accounts::Role::Member,
        }],
    )
    .await
    .unwrap();
    ("dangvien2.p5".into(), password)
}

async fn plan_submitted_and_approved(
    app: &TestApp,
    driver: &Driver,
    base: &str,
    axe: &std::sync::Arc<String>,
    viewport: Viewport,
    account: (String, String),
) {
    let mut member = Browser::open(driver, base, axe.clone(), "ke-hoach-dang-vien", viewport).await;
    member.sign_in_with(&account.0, &account.1).await;
    member.goto("/quan-ly/ke-hoach-cua-toi?year=2026").await;
    member.check("ke-hoach-cua-toi").await;
    member.press("Lập kế hoạch năm 2026").await;
    member.find("[name=\"action_0\"]").await;
    member.check("viet-ke-hoach").await;
    member.select("area_0", "neu_guong").await;
    member
        .fill("action_0", "Đi đầu vận động phân loại rác ở khu phố")
        .await;
    member.fill("measure_0", "Cả năm").await;
    member.fill("deadline_0", "31/12/2026").await;
    member.press("Lưu và nộp").await;
    member.find("form[action$=\"/buoc\"], .notice").await;
    member.check("da-nop").await;
    let plan = member.path().await;
    member.close().await;
    let state = |state: &'static str| {
        format!(
            "SELECT COUNT(*) AS value FROM plans p JOIN accounts a ON a.person_id = p.person_id \
             JOIN campaign_years y ON y.id = p.year_id \
             WHERE a.username = '{}' AND y.year = 2026 AND p.state = '{state}'",
            account.0
        )
    };
    saved(app, &state("da_nop"), 1, viewport.name).await;

    let mut ward = Browser::open(driver, base, axe.clone(), "ke-hoach-duyet", viewport).await;
    ward.sign_in(app, "canbo.p5").await;
    ward.goto(plan.trim_end_matches("/sua")).await;
    ward.check("xem-ke-hoach").await;
    ward.press("Duyệt kế hoạch").await;
    ward.find("h1").await;
    ward.check("da-duyet").await;
    ward.close().await;
    saved(app, &state("da_duyet"), 1, viewport.name).await;
}

async fn register_a_model(app: &TestApp, b: &mut Browser, name: &str) {
    b.sign_in(app, "canbo.p5").await;
    b.goto("/quan-ly/mo-hinh/moi").await;
    b.check("mo-hinh-moi").await;
    b.fill("name", name).await;
    b.select_first("sector").await;
    b.select_first("category").await;
    b.fill("started_on", "01/03/2026").await;
    b.fill("carriers", "Chi bộ Khu phố 1").await;
    b.fill(
        "description",
        "Mỗi tuần một buổi nhặt rác, trồng cây dọc bờ sông.",
    )
    .await;
    b.fill("goals", "100% hộ dân tham gia; 2 km bờ sông sạch rác")
        .await;
    b.press("Lưu mô hình").await;
    b.find("h1").await;
    b.check("da-luu-mo-hinh").await;
    saved(
        app,
        &format!("SELECT COUNT(*) AS value FROM models WHERE name = '{name}'"),
        1,
        "the model",
    )
    .await;
}

async fn nominate_and_verify(
    app: &TestApp,
    driver: &Driver,
    base: &str,
    axe: &std::sync::Arc<String>,
    viewport: Viewport,
    name: &str,
) {
    let mut citizen = Browser::open(driver, base, axe.clone(), "de-cu-nguoi-dan", viewport).await;
    citizen.goto("/").await;
    citizen.check("trang-chu").await;
    citizen.goto("/de-cu").await;
    citizen.check("de-cu").await;
    citizen
        .tick("input[name=\"kind\"][value=\"ca_nhan\"]")
        .await;
    citizen.fill("name", name).await;
    citizen
        .fill("about", "Bán hàng ở chợ, nhà ở khu phố 2")
        .await;
    citizen.select("unit", &ward(app).await.to_string()).await;
    citizen.select("field", "cong_dong").await;
    citizen
        .fill(
            "achievement",
            "Nhiều năm nhặt được của rơi trả lại người mất, giúp người già neo đơn.",
        )
        .await;
    citizen.fill("nominator_name", "Trần Văn Bình").await;
    citizen.fill("nominator_contact", "0912345678").await;
    let question = citizen
        .find("label[for=\"answer\"]")
        .await
        .text()
        .await
        .unwrap();
    let numbers: Vec<i64> = question
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    citizen
        .fill("answer", &numbers.iter().sum::<i64>().to_string())
        .await;
    citizen.press("Gửi đề cử").await;
    citizen.find("[role=\"status\"]").await;
    citizen.check("da-gui").await;
    citizen.close().await;

    let mut staff = Browser::open(driver, base, axe.clone(), "de-cu-xac-minh", viewport).await;
    staff.sign_in(app, "canbo.p5").await;
    staff.goto("/quan-ly/guong-dien-hinh").await;
    staff.check("danh-sach-guong").await;
    staff
        .client
        .find(Locator::LinkText(name))
        .await
        .unwrap_or_else(|e| panic!("the nomination «{name}» is listed: {e}"))
        .click()
        .await
        .unwrap();
    staff.find("h1").await;
    staff.check("de-cu-moi").await;
    staff.press("Xác minh đúng sự thật").await;
    staff.find("h1").await;
    staff.check("da-xac-minh").await;
    staff.close().await;
    saved(
        app,
        &format!(
            "SELECT COUNT(*) AS value FROM exemplars WHERE name = '{name}' AND state = 'xac_minh'"
        ),
        1,
        "the verified nomination",
    )
    .await;
}

async fn write_and_download_the_report(app: &TestApp, b: &mut Browser) {
    b.sign_in(app, "lanhdao.thanhuy").await;
    b.goto("/quan-ly/bao-cao?ky=2024").await;
    b.check("bao-cao").await;
    b.press("Lập bản Word (.docx)").await;
    // The job page refreshes itself until the file is written.
    let link = b.find("a[href$=\"/tep\"]").await;
    b.check("bao-cao-xong").await;
    let href = link.attr("href").await.unwrap().unwrap();
    let fetched = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer().then(body => done([
               r.status, r.headers.get('content-disposition') || '',
               Array.from(new Uint8Array(body.slice(0, 4))), body.byteLength])));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    let (status, disposition, magic, size): (u16, String, Vec<u8>, u64) =
        serde_json::from_value(fetched).unwrap();
    assert_eq!(status, 200);
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains(".docx"), "{disposition}");
    assert_eq!(magic, b"PK\x03\x04", "a Word file");
    assert!(size > 10_000, "{size} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_journeys_work_in_a_real_browser_on_a_phone_and_a_desktop() {
    let tools = match tools() {
        Ok(tools) => tools,
        Err(missing) if std::env::var_os("LANTOA_TEST_BROWSER").is_none() => {
            eprintln!("browser journeys skipped: {missing}");
            return;
        }
        Err(missing) => panic!("LANTOA_TEST_BROWSER is set: {missing}"),
    };
    let app = TestApp::each_anonymous().await.remove(0);
    // The year members write their plans for (the demo's last year has them all).
    app.open_year(2026).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = app.state.clone();
    tokio::spawn(async move {
        lantoa_web::serve(listener, state, std::future::pending())
            .await
            .unwrap();
    });
    let driver = Driver::start().await;
    let axe = std::sync::Arc::new(tools.axe);
    let _ = std::fs::remove_dir_all(target_dir().join("e2e-screenshots"));

    for (i, viewport) in VIEWPORTS.into_iter().enumerate() {
        let titles = [
            "Sinh hoạt chuyên đề tháng Mười",
            "Hội nghị học tập tháng Mười",
        ];
        let mut b =
            Browser::open(&driver, &base, axe.clone(), "dang-nhap-buoi-hoc", viewport).await;
        record_a_session(&app, &mut b, titles[i]).await;
        b.close().await;

        let member = member_account(&app, i).await;
        plan_submitted_and_approved(&app, &driver, &base, &axe, viewport, member).await;

        let models = ["Tuyến đường xanh sạch đẹp", "Khu phố không rác thải nhựa"];
        let mut b = Browser::open(&driver, &base, axe.clone(), "mo-hinh", viewport).await;
        register_a_model(&app, &mut b, models[i]).await;
        b.close().await;

        let names = ["Lê Thị Thu Hà", "Phạm Văn Hùng"];
        nominate_and_verify(&app, &driver, &base, &axe, viewport, names[i]).await;

        let mut b = Browser::open(&driver, &base, axe.clone(), "bao-cao", viewport).await;
        write_and_download_the_report(&app, &mut b).await;
        b.close().await;
    }
}
