//! What every page shares: the layout's breadcrumbs, pagination links, form errors, and the
//! Vietnamese formats of numbers and dates.

use askama::Template;
use chrono::NaiveDate;
use lantoa_domain::validation::FieldErrors;
use lantoa_store::org::Org;

/// The signed-in account as the page layout shows it: name, menu, link to the account.
#[derive(Debug, Clone, Default)]
pub struct Me {
    /// Name shown; empty when nobody is signed in (sign-in and error pages).
    pub name: String,
    /// The viewer's own account page.
    pub account_href: String,
    /// The menu: only what the viewer may open.
    pub links: Vec<(&'static str, String)>,
}

impl Me {
    /// Nobody signed in: the layout shows no menu.
    pub fn none() -> Self {
        Self::default()
    }

    /// Whether someone is signed in.
    pub fn signed_in(&self) -> bool {
        !self.name.is_empty()
    }
}

/// One step of the breadcrumbs.
#[derive(Debug, Clone)]
pub struct Crumb {
    /// Text.
    pub label: String,
    /// Link; `None` for the current page.
    pub href: Option<String>,
}

impl Crumb {
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            href: Some(href.into()),
        }
    }

    pub fn here(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            href: None,
        }
    }
}

/// Breadcrumbs from "Đơn vị" through a unit's ancestors; the last unit links too unless
/// `current` is None (then the unit itself is the page).
pub fn org_crumbs(lineage: &[Org], current: Option<&str>) -> Vec<Crumb> {
    let mut crumbs = vec![Crumb::link("Đơn vị", format!("{}/don-vi", crate::STAFF))];
    for (i, org) in lineage.iter().enumerate() {
        if i + 1 == lineage.len() && current.is_none() {
            crumbs.push(Crumb::here(org.name.clone()));
        } else {
            crumbs.push(Crumb::link(org.name.clone(), org_href(org.id.0)));
        }
    }
    if let Some(label) = current {
        crumbs.push(Crumb::here(label));
    }
    crumbs
}

/// Link to a unit's page.
pub fn org_href(id: i64) -> String {
    format!("{}/don-vi/{id}", crate::STAFF)
}

/// 16.700
pub fn number(n: i64) -> String {
    lantoa_domain::format::number(n)
}

/// How many rows a list holds, "16.700", or "hơn 10.000" when counting stopped there.
pub fn total<T>(page: &lantoa_store::Page<T>) -> String {
    if page.capped {
        format!("hơn {}", number(page.total))
    } else {
        number(page.total)
    }
}

/// A month as stored, "2024-09", as people write it: "09/2024".
pub fn month(m: &str) -> String {
    match m.split_once('-') {
        Some((y, mm)) => format!("{mm}/{y}"),
        None => m.to_owned(),
    }
}

/// The filters of a list as a query string to append: "&sector=y_te&q=bac", leaving out
/// the empty ones (values already escaped).
pub fn filter_query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("&{k}={v}"))
        .collect()
}

/// Numbers in the Vietnamese format for templates: `{{ self.n(count) }}`.
pub trait Numbers {
    fn n(&self, value: impl std::borrow::Borrow<i64>) -> String {
        number(*value.borrow())
    }
}

/// Dates as pages show them: `self.date(d)` "05/03/2025", `self.when(t)` the local day of a
/// moment. A page's template struct takes them with `impl Dates for Page {}`.
pub trait Dates {
    fn date(&self, d: &NaiveDate) -> String {
        lantoa_domain::dates::display(*d)
    }

    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        lantoa_domain::dates::display(t.with_timezone(&chrono::Local).date_naive())
    }
}

/// dd/mm/yyyy, or empty.
pub fn date(d: &Option<NaiveDate>) -> String {
    d.map(lantoa_domain::dates::display).unwrap_or_default()
}

/// Errors of a form, to show at each field and in a summary at the top.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub FieldErrors);

impl FormErrors {
    /// The error of a field, or empty.
    pub fn at(&self, field: &str) -> &str {
        self.0.get(field).unwrap_or("")
    }

