//! People: the filtered list, one person's page with their unit history, the create and
//! edit forms, and the export of a subtree's people.

use crate::auth::{Can, Viewer};
use crate::views::{
    self, Crumb, FormErrors, Me, PageLink, page_links, query_value, render, render_invalid,
};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use lantoa_domain::accounts::Role;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::people::{Category, Gender, MemberStatus, PersonDraft, PersonInput};
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{ClosedList, OrgId, PersonId};
use lantoa_store::audit::{self, Actor, Change};
use lantoa_store::org::{self, Org, Scope};
use lantoa_store::people::{self, Membership, PeopleFilter, Person};
use lantoa_store::{DatabaseConnection, StoreError};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
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
    /// The id of the previous page's last person: the page is read from after them (the
    /// "next page" link), not by skipping the earlier pages' rows.
    pub sau: Option<i64>,
}

impl ListQuery {
    /// The store filter within what the viewer may read, with the unit looked up (a unit
    /// that is missing or out of scope is a 404).
    pub async fn filter(
        &self,
        db: &DatabaseConnection,
        viewer: &Viewer,
    ) -> Result<(PeopleFilter, Option<Org>), AppError> {
        let org = match self.org {
            Some(id) => {
                let org = org::get(db, OrgId(id)).await?;
                viewer.require(Role::Leader, &org)?;
                Some(org)
            }
            None => None,
        };
        let filter = PeopleFilter {
            scope: match &org {
                Some(o) => Scope::Subtrees(vec![o.subtree()]),
                None => viewer.scope(Role::Leader),
            },
            query: self.q.clone(),
            category: Category::from_code(&self.category),
            status: MemberStatus::from_code(&self.status),
            leaders_only: self.leaders.is_some(),
            after: self.sau.map(PersonId),
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
    me: Me,
    can_export: bool,
    query: ListQuery,
    org: Option<Org>,
    people: Vec<Person>,
    total: String,
    /// More people match than were counted: the list shows the first found.
    capped: bool,
    /// Where counting stops, "10.000".
    cap: String,
    links: Vec<PageLink>,
    categories: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
}

fn options<T: ClosedList>() -> Vec<(&'static str, &'static str)> {
    T::ALL.iter().map(|v| (v.code(), v.label())).collect()
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<ListQuery>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Leader)?;
    let db = state.store.db();
    let (filter, org) = query.filter(db, &viewer).await?;
    let page = people::search(db, &filter, query.page.unwrap_or(1), PER_PAGE).await?;
    let crumbs = match &org {
        Some(o) => viewer.org_crumbs(&org::lineage(db, o).await?, Some("Nhân sự")),
        None => vec![Crumb::here("Nhân sự")],
    };
    // The next page is read from after this page's last person.
    let last = page.items.last().map(|p| p.id.0);
    let links = page_links(page.page, page.pages(), |p| match last {
        Some(id) if p == page.page + 1 && query.q.trim().is_empty() => {
            format!("{}&sau={id}", query.href(p))
        }
        _ => query.href(p),
    });
    let title = match &org {
        Some(o) => format!("Nhân sự — {}", o.name),
        None => "Nhân sự".to_owned(),
    };
    let view = ListPage {
        title,
        crumbs,
        me: viewer.me(),
        can_export: org.as_ref().is_some_and(|o| viewer.can_at(o).edit),
        total: views::total(&page),
        capped: page.capped,
        cap: views::number(page.total),
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
    me: Me,
    can: Can,
    /// Whether citizen ID, phone, email and birth date are shown.
    personal: bool,
    person: Person,
    history: Vec<Membership>,
    /// The person's own unseen reminders (only on their own page).
    reminders: Vec<lantoa_store::reminders::Reminder>,
}

impl ShowPage {
    fn when(&self, r: &lantoa_store::reminders::Reminder) -> String {
        r.created_at
            .with_timezone(&chrono::Local)
            .format("%H:%M ngày %d/%m/%Y")
            .to_string()
    }

    fn date(&self, d: &Option<chrono::NaiveDate>) -> String {
        views::date(d)
    }
}

async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let person = people::get(db, PersonId(id)).await?;
    let unit = org::get(db, person.org_id).await?;
    if !viewer.is_person(person.id) {
        viewer.require(Role::Leader, &unit)?;
    }
    let history = people::history(db, person.id).await?;
    let reminders = if viewer.is_person(person.id) {
        lantoa_store::reminders::for_person(db, person.id, true).await?
    } else {
        Vec::new()
    };
    let page = ShowPage {
        reminders,
        title: person.details.full_name.clone(),
        crumbs: viewer.org_crumbs(
            &org::lineage(db, &unit).await?,
            Some(&person.details.full_name),
        ),
        me: viewer.me(),
        can: viewer.can_at(&unit),
        personal: viewer.sees_personal_data(person.id, &unit),
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
    me: Me,
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
    viewer: &Viewer,
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
        viewer.org_crumbs(&lineage, Some(current))
    };
    Ok(FormPage {
        title,
        crumbs,
        me: viewer.me(),
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
    viewer: Viewer,
    Query(q): Query<NewQuery>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Staff)?;
    let unit = match q.org {
        Some(id) => {
            let unit = org::get(state.store.db(), OrgId(id)).await?;
            viewer.require(Role::Staff, &unit)?;
            Some(unit)
        }
        None => None,
    };
    let form = PersonForm {
        org_code: unit.as_ref().map(|u| u.code.clone()).unwrap_or_default(),
        ..Default::default()
    };
    Ok(render(
        &form_page(
            &state,
            &viewer,
            None,
            unit.as_ref(),
            form,
            FieldErrors::default(),
        )
        .await?,
    )?
    .into_response())
}

/// The unit a form names, which the viewer must be staff of: a unit outside the scope is
/// reported at the field like one that does not exist.
async fn unit_for_form(
    db: &DatabaseConnection,
    viewer: &Viewer,
    code: &str,
) -> Result<Result<Org, StoreError>, AppError> {
    let unit = org::get_by_code(db, code)
        .await?
        .filter(|u| viewer.role_at(u).is_some());
    Ok(match unit {
        Some(u) if viewer.role_at(&u) >= Some(Role::Staff) => Ok(u),
        Some(u) => Err(StoreError::invalid(
            "org_code",
            format!("Bạn không có quyền thêm nhân sự vào đơn vị «{}»", u.code),
        )),
        None => Err(StoreError::invalid(
            "org_code",
            format!("Không có đơn vị mã «{}» trong phạm vi của bạn", code.trim()),
        )),
    })
}

/// The draft when both the fields and the unit are valid, else every error at once (the
/// unit's only when the code itself was valid).
fn checked(
    draft: Result<PersonDraft, FieldErrors>,
    unit: Result<Org, StoreError>,
) -> Result<PersonDraft, StoreError> {
    match (draft, unit) {
        (Ok(draft), Ok(_)) => Ok(draft),
        (Err(mut errors), Err(StoreError::Invalid(unit_errors))) => {
            if errors.get("org_code").is_none() {
                errors.append(unit_errors);
            }
            Err(StoreError::Invalid(errors))
        }
        (Err(errors), _) => Err(StoreError::Invalid(errors)),
        (Ok(_), Err(e)) => Err(e),
    }
}

async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    viewer.require_somewhere(Role::Staff)?;
    let db = state.store.db();
    let unit = unit_for_form(db, &viewer, &form.org_code).await?;
    let result = match checked(form.to_input().validate(crate::today()), unit) {
        Ok(draft) => people::create(db, &viewer.actor, &draft).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/nhan-su/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let unit = unit_for_form(db, &viewer, &form.org_code).await?.ok();
            render_invalid(&form_page(&state, &viewer, None, unit.as_ref(), form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let person = people::get(db, PersonId(id)).await?;
    let unit = org::get(db, person.org_id).await?;
    viewer.require(Role::Staff, &unit)?;
    let form = PersonForm::from_person(&person);
    Ok(render(
        &form_page(
            &state,
            &viewer,
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
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<PersonForm>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    let person = people::get(db, PersonId(id)).await?;
    let unit = org::get(db, person.org_id).await?;
    viewer.require(Role::Staff, &unit)?;
    let today = crate::today();
    // A transfer needs staff rights over the new unit as well as the old one.
    let new_unit = unit_for_form(db, &viewer, &form.org_code).await?;
    let result = match checked(form.to_input().validate(today), new_unit) {
        Ok(draft) => people::update(db, &viewer.actor, person.id, &draft, today).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/nhan-su/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &form_page(&state, &viewer, Some(&person), Some(&unit), form, errors).await?,
        ),
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

    /// A table of text (a bold header row, then the rows) in this format.
    pub fn table(
        self,
        sheet: &str,
        header: &[&str],
        rows: impl IntoIterator<Item = Vec<String>>,
    ) -> Result<Vec<u8>, AppError> {
        Ok(match self {
            ExportFormat::Xlsx => lantoa_office::export::xlsx(sheet, header, rows)?,
            ExportFormat::Csv => lantoa_office::export::csv(header, rows)?,
        })
    }

    /// The file as a download named `stem` with this format's extension.
    pub fn download(self, stem: &str, bytes: Vec<u8>) -> axum::response::Response {
        crate::views::download(&format!("{stem}.{}", self.extension()), self.mime(), bytes)
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
    // The caller has checked the exporter is staff over the unit.
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
