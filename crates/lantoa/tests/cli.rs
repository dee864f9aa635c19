//! The `lantoa` binary as users run it: imports with their exit codes and error files,
//! exports, the synthetic generator, and a server that stops cleanly on SIGTERM. Runs on
//! SQLite, and on PostgreSQL too when `LANTOA_TEST_POSTGRES_URL` is set.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use unicode_normalization::UnicodeNormalization;

/// The command with its database and quiet logs.
fn command(url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lantoa"));
    command
        .args(args)
        .env("LANTOA_DATABASE_URL", url)
        .env("LANTOA_LOG", "warn");
    command
}

fn lantoa(url: &str, args: &[&str]) -> Output {
    command(url, args).output().expect("lantoa runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh database URL per call: a SQLite file in `dir`, or a new PostgreSQL database.
fn databases(dir: &Path, name: &str) -> Vec<String> {
    let mut urls = vec![format!(
        "sqlite://{}",
        dir.join(format!("{name}.db")).display()
    )];
    if let Ok(admin) = std::env::var("LANTOA_TEST_POSTGRES_URL")
        && !admin.is_empty()
    {
        let db = format!("lantoa_cli_{name}_{}", std::process::id());
        let status = Command::new("psql")
            .arg(&admin)
            .args([
                "-qc",
                &format!("DROP DATABASE IF EXISTS {db}"),
                "-c",
                &format!("CREATE DATABASE {db}"),
            ])
            .status()
            .expect("LANTOA_TEST_POSTGRES_URL is set: psql must run");
        assert!(
            status.success(),
            "LANTOA_TEST_POSTGRES_URL is set: PostgreSQL must be reachable"
        );
        let base = admin
            .rsplit_once('/')
            .map(|(b, _)| b.to_owned())
            .unwrap_or(admin.clone());
        urls.push(format!("{base}/{db}"));
    }
    urls
}

const ORGS_CSV: &str = "Mã đơn vị,Tên đơn vị,Loại đơn vị,Lĩnh vực,Mã đơn vị cấp trên\n\
    TU,Thành ủy,Đảng bộ cấp huyện,,\n\
    DB1,Đảng bộ Phường 1,dang bo co so,phuong xa,TU\n\
    CB1,Chi bộ Khu phố 1,Chi bộ trực thuộc,Phường xã,DB1\n";

#[test]
fn imports_report_rows_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "imports") {
        let orgs = dir.path().join("orgs.csv");
        std::fs::write(&orgs, ORGS_CSV).unwrap();
        let out = lantoa(&url, &["import", "orgs", orgs.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{url}: {}", stdout(&out));
        assert!(stdout(&out).contains("tạo mới 3"), "{}", stdout(&out));

        // NFD text, every date format, a title above the header, one bad row.
        let nfd: String = "Nguyễn Văn Đức".nfd().collect();
        let people = format!(
            "DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU PHỐ 1\n\
             \n\
             STT;HỌ TÊN;Ngày sinh;Đối tượng;Tình trạng;Ngày vào Đảng;Số thẻ;Chi bộ\n\
             1;{nfd};02/09/1975;Đảng viên;Chính thức;19-05-2000;1001;CB1\n\
             2;Lê Thị Hoa;2/9/1980;Đảng viên;Dự bị;2026-01-15;1002;cb1\n\
             3;Trần Văn Ba;1985-03-04;Người dân;;;;CB1\n\
             4;Phạm Thị Tư;31/02/1980;Đảng viên;;;1001;NOPE\n"
        );
        let file = dir.path().join("people.csv");
        std::fs::write(&file, people).unwrap();
        let errors = dir.path().join("loi.xlsx");
        let out = lantoa(
            &url,
            &[
                "import",
                "people",
                file.to_str().unwrap(),
                "--errors",
                errors.to_str().unwrap(),
            ],
        );
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(1), "{url}: {text}");
        assert!(
            text.contains("Dòng 7:")
                && text.contains("không tồn tại")
                && text.contains("NOPE")
                && text.contains("trùng với dòng 4"),
            "{text}"
        );
        assert!(text.contains("Chưa ghi gì"), "all or nothing: {text}");
        assert!(errors.exists(), "rejected rows written");

        let dry = lantoa(
            &url,
            &[
                "import",
                "people",
                file.to_str().unwrap(),
                "--dry-run",
                "--skip-invalid",
            ],
        );
        assert_eq!(dry.status.code(), Some(1));
        let out = lantoa(
            &url,
            &["import", "people", file.to_str().unwrap(), "--skip-invalid"],
        );
        assert!(
            stdout(&out).contains("tạo mới 3") && stdout(&out).contains("Đã ghi"),
            "{}",
            stdout(&out)
        );
        let again = lantoa(
            &url,
            &["import", "people", file.to_str().unwrap(), "--skip-invalid"],
        );
        assert!(
            stdout(&again).contains("tạo mới 0, cập nhật 0, không đổi 3"),
            "re-import: {}",
            stdout(&again)
        );

        let export = dir.path().join("export.csv");
        let out = lantoa(
            &url,
            &[
                "export",
                "people",
                "--org",
                "db1",
                "-o",
                export.to_str().unwrap(),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        let exported = std::fs::read_to_string(&export).unwrap();
        assert!(
            exported.contains("Nguyễn Văn Đức") && exported.contains("02/09/1975"),
            "NFC on the way out: {exported}"
        );

        let missing = lantoa(&url, &["import", "people", "/nonexistent.xlsx"]);
        assert_eq!(missing.status.code(), Some(2));
        let no_column = dir.path().join("bad.csv");
        std::fs::write(&no_column, "Họ và tên,Ngày sinh\nAn,01/01/1980\n").unwrap();
        let out = lantoa(&url, &["import", "people", no_column.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("Mã đơn vị"));
    }
}

#[test]
fn a_large_file_imports_in_one_go() {
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "large") {
        let orgs = dir.path().join("orgs.csv");
        std::fs::write(&orgs, ORGS_CSV).unwrap();
        assert_eq!(
            lantoa(&url, &["import", "orgs", orgs.to_str().unwrap()])
                .status
                .code(),
            Some(0)
        );
        let mut csv = String::from("Họ và tên,Ngày sinh,Đối tượng,Mã đơn vị\n");
        for i in 0..20_000 {
            csv.push_str(&format!(
                "Người Thứ {},{:02}/{:02}/{},Người dân,CB1\n",
                to_words(i),
                i % 28 + 1,
                i % 12 + 1,
                1940 + i % 60
            ));
        }
        let file = dir.path().join("big.csv");
        std::fs::write(&file, csv).unwrap();
        let out = lantoa(&url, &["import", "people", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(stdout(&out).contains("tạo mới 20.000"), "{}", stdout(&out));
    }
}

/// Names may not hold digits, so numbers are spelled with letters.
fn to_words(mut n: usize) -> String {
    let letters = ["A", "B", "C", "D", "E", "G", "H", "K", "L", "M"];
    let mut out = String::new();
    loop {
        out.push_str(letters[n % 10]);
        n /= 10;
        if n == 0 {
            return out;
        }
    }
}

#[test]
fn generate_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let mut exports = Vec::new();
    for name in ["one", "two"] {
        let url = format!(
            "sqlite://{}",
            dir.path().join(format!("{name}.db")).display()
        );
        let out = lantoa(&url, &["generate", "--people", "500", "--seed", "9"]);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(stdout(&out).contains("500 người"));
        let file = dir.path().join(format!("{name}.csv"));
        assert_eq!(
            lantoa(
                &url,
                &[
                    "export",
                    "people",
                    "--org",
                    "G9",
                    "-o",
                    file.to_str().unwrap()
                ]
            )
            .status
            .code(),
            Some(0)
        );
        exports.push(std::fs::read(&file).unwrap());
    }
    assert_eq!(
        exports[0], exports[1],
        "the same seed gives the same people"
    );
}

#[test]
fn serve_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("serve.db").display());
    let mut child = command(&url, &["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The server prints its address once it listens: no sleeping, no guessing.
    let line = lines
        .next()
        .expect("the server prints its address")
        .unwrap();
    let address = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("an address")
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 200") && response.ends_with("ok"),
        "{response}"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status:?}");
}

fn lantoa_with_stdin(url: &str, args: &[&str], input: &str) -> Output {
    let mut child = command(url, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lantoa runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_create_makes_the_first_admin_with_a_sound_password() {
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "users") {
        let weak = lantoa_with_stdin(
            &url,
            &[
                "user",
                "create",
                "--username",
                "quantri",
                "--admin",
                "--password-stdin",
            ],
            "matkhau123\n",
        );
        assert_eq!(weak.status.code(), Some(1), "{url}");
        assert!(String::from_utf8_lossy(&weak.stderr).contains("quá phổ biến"));

        let out = lantoa_with_stdin(
            &url,
            &[
                "user",
                "create",
                "--username",
                "QuanTri",
                "--admin",
                "--password-stdin",
            ],
            "Sông Tiền chảy mãi\n",
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout(&out).contains("«quantri» (Quản trị hệ thống)"));

        let again = lantoa_with_stdin(
            &url,
            &[
                "user",
                "create",
                "--username",
                "quantri",
                "--admin",
                "--password-stdin",
            ],
            "Một mật khẩu khác hẳn\n",
        );
        assert_eq!(again.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&again.stderr).contains("đã có người dùng"));

        let orgs = dir.path().join("orgs.csv");
        std::fs::write(&orgs, ORGS_CSV).unwrap();
        assert_eq!(
            lantoa(&url, &["import", "orgs", orgs.to_str().unwrap()])
                .status
                .code(),
            Some(0)
        );
        let staff = lantoa_with_stdin(
            &url,
            &[
                "user",
                "create",
                "--username",
                "bithu.cb1",
                "--org",
                "CB1",
                "--role",
                "can bo nghiep vu",
                "--password-stdin",
            ],
            "Khu phố một vững mạnh\n",
        );
        assert_eq!(
            staff.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&staff.stderr)
        );
        let bad_role = lantoa_with_stdin(
            &url,
            &[
                "user",
                "create",
                "--username",
                "x.y.z",
                "--org",
                "CB1",
                "--role",
                "vua",
                "--password-stdin",
            ],
            "Khu phố một vững mạnh\n",
        );
        assert_eq!(bad_role.status.code(), Some(2));

        let token = lantoa(&url, &["token", "create", "--username", "bithu.cb1"]);
        assert_eq!(
            token.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&token.stderr)
        );
        let printed = stdout(&token);
        assert!(
            printed.trim().starts_with("lantoa_") && printed.trim().len() == 71,
            "only the token on stdout: {printed}"
        );
        let unknown = lantoa(&url, &["token", "create", "--username", "khong.co"]);
        assert_eq!(unknown.status.code(), Some(1));
    }
}

#[test]
fn serve_demo_prints_working_demo_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let mut child = command(&url, &["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut accounts = Vec::new();
    let address = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_owned();
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() >= 2 && words[0].contains('.') || words.first() == Some(&"quantri") {
            accounts.push((words[0].to_owned(), words[1].to_owned()));
        }
    };
    for role in [
        "quantri",
        "quantri.p5",
        "canbo.p5",
        "lanhdao.thanhuy",
        "dangvien.p5",
    ] {
        assert!(
            accounts.iter().any(|(u, _)| u == role),
            "{role} in {accounts:?}"
        );
    }
    let (username, password) = &accounts[0];
    let form = format!("ten={username}&mat_khau={}", password.replace(' ', "+"));
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /dang-nhap HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");
    assert!(response.contains("lantoa_phien="), "{response}");
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn report_writes_the_demo_citys_2024_report() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("report.db").display());
    assert!(lantoa(&url, &["demo"]).status.success());
    // The city's report of a period in a format, as written to a file in `dir`.
    let report = |period: &str, format: &str| {
        let out = dir.path().join(format!("bao-cao-{period}.{format}"));
        let written = lantoa(
            &url,
            &[
                "report",
                "--org",
                "TU-MYTHO",
                "--year",
                period,
                "--format",
                format,
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert!(written.status.success(), "{written:?}");
        std::fs::read(&out).unwrap()
    };
    let text = String::from_utf8(report("2024", "txt")).unwrap();
    for figure in [
        "đã được quán triệt đến 99,7% đảng viên",
        "hơn 16.700 lượt người dân",
        "132 mô hình tiêu biểu được 69 cơ sở đảng đăng ký thực hiện",
        "100% cán bộ, đảng viên",
        "chủ yếu là lồng ghép, ban hành văn bản",
    ] {
        assert!(text.contains(figure), "{figure}\n{text}");
    }
    assert!(report("2024", "docx").starts_with(b"PK"));
    // The six-month review (sơ kết) of the same year.
    let text = String::from_utf8(report("2024-6t", "txt")).unwrap();
    assert!(text.contains("6 tháng đầu năm 2024"), "{text}");
    assert!(
        text.contains("NHIỆM VỤ TRỌNG TÂM 6 THÁNG CUỐI NĂM 2024"),
        "{text}"
    );
    for bad in [
        &[
            "report", "--org", "KHONG-CO", "--year", "2024", "-o", "x.docx",
        ][..],
        &[
            "report", "--org", "TU-MYTHO", "--year", "hai", "-o", "x.docx",
        ][..],
        &[
            "report", "--org", "TU-MYTHO", "--year", "2024", "--format", "pdf", "-o", "x",
        ][..],
    ] {
        assert_eq!(lantoa(&url, bad).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn check_counters_passes_on_exact_roll_ups_and_fails_on_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    for url in databases(dir.path(), "counters") {
        assert!(lantoa(&url, &["demo"]).status.success(), "{url}");
        // Writing the city's report reads its figures, which keeps their roll-ups.
        let out = dir.path().join("bao-cao.txt");
        let written = lantoa(
            &url,
            &[
                "report",
                "--org",
                "TU-MYTHO",
                "--year",
                "2024",
                "--format",
                "txt",
                "-o",
                out.to_str().unwrap(),
            ],
        );
        assert!(written.status.success(), "{written:?}");
        let checked = lantoa(&url, &["check", "counters"]);
        assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
        assert!(
            stdout(&checked).contains("khớp hoàn toàn"),
            "{}",
            stdout(&checked)
        );

        tokio::runtime::Runtime::new().unwrap().block_on(async {
            use sea_orm::ConnectionTrait;
            let store = lantoa_store::Store::connect(&url).await.unwrap();
            store
                .db()
                .execute_unprepared("UPDATE rollups SET n = n + 1 WHERE scope = 'own'")
                .await
                .unwrap();
        });
        let checked = lantoa(&url, &["check", "counters"]);
        assert_eq!(checked.status.code(), Some(1), "{}", stdout(&checked));
        let text = stdout(&checked);
        assert!(text.contains("(own) đơn vị"), "{text}");
        assert!(text.contains("chỗ sai lệch"), "{text}");
    }
}

#[test]
fn backup_and_restore_refuse_to_overwrite_live_data_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let sources = databases(dir.path(), "backup");
    let targets = databases(dir.path(), "restored");
    for (url, target) in sources.iter().zip(&targets) {
        let orgs = dir.path().join("orgs.csv");
        std::fs::write(&orgs, ORGS_CSV).unwrap();
        let out = lantoa(url, &["import", "orgs", orgs.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{url}: {}", stdout(&out));
        let archive = dir.path().join("sao-luu.tar.gz");
        let out = lantoa(url, &["backup", "-o", archive.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{url}: {out:?}");
        assert!(stdout(&out).contains("Đã sao lưu vào"), "{}", stdout(&out));

        let restore = |force: bool| {
            let mut args = vec!["restore", archive.to_str().unwrap()];
            if force {
                args.push("--force");
            }
            lantoa(target, &args)
        };
        let out = restore(false);
        assert_eq!(out.status.code(), Some(0), "{target}: {out:?}");
        assert!(
            stdout(&out).contains("Đã khôi phục bản sao lưu lúc"),
            "{}",
            stdout(&out)
        );
        // The units are there: importing them again creates none.
        let out = lantoa(target, &["import", "orgs", orgs.to_str().unwrap()]);
        assert!(stdout(&out).contains("tạo mới 0"), "{}", stdout(&out));

        let refused = restore(false);
        assert_eq!(refused.status.code(), Some(2));
        let said = String::from_utf8_lossy(&refused.stderr);
        assert!(said.contains("--force"), "{said}");
        assert_eq!(restore(true).status.code(), Some(0));
    }
}