    /// Whether there is any error.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// Every message, for the summary.
    pub fn messages(&self) -> Vec<String> {
        self.0.iter().map(|(_, m)| m.to_owned()).collect()
    }
}

/// A count on a figures page, linking to the list behind it.
pub struct Figure {
    pub label: String,
    /// The count as shown ("16.700").
    pub count: String,
    pub href: String,
}

impl Figure {
    /// A count labelled and linked.
    pub fn new(label: impl Into<String>, count: i64, href: String) -> Self {
        Figure {
            label: label.into(),
            count: number(count),
            href,
        }
    }
}

/// A numbered page link.
#[derive(Debug, Clone)]
pub struct PageLink {
    pub label: String,
    /// `None` for the current page.
    pub href: Option<String>,
}

/// Links to the first, previous, nearby, next and last pages of a list.
pub fn page_links(page: u64, pages: u64, href: impl Fn(u64) -> String) -> Vec<PageLink> {
    if pages <= 1 {
        return Vec::new();
    }
    let mut links = Vec::new();
    let mut push = |label: String, target: u64, current: bool| {
        links.push(PageLink {
            label,
            href: (!current).then(|| href(target)),
        });
    };
    if page > 1 {
        push("« Trước".to_owned(), page - 1, false);
    }
    let from = page.saturating_sub(2).max(1);
    let to = (page + 2).min(pages);
    if from > 1 {
        push("1".to_owned(), 1, false);
    }
    for p in from..=to {
        push(number(p as i64), p, p == page);
    }
    if to < pages {
        push(number(pages as i64), pages, false);
    }
    if page < pages {
        push("Sau »".to_owned(), page + 1, false);
    }
    links
}

