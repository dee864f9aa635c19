//! The public site, for anyone without signing in: the campaign's typical models and
//! exemplary people (only those reviewed and flagged public, never evidence, nominators or
//! contacts), and the "Đề cử người tốt, việc tốt" form — throttled per address, with an
//! arithmetic question signed by the server instead of a third-party captcha, every
//! nomination held for review. Pages may be cached for a minute.

use crate::views::{PageLink, page_links, render};
use crate::{AppError, AppState, RequestActor};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use lantoa_domain::ClosedList;
use lantoa_domain::exemplars::{ExemplarField, ExemplarInput, ExemplarKind, NominationSource};
use lantoa_domain::files::FileKind;
use lantoa_domain::org::Sector;
use lantoa_domain::validation::FieldErrors;
use lantoa_store::StoreError;
use lantoa_store::commendations::{self, PublicCommended};
use lantoa_store::exemplars::{self, Nominator, PublicExemplar};
use lantoa_store::models::{self, Model};
use lantoa_store::org::{self, Org};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .public("/", get(home))
        .public("/mo-hinh-tieu-bieu", get(models_page))
        .public("/mo-hinh-tieu-bieu/{id}", get(model_page))
        .public("/mo-hinh-tieu-bieu/{id}/anh/{file}", get(model_photo))
        .public("/guong-sang", get(exemplars_page))
        .public("/guong-sang/{id}", get(exemplar_page))
        .public("/duoc-khen-thuong", get(commended_page))
        .public(
            "/de-cu",
            get(nomination_form)
                .post(nominate)
                .layer(axum::extract::DefaultBodyLimit::max(
                    NOMINATION_PHOTO_MAX_BYTES + 1024 * 1024,
                )),
        )
}

const PER_PAGE: u64 = 24;
/// Public nominations accepted from one address in an hour.
pub const NOMINATIONS_PER_HOUR: i64 = 3;
/// How long a form's question stays valid.
const CHALLENGE_MINUTES: i64 = 60;

/// A public page: cacheable for a minute by browsers and proxies.
pub(crate) fn cached(html: axum::response::Html<String>) -> Response {
    ([(header::CACHE_CONTROL, "public, max-age=60")], html).into_response()
}

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage {
    title: String,
    models: Vec<Model>,
    exemplars: Vec<PublicExemplar>,
    month: Option<(String, PublicExemplar)>,
}

impl HomePage {
    fn month_text(&self, m: &str) -> String {
        crate::views::month(m)
    }
}

async fn home(State(state): State<AppState>) -> Result<Response, AppError> {
    let db = state.store.db();
    let page = HomePage {
        title: "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh".into(),
        models: models::newest_public_models(db, 6).await?,
        exemplars: exemplars::newest_public_exemplars(db, 6).await?,
        month: exemplars::exemplar_of_the_month(db, None).await?,
    };
    Ok(cached(render(&page)?))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    sector: String,
    /// A year, or empty for every year.
    #[serde(default)]
    year: String,
    /// A grassroots organisation's id, or empty for all.
    #[serde(default)]
    unit: String,
    page: Option<u64>,
}

/// The filters a public list offers: unit and year (the choices and what is chosen).
struct PublicFilters {
    units: Vec<(String, String)>,
    years: Vec<i32>,
    unit: String,
    year: String,
}

impl ListQuery {
    fn year(&self) -> Option<i32> {
        self.year.trim().parse().ok()
    }

    /// The chosen unit's subtree, if it is one of the units offered.
    fn within(&self, units: &[Org]) -> Option<lantoa_store::org::Subtree> {
        let id: i64 = self.unit.trim().parse().ok()?;
        units.iter().find(|u| u.id.0 == id).map(Org::subtree)
    }

    /// The query string of the filters, for the page links.
    fn filters(&self) -> String {
        crate::views::filter_query(&[
            ("sector", self.sector.clone()),
            ("year", self.year.clone()),
            ("unit", self.unit.clone()),
        ])
    }

