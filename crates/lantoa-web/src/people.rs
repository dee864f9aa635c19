//! People: the filtered list, one person's page with their unit history, the create and
//! edit forms, and the export of a subtree's people.

use crate::views::{
    self, Crumb, FormErrors, PageLink, org_crumbs, page_links, query_value, render, render_invalid,
};
use crate::{AppError, AppState, RequestActor, STAFF};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::people::{Category, Gender, MemberStatus, PersonInput};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, OrgId, PersonId};
use lantoa_store::audit::{self, Actor, Change};
use lantoa_store::org::{self, Org};
use lantoa_store::people::{self, Membership, PeopleFilter, Person};
use lantoa_store::{DatabaseConnection, StoreError};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/nhan-su", get(list))
        .route("/nhan-su/moi", get(new_form).post(create))
        .route("/nhan-su/{id}", get(show))
        .route("/nhan-su/{id}/sua", get(edit_form).post(update))
}

/// Rows per page of the people list.
pub const PER_PAGE: u64 = 50;

/// The query string of the people list (also the API's).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    /// Unit id: its whole subtree.
    pub org: Option<i64>,
    /// Name, with or without diacritics.
    #[serde(default)]
    pub q: String,
    /// Category code.
    #[serde(default)]
    pub category: String,
    /// Member status code.
    #[serde(default)]
    pub status: String,
    /// Only leaders.
    #[serde(default)]
    pub leaders: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
}

impl ListQuery {
    /// The store filter, with the unit looked up (a missing unit is a 404).
    pub async fn filter(
        &self,
        db: &DatabaseConnection,
    ) -> Result<(PeopleFilter, Option<Org>), AppError> {
        let org = match self.org {
            Some(id) => Some(org::get(db, OrgId(id)).await?),
            None => None,
        };
        let filter = PeopleFilter {
            within: org.as_ref().map(Org::subtree),
            query: self.q.clone(),
            category: Category::from_code(&self.category),
            status: MemberStatus::from_code(&self.status),
            leaders_only: self.leaders.is_some(),
        };
        Ok((filter, org))
    }

    fn href(&self, page: u64) -> String {
        let mut parts = Vec::new();
        if let Some(org) = self.org {
            parts.push(format!("org={org}"));
        }
        for (key, value) in [
            ("q", &self.q),
            ("category", &self.category),
            ("status", &self.status),
        ] {
            if !value.is_empty() {
                parts.push(format!("{key}={}", query_value(value)));
            }
        }
        if self.leaders.is_some() {
            parts.push("leaders=1".to_owned());
        }
        parts.push(format!("page={page}"));
        format!("{STAFF}/nhan-su?{}", parts.join("&"))
    }
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    title: String,
    crumbs: Vec<Crumb>,
    query: ListQuery,
    org: Option<Org>,
    people: Vec<Person>,
    total: String,
    links: Vec<PageLink>,
    categories: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

fn options<T: ClosedList>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|v| (v.code(), v.label())).collect()
}

async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let (filter, org) = query.filter(db).await?;
    let page = people::search(db, &filter, query.page.unwrap_or(1), PER_PAGE).await?;
    let crumbs = match &org {
        Some(o) => org_crumbs(&org::lineage(db, o).await?, Some("Nhân sự")),
        None => vec![Crumb::here("Nhân sự")],
    };
    let links = page_links(page.page, page.pages(), |p| query.href(p));
    let title = match &org {
        Some(o) => format!("Nhân sự — {}", o.name),
        None => "Nhân sự".to_owned(),
    };
    let view = ListPage {
        title,
        crumbs,
        total: views::number(page.total),
        people: page.items,
        links,
        org,
        query,
        categories: options::<Category>(),
        statuses: options::<MemberStatus>(),
    };
    Ok(render(&view)?.into_response())
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    title: String,
    crumbs: Vec<Crumb>,
    person: Person,
    history: Vec<Membership>,
}

impl ShowPage {
    fn date(&self, d: &Option<chrono::NaiveDate>) -> String {
        views::date(d)
    }
}