/// Encodes a value for a query string.
pub fn query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(*b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A file to download: its type, and its name for the browser's "save as".
pub fn download(file_name: &str, mime: &str, bytes: Vec<u8>) -> axum::response::Response {
    send_file(file_name, mime, bytes, false)
}

/// A Word document to download.
pub fn docx(file_name: &str, bytes: Vec<u8>) -> axum::response::Response {
    download(
        file_name,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        bytes,
    )
}

/// What heads a unit's documents besides its own name: the body directly above it (or
/// nothing at the top) and the place of the date line, read from the top unit's name.
#[derive(Debug, Clone)]
pub struct Letterhead {
    pub superior: String,
    pub place: String,
}

/// The letterhead of the last unit of `lineage` (from the top unit down to it).
pub fn letterhead(lineage: &[Org]) -> Letterhead {
    Letterhead {
        superior: lineage
            .len()
            .checked_sub(2)
            .and_then(|i| lineage.get(i))
            .map(|o| o.name.clone())
            .unwrap_or_default(),
        place: lineage
            .first()
            .map(|top| lantoa_domain::org::place_name(&top.name))
            .unwrap_or_default(),
    }
}

/// A stored file as a download, or in place when it is a PDF or a picture (pictures are
/// written anew when uploaded, see [`MultipartForm::attachment`]).
pub async fn stored_file(
    state: &crate::AppState,
    file: &lantoa_store::files::StoredFile,
) -> Result<axum::response::Response, crate::AppError> {
    let bytes = state.store.files().read(&file.sha256).await?;
    Ok(send_file(
        &file.name,
        &file.content_type,
        bytes,
        file.shows_inline(),
    ))
}

/// A file for the browser to show in place (`inline`) or to save, under its name — in
/// Vietnamese too (RFC 6266 `filename*`, with a plain-letters fallback).
pub fn send_file(
    file_name: &str,
    mime: &str,
    bytes: Vec<u8>,
    inline: bool,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let plain: String = lantoa_domain::text::to_ascii(file_name)
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let disposition = if inline { "inline" } else { "attachment" };
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{plain}\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The first value of a posted field, or "" (forms read as name–value pairs keep repeated
/// names: check boxes, one field per row).
pub fn field_text(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Every value of a repeated posted field.
pub fn field_all(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The ids ticked in a repeated posted field (rows chosen by check boxes); what is not a
/// number is left out.
pub fn field_ids(fields: &[(String, String)], name: &str) -> Vec<i64> {
    fields
        .iter()
        .filter(|(n, _)| n == name)
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect()
}

/// A multipart form (one with a file): its text fields in order, repeated names kept, and
/// the file of one named field.
#[derive(Debug, Default)]
pub struct MultipartForm {
    /// Text fields.
    pub fields: Vec<(String, String)>,
    /// The file's name and bytes, when one was chosen.
    pub file: Option<(String, Vec<u8>)>,
}

impl MultipartForm {
    /// Reads every field; the file comes from `file_field`.
    pub async fn read(
        multipart: &mut axum::extract::Multipart,
        file_field: &str,
    ) -> Result<Self, crate::AppError> {
        let bad = |e: axum::extract::multipart::MultipartError| {
            crate::AppError::BadRequest(e.to_string())
        };
        let mut form = MultipartForm::default();
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == file_field {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(bad)?;
                if !file_name.is_empty() || !bytes.is_empty() {
                    form.file = Some((file_name, bytes.to_vec()));
                }
            } else {
                let value = field.text().await.map_err(bad)?;
                form.fields.push((name, value));
            }
        }
        Ok(form)
    }

    /// The first value of a field, or "".
    pub fn text(&self, name: &str) -> String {
        field_text(&self.fields, name)
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<String> {
        field_all(&self.fields, name)
    }

    /// The file chosen, checked to be one of `kinds` by its name and content and no larger
    /// than `max_bytes`, a picture written anew (`lantoa_office::photo`); or why not, on the
    /// field "attachment".
    pub async fn attachment(
        &self,
        kinds: &[lantoa_domain::files::FileKind],
        max_bytes: usize,
    ) -> Result<lantoa_store::files::NewFile, lantoa_store::StoreError> {
        use lantoa_store::StoreError;
        let Some((name, bytes)) = &self.file else {
            return Err(StoreError::invalid("attachment", "Chưa chọn tệp"));
        };
        if bytes.len() > max_bytes {
            return Err(StoreError::invalid(
                "attachment",
                format!("Tệp lớn quá {} MB", max_bytes.div_ceil(1024 * 1024)),
            ));
        }
        let kind = lantoa_domain::files::FileKind::detect(name, bytes, kinds)
            .map_err(|message| StoreError::invalid("attachment", message))?;
        let taken = bytes.clone();
        let bytes =
            tokio::task::spawn_blocking(move || lantoa_office::photo::reencode(kind, &taken))
                .await
                .map_err(|e| StoreError::Files(format!("không xử lý được ảnh: {e}")))?
                .map_err(|message| StoreError::invalid("attachment", message))?;
        Ok(lantoa_store::files::NewFile {
            name: lantoa_domain::files::clean_name(name),
            kind,
            bytes,
        })
    }

    /// Whether a field was sent (a ticked checkbox).
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| n == name)
    }
}

/// The error page.
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub title: String,
    pub crumbs: Vec<Crumb>,
    pub me: Me,
    pub message: String,
}

impl ErrorPage {
    pub fn new(status: u16, message: String) -> Self {
        let title = match status {
            403 => "Không có quyền",
            404 => "Không tìm thấy",
            429 => "Xin chờ một chút",
            409 => "Không thực hiện được",
            500 => "Lỗi hệ thống",
            _ => "Có lỗi",
        };
        Self {
            title: title.to_owned(),
            crumbs: Vec::new(),
            me: Me::none(),
            message,
        }
    }
}

/// Renders a template to an HTML response.
pub fn render<T: Template>(template: &T) -> Result<axum::response::Html<String>, crate::AppError> {
    Ok(axum::response::Html(template.render()?))
}

/// Renders a form again with its errors: 422 so that tools see the refusal.
pub fn render_invalid<T: Template>(
    template: &T,
) -> Result<axum::response::Response, crate::AppError> {
    use axum::response::IntoResponse;
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        render(template)?,
    )
        .into_response())
}