    async fn choices(&self, state: &AppState, units: &[Org]) -> Result<PublicFilters, AppError> {
        Ok(PublicFilters {
            units: units
                .iter()
                .map(|u| (u.id.0.to_string(), u.name.clone()))
                .collect(),
            years: lantoa_store::campaign::years(state.store.db())
                .await?
                .iter()
                .map(|y| y.year)
                .collect(),
            unit: self.unit.clone(),
            year: self.year.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "public/models.html")]
struct ModelsPage {
    title: String,
    rows: Vec<Model>,
    total: String,
    links: Vec<PageLink>,
    sector: String,
    sectors: Vec<(&'static str, &'static str)>,
    filters: PublicFilters,
}

async fn models_page(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let sector = Sector::from_code(&q.sector);
    let units = receiving_units(&state).await?;
    let page = models::public_models(
        state.store.db(),
        q.within(&units).as_ref(),
        sector,
        q.year(),
        q.page.unwrap_or(1),
        PER_PAGE,
    )
    .await?;
    let filters = q.filters();
    let links = page_links(page.page, page.pages(), |p| {
        format!("/mo-hinh-tieu-bieu?page={p}{filters}")
    });
    let view = ModelsPage {
        title: "Mô hình tiêu biểu".into(),
        total: crate::views::number(page.total),
        rows: page.items,
        links,
        sector: q.sector.clone(),
        sectors: Sector::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        filters: q.choices(&state, &units).await?,
    };
    Ok(cached(render(&view)?))
}

#[derive(Template)]
#[template(path = "public/model.html")]
struct ModelPage {
    title: String,
    m: Model,
    results: Vec<models::Evaluation>,
    spread: Vec<models::Replication>,
    photos: Vec<lantoa_store::files::StoredFile>,
}

impl ModelPage {
    fn date(&self, d: &chrono::NaiveDate) -> String {
        lantoa_domain::dates::display(*d)
    }
}

async fn model_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let m = models::public_model(db, id).await?;
    let view = ModelPage {
        title: m.name.clone(),
        results: models::evaluations(db, id).await?,
        spread: models::replications(db, id).await?,
        photos: public_photos(&state, id).await?,
        m,
    };
    Ok(cached(render(&view)?))
}

/// The photos of a public model (its other files stay with staff).
async fn public_photos(
    state: &AppState,
    model: i64,
) -> Result<Vec<lantoa_store::files::StoredFile>, AppError> {
    Ok(models::MODEL_FILES
        .list(state.store.db(), model)
        .await?
        .into_iter()
        .filter(|f| {
            matches!(
                FileKind::from_mime(&f.content_type),
                Some(FileKind::Jpeg | FileKind::Png)
            )
        })
        .collect())
}

/// A photo of a public model; cacheable for a day (its address names its content).
async fn model_photo(
    State(state): State<AppState>,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    models::public_model(state.store.db(), id).await?;
    let photo = public_photos(&state, id)
        .await?
        .into_iter()
        .find(|f| f.id == file)
        .ok_or(AppError::NotFound)?;
    let mut response = crate::views::stored_file(&state, &photo).await?;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("public, max-age=86400"),
    );
    Ok(response)
}

#[derive(Template)]
#[template(path = "public/exemplars.html")]
struct ExemplarsPage {
    title: String,
    /// The chosen unit's latest exemplar of the month.
    month: Option<(String, PublicExemplar)>,
    filters: PublicFilters,
    rows: Vec<PublicExemplar>,
    total: String,
    links: Vec<PageLink>,
}