async fn show(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Response, AppError> {
    let db = state.store.db();
    let person = people::get(db, PersonId(id)).await?;
    let unit = org::get(db, person.org_id).await?;
    let history = people::history(db, person.id).await?;
    let page = ShowPage {
        title: person.details.full_name.clone(),
        crumbs: org_crumbs(
            &org::lineage(db, &unit).await?,
            Some(&person.details.full_name),
        ),
        person,
        history,
    };
    Ok(render(&page)?.into_response())
}

/// The person form's fields as posted: categories come as repeated checkboxes.
#[derive(Debug, Clone, Default, Deserialize)]
struct PersonForm {
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    gender: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    member_status: String,
    #[serde(default)]
    party_joined_on: String,
    #[serde(default)]
    party_official_on: String,
    #[serde(default)]
    party_card_no: String,
    #[serde(default)]
    org_code: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    is_leader: Option<String>,
    #[serde(default)]
    citizen_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    note: String,
}

impl PersonForm {
    fn to_input(&self) -> PersonInput {
        PersonInput {
            full_name: self.full_name.clone(),
            gender: self.gender.clone(),
            birth_date: self.birth_date.clone(),
            categories: self.categories.join(", "),
            member_status: self.member_status.clone(),
            party_joined_on: self.party_joined_on.clone(),
            party_official_on: self.party_official_on.clone(),
            party_card_no: self.party_card_no.clone(),
            org_code: self.org_code.clone(),
            position: self.position.clone(),
            is_leader: if self.is_leader.is_some() {
                "có".to_owned()
            } else {
                String::new()
            },
            citizen_id: self.citizen_id.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            note: self.note.clone(),
        }
    }

    fn from_person(person: &Person) -> Self {
        let input = person.details.to_input();
        PersonForm {
            full_name: input.full_name,
            gender: person
                .details
                .gender
                .map(|g| g.code().to_owned())
                .unwrap_or_default(),
            birth_date: input.birth_date,
            categories: person
                .details
                .categories
                .iter()
                .map(|c| c.code().to_owned())
                .collect(),
            member_status: person
                .details
                .member_status
                .map(|s| s.code().to_owned())
                .unwrap_or_default(),
            party_joined_on: input.party_joined_on,
            party_official_on: input.party_official_on,
            party_card_no: input.party_card_no,
            org_code: input.org_code,
            position: input.position,
            is_leader: person.details.is_leader.then(|| "1".to_owned()),
            citizen_id: input.citizen_id,
            phone: input.phone,
            email: input.email,
            note: input.note,
        }
    }

    fn has_category(&self, code: &str) -> bool {
        self.categories.iter().any(|c| c == code)
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    title: String,
    crumbs: Vec<Crumb>,
    action: String,
    cancel: String,
    form: PersonForm,
    errors: FormErrors,
    genders: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

async fn form_page(
    state: &AppState,
    person: Option<&Person>,
    unit: Option<&Org>,
    form: PersonForm,
    errors: FieldErrors,
) -> Result<FormPage, AppError> {
    let db = state.store.db();
    let lineage = match unit {
        Some(u) => org::lineage(db, u).await?,
        None => Vec::new(),
    };
    let (title, action, cancel, current) = match person {
        Some(p) => (
            format!("Sửa thông tin {}", p.details.full_name),
            format!("{STAFF}/nhan-su/{}/sua", p.id),
            format!("{STAFF}/nhan-su/{}", p.id),
            "Sửa nhân sự",
        ),
        None => (
            "Thêm nhân sự".to_owned(),
            format!("{STAFF}/nhan-su/moi"),
            unit.map(|u| views::org_href(u.id.0))
                .unwrap_or_else(|| format!("{STAFF}/nhan-su")),
            "Thêm nhân sự",
        ),
    };
    let crumbs = if lineage.is_empty() {
        vec![
            Crumb::link("Nhân sự", format!("{STAFF}/nhan-su")),
            Crumb::here(current),
        ]
    } else {
        org_crumbs(&lineage, Some(current))
    };
    Ok(FormPage {
        title,
        crumbs,
        action,
        cancel,
        form,
        errors: FormErrors(errors),
        genders: options::<Gender>(),
        categories: options::<Category>(),
        statuses: options::<MemberStatus>(),
    })
}

#[derive(Deserialize)]
struct NewQuery {
    org: Option<i64>,
}

async fn new_form(
    State(state): State<AppState>,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    let unit = match q.org {
        Some(id) => Some(org::get(state.store.db(), OrgId(id)).await?),
        None => None,
    };
    let form = PersonForm {
        org_code: unit.as_ref().map(|u| u.code.clone()).unwrap_or_default(),
        ..Default::default()
    };
    Ok(
        render(&form_page(&state, None, unit.as_ref(), form, FieldErrors::default()).await?)?
            .into_response(),
    )
}

async fn create(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let result = match form.to_input().validate(crate::today()) {
        Ok(draft) => people::create(db, &actor, &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/nhan-su/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let unit = org::get_by_code(db, &form.org_code).await?;
            render_invalid(&form_page(&state, None, unit.as_ref(), form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let person = people::get(db, PersonId(id)).await?;
    let unit = org::get(db, person.org_id).await?;
    let form = PersonForm::from_person(&person);
    Ok(render(
        &form_page(
            &state,
            Some(&person),
            Some(&unit),
            form,
            FieldErrors::default(),
        )
        .await?,
    )?
    .into_response())
}

async fn update(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let person = people::get(db, PersonId(id)).await?;
    let today = crate::today();
    let result = match form.to_input().validate(today) {
        Ok(draft) => people::update(db, &actor, person.id, &draft, today).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/nhan-su/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let unit = org::get(db, person.org_id).await?;
            render_invalid(&form_page(&state, Some(&person), Some(&unit), form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// File format of a people export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Excel workbook.
    Xlsx,
    /// CSV, UTF-8 with BOM.
    Csv,
}

impl ExportFormat {
    /// "xlsx" (also the default when empty) or "csv".
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_lowercase().as_str() {
            "" | "xlsx" => Some(ExportFormat::Xlsx),
            "csv" => Some(ExportFormat::Csv),
            _ => None,
        }
    }

    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Csv => "csv",
        }
    }

    /// Content type.
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The people of a unit's subtree as a file, read in batches by id. The columns are those
/// of the import, so an export can be edited and imported back. The file holds personal
/// data, so the export is written to the audit log.
pub async fn export(
    db: &DatabaseConnection,
    actor: &Actor,
    unit: &Org,
    format: ExportFormat,
) -> Result<Vec<u8>, AppError> {
    let range = unit.subtree();
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let batch = people::batch_after(db, &range, after, 5000).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        rows.extend(batch.iter().map(|p| p.details.to_input()));
    }
    let bytes = match format {
        ExportFormat::Xlsx => lantoa_office::export::people_xlsx(&rows)?,
        ExportFormat::Csv => lantoa_office::export::people_csv(&rows)?,
    };
    let change = Change {
        action: AuditAction::ExportPeople,
        entity_type: "org",
        entity_id: Some(unit.id.0),
        org_id: Some(unit.id),
        before: serde_json::Value::Null,
        after: serde_json::json!({ "format": format.extension(), "people": rows.len() }),
    };
    audit::record(db, actor, change).await?;
    Ok(bytes)
}