async fn exemplars_page(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let units = receiving_units(&state).await?;
    let page = exemplars::public_exemplars(
        state.store.db(),
        q.within(&units).as_ref(),
        q.year(),
        q.page.unwrap_or(1),
        PER_PAGE,
    )
    .await?;
    let filters = q.filters();
    let links = page_links(page.page, page.pages(), |p| {
        format!("/guong-sang?page={p}{filters}")
    });
    let chosen = q
        .unit
        .trim()
        .parse()
        .ok()
        .filter(|id| units.iter().any(|u| u.id.0 == *id));
    let month = match chosen {
        Some(id) => {
            exemplars::exemplar_of_the_month(state.store.db(), Some(lantoa_domain::OrgId(id)))
                .await?
        }
        None => None,
    };
    let view = ExemplarsPage {
        title: "Gương sáng, người tốt việc tốt".into(),
        month,
        total: crate::views::number(page.total),
        rows: page.items,
        links,
        filters: q.choices(&state, &units).await?,
    };
    Ok(cached(render(&view)?))
}

#[derive(Template)]
#[template(path = "public/commended.html")]
struct CommendedPage {
    title: String,
    filters: PublicFilters,
    rows: Vec<PublicCommended>,
    total: String,
    links: Vec<PageLink>,
}

impl CommendedPage {
    fn date(&self, d: &chrono::NaiveDate) -> String {
        lantoa_domain::dates::display(*d)
    }
}

/// The people and collectives commended in a year (the latest year with any shown, unless
/// another or all are chosen), as staff chose to show them.
async fn commended_page(
    State(state): State<AppState>,
    Query(mut q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    if q.year.is_empty()
        && let Some(y) = commendations::latest_public_year(db).await?
    {
        q.year = y.to_string();
    }
    let units = receiving_units(&state).await?;
    let page = commendations::public_commended(
        db,
        q.within(&units).as_ref(),
        q.year(),
        q.page.unwrap_or(1),
        PER_PAGE,
    )
    .await?;
    let filters = q.filters();
    let links = page_links(page.page, page.pages(), |p| {
        format!("/duoc-khen-thuong?page={p}{filters}")
    });
    let view = CommendedPage {
        title: match q.year() {
            Some(y) => format!("Được khen thưởng năm {y}"),
            None => "Được khen thưởng".into(),
        },
        total: crate::views::number(page.total),
        rows: page.items,
        links,
        filters: q.choices(&state, &units).await?,
    };
    Ok(cached(render(&view)?))
}

impl ExemplarsPage {
    fn month_text(&self, m: &str) -> String {
        crate::views::month(m)
    }
}

#[derive(Template)]
#[template(path = "public/exemplar.html")]
struct ExemplarPage {
    title: String,
    x: PublicExemplar,
}

async fn exemplar_page(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let x = exemplars::public_exemplar(state.store.db(), id).await?;
    Ok(cached(render(&ExemplarPage {
        title: x.name.clone(),
        x,
    })?))
}

/// A question a person answers and a script rarely does: "7 + 5", with the answer signed by
/// the server's key and an expiry, so no state is kept between showing and sending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) question: String,
    pub(crate) expires: i64,
    pub(crate) token: String,
}

fn sign(key: &str, answer: i64, expires: i64) -> String {
    lantoa_store::secret::digest(&format!("{key}:{answer}:{expires}"))
}

pub(crate) fn new_challenge(key: &str) -> Challenge {
    let seed = lantoa_store::secret::new_token();
    let digit = |i: usize| i64::from(seed.as_bytes()[i] % 9) + 1;
    let (a, b) = (digit(0), digit(1));
    let expires = Utc::now().timestamp() + CHALLENGE_MINUTES * 60;
    Challenge {
        question: format!("{a} cộng {b} bằng mấy?"),
        expires,
        token: sign(key, a + b, expires),
    }
}

pub(crate) fn check_challenge(
    key: &str,
    answer: &str,
    expires: &str,
    token: &str,
) -> Result<(), String> {
    let expires: i64 = expires.trim().parse().unwrap_or(0);
    if expires < Utc::now().timestamp() {
        return Err("Câu hỏi đã hết hạn: trả lời câu hỏi mới bên dưới".into());
    }
    match answer.trim().parse::<i64>() {
        Ok(n) if sign(key, n, expires) == token.trim() => Ok(()),
        _ => Err("Câu trả lời chưa đúng: hãy tính lại".into()),
    }
}

/// The public nomination form as posted.
#[derive(Debug, Default)]
struct NominationForm {
    kind: String,
    unit: String,
    name: String,
    about: String,
    field: String,
    achievement: String,
    nominator_name: String,
    nominator_contact: String,
    answer: String,
    expires: String,
    token: String,
    /// Left empty by people; filled by scripts that fill every field.
    website: String,
}

impl NominationForm {
    fn from_posted(p: &crate::views::MultipartForm) -> Self {
        NominationForm {
            kind: p.text("kind"),
            unit: p.text("unit"),
            name: p.text("name"),
            about: p.text("about"),
            field: p.text("field"),
            achievement: p.text("achievement"),
            nominator_name: p.text("nominator_name"),
            nominator_contact: p.text("nominator_contact"),
            answer: p.text("answer"),
            expires: p.text("expires"),
            token: p.text("token"),
            website: p.text("website"),
        }
    }
}

#[derive(Template)]
#[template(path = "public/nominate.html")]
struct NominationPage {
    title: String,
    form: NominationForm,
    units: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    fields: Vec<(&'static str, &'static str)>,
    challenge: Challenge,
    sent: bool,
    errors: crate::views::FormErrors,
}

/// The units a citizen may address: the grassroots organisations (wards, communes,
/// agencies), by name.
async fn receiving_units(state: &AppState) -> Result<Vec<Org>, AppError> {
    let mut units: Vec<Org> = org::grassroots(state.store.db()).await?;
    units.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(units)
}

async fn nomination_view(
    state: &AppState,
    form: NominationForm,
    sent: bool,
    errors: FieldErrors,
) -> Result<NominationPage, AppError> {
    let key = lantoa_store::settings::form_key(state.store.db()).await?;
    Ok(NominationPage {
        title: "Đề cử người tốt, việc tốt".into(),
        units: receiving_units(state)
            .await?
            .into_iter()
            .map(|u| (u.id.0.to_string(), u.name))
            .collect(),
        kinds: ExemplarKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        fields: ExemplarField::ALL
            .iter()
            .map(|f| (f.code(), f.label()))
            .collect(),
        challenge: new_challenge(&key),
        form,
        sent,
        errors: crate::views::FormErrors(errors),
    })
}

async fn nomination_form(State(state): State<AppState>) -> Result<Response, AppError> {
    let form = NominationForm {
        kind: ExemplarKind::Person.code().into(),
        ..Default::default()
    };
    Ok(
        render(&nomination_view(&state, form, false, FieldErrors::default()).await?)?
            .into_response(),
    )
}

/// Largest photo a citizen may send with a nomination.
pub const NOMINATION_PHOTO_MAX_BYTES: usize = 5 * 1024 * 1024;

/// The nomination form, with an optional photo of the good deed (JPEG or PNG, 5 MB).
async fn nominate(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let posted = crate::views::MultipartForm::read(&mut multipart, "file").await?;
    let form = NominationForm::from_posted(&posted);
    let db = state.store.db();
    let addr = actor.client_addr.clone().unwrap_or_default();
    let recent =
        exemplars::public_since(db, &addr, Utc::now() - chrono::Duration::hours(1)).await?;
    if recent >= NOMINATIONS_PER_HOUR {
        let errors = FieldErrors::single(
            "form",
            "Đã nhận nhiều đề cử từ máy này trong một giờ qua. Xin gửi lại sau.",
        );
        let page = nomination_view(&state, form, false, errors).await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response());
    }
    let mut errors = FieldErrors::default();
    let key = lantoa_store::settings::form_key(db).await?;
    if let Err(message) = check_challenge(&key, &form.answer, &form.expires, &form.token) {
        errors.add("answer", message);
    }
    if !form.website.is_empty() {
        errors.add("answer", "Không gửi được đề cử này");
    }
    let unit = match form.unit.trim().parse::<i64>() {
        Ok(id) => receiving_units(&state)
            .await?
            .into_iter()
            .find(|u| u.id.0 == id),
        Err(_) => None,
    };
    if unit.is_none() {
        errors.add(
            "unit",
            "Chọn phường, xã hoặc cơ quan nơi người được đề cử sinh sống, làm việc",
        );
    }
    let nominator_name = lantoa_domain::text::clean(&form.nominator_name);
    let contact = lantoa_domain::text::clean(&form.nominator_contact);
    if nominator_name.is_empty() {
        errors.add("nominator_name", "Ghi họ tên người đề cử");
    }
    if contact.is_empty() {
        errors.add(
            "nominator_contact",
            "Ghi số điện thoại hoặc email để đơn vị liên hệ xác minh (không công khai)",
        );
    } else if contact.chars().count() > 200 {
        errors.add("nominator_contact", "Tối đa 200 ký tự");
    }
    let input = ExemplarInput {
        kind: form.kind.clone(),
        person_id: String::new(),
        name: form.name.clone(),
        about: form.about.clone(),
        field: form.field.clone(),
        achievement: form.achievement.clone(),
        evidence: String::new(),
    };
    let draft = match input.validate() {
        Ok(draft) => Some(draft),
        Err(e) => {
            errors.append(e);
            None
        }
    };
    let photo = match &posted.file {
        None => None,
        Some(_) => {
            match posted
                .attachment(&[FileKind::Jpeg, FileKind::Png], NOMINATION_PHOTO_MAX_BYTES)
                .await
            {
                Ok(file) => Some(file),
                Err(StoreError::Invalid(e)) => {
                    errors.append(e);
                    None
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let (Some(draft), Some(unit), true) = (draft, unit, errors.is_empty()) else {
        let page = nomination_view(&state, form, false, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    };
    let years = lantoa_store::campaign::years(db).await?;
    let year = crate::campaign::current_year(&years, crate::today())
        .cloned()
        .ok_or(AppError::NotFound)?;
    let nominator = Nominator {
        source: Some(NominationSource::Public),
        name: Some(nominator_name),
        contact: Some(contact),
    };
    let saved = match &photo {
        None => exemplars::nominate(db, &actor, &unit, &year, &draft, &nominator).await,
        Some(photo) => {
            exemplars::nominate_with_photo(
                db,
                state.store.files(),
                &actor,
                &unit,
                &year,
                &draft,
                &nominator,
                photo,
            )
            .await
        }
    };
    match saved {
        Ok(_) => Ok(render(
            &nomination_view(
                &state,
                NominationForm::default(),
                true,
                FieldErrors::default(),
            )
            .await?,
        )?
        .into_response()),
        Err(StoreError::Invalid(errors)) => {
            let page = nomination_view(&state, form, false, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_answer_is_accepted_once_right_and_in_time() {
        let c = new_challenge("khóa");
        let (a, b) = c.question.split_once(" cộng ").unwrap();
        let b = b.split(' ').next().unwrap();
        let answer = (a.parse::<i64>().unwrap() + b.parse::<i64>().unwrap()).to_string();
        let expires = c.expires.to_string();
        assert!(check_challenge("khóa", &answer, &expires, &c.token).is_ok());
        assert!(check_challenge("khóa", "99", &expires, &c.token).is_err());
        assert!(check_challenge("khác", &answer, &expires, &c.token).is_err());
        let past = (Utc::now().timestamp() - 1).to_string();
        let stale = sign("khóa", answer.parse().unwrap(), Utc::now().timestamp() - 1);
        assert!(check_challenge("khóa", &answer, &past, &stale).is_err());
    }
}
