//! The creative-works award. Staff: the rounds run in a subtree and launching one (a
//! committee's staff); a round's entries counted by field and by author kind, each count
//! leading to its entries; the authors' contacts only for the round's staff; entering a
//! work brought on paper. Public: the open rounds with their rules, and the form by which
//! authors send a work while a round is open.

use crate::auth::Viewer;
use crate::public::{Challenge, cached, check_challenge, new_challenge};
use crate::study::{StudyQuery, unit_and_year};
use crate::views::{
    self, Crumb, Dates, FormErrors, Me, Numbers, PageLink, page_links, render, render_invalid,
};
use crate::{AppError, AppState, RequestActor, STAFF};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use lantoa_domain::ClosedList;
use lantoa_domain::accounts::Role;
use lantoa_domain::award::{
    AuthorKind, AwardField, EntryInput, PrizeTier, RUBRIC, RoundInput, RoundStage, ScoreInput,
};
use lantoa_domain::validation::FieldErrors;
use lantoa_store::StoreError;
use lantoa_store::award::{self, Entry, EntrySource, Round};
use lantoa_store::judging::{self, BlindEntry, Judge, Standing};
use lantoa_store::org::{self, Org};
use serde::Deserialize;

pub fn routes() -> crate::Routes {
    crate::Routes::new()
        .route("/giai-thuong", get(rounds_page).post(create_round))
        .route("/giai-thuong/{id}", get(round_page))
        .route(
            "/giai-thuong/{id}/tac-pham",
            post(enter_work).layer(axum::extract::DefaultBodyLimit::max(WORK_BODY_LIMIT)),
        )
        .route("/giai-thuong/{id}/tep/{file}", get(round_file))
        .route("/giai-thuong/{id}/giam-khao", post(assign_judge))
        .route("/giai-thuong/{id}/vong", post(next_stage))
        .route("/cham-giai", get(judged_rounds))
        .route("/cham-giai/{id}", get(judging_page).post(score_entry))
        .route("/cham-giai/{id}/tep/{file}", get(judged_file))
}

pub fn public_routes() -> crate::Routes {
    crate::Routes::new()
        .public("/giai-thuong-sang-tac", get(public_rounds))
        .public(
            "/giai-thuong-sang-tac/{id}",
            get(entry_form).post(send_entry),
        )
}

const PER_PAGE: u64 = 30;
/// The largest request bringing a work: its file and the form around it.
const WORK_BODY_LIMIT: usize = lantoa_domain::files::MAX_ATTACHMENT_BYTES + 1024 * 1024;
/// Public entries accepted from one address in an hour.
pub const ENTRIES_PER_HOUR: i64 = 5;

/// The round form as posted.
#[derive(Debug, Default, Deserialize)]
struct RoundForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    rules: String,
    #[serde(default)]
    opens_on: String,
    #[serde(default)]
    closes_on: String,
    #[serde(default)]
    dac_biet: String,
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
    #[serde(default)]
    c: String,
    #[serde(default)]
    khuyen_khich: String,
}

impl RoundForm {
    fn input(&self) -> RoundInput {
        RoundInput {
            name: self.name.clone(),
            rules: self.rules.clone(),
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            prizes: [
                self.dac_biet.clone(),
                self.a.clone(),
                self.b.clone(),
                self.c.clone(),
                self.khuyen_khich.clone(),
            ],
        }
    }

    /// The typed count of a tier, by its code.
    fn prize(&self, code: &str) -> &str {
        match code {
            "dac_biet" => &self.dac_biet,
            "a" => &self.a,
            "b" => &self.b,
            "c" => &self.c,
            _ => &self.khuyen_khich,
        }
    }
}

#[derive(Template)]
#[template(path = "award/rounds.html")]
struct RoundsPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    unit: Org,
    rounds: Vec<Round>,
    can_add: bool,
    tiers: Vec<(&'static str, &'static str)>,
    form: RoundForm,
    today: NaiveDate,
    errors: FormErrors,
}

impl Dates for RoundsPage {}

async fn rounds_view(
    state: &AppState,
    viewer: &Viewer,
    q: &StudyQuery,
    form: RoundForm,
    errors: FieldErrors,
) -> Result<RoundsPage, AppError> {
    let (unit, _, _, _) = unit_and_year(state, viewer, q, Role::Leader).await?;
    let db = state.store.db();
    let lineage = org::lineage(db, &unit).await?;
    Ok(RoundsPage {
        title: format!("Giải thưởng sáng tác, quảng bá — {}", unit.name),
        crumbs: viewer.org_crumbs(&lineage, Some("Giải thưởng")),
        me: viewer.me(),
        rounds: award::rounds(db, &unit.subtree()).await?,
        can_add: viewer.can_at(&unit).edit,
        tiers: PrizeTier::ALL
            .iter()
            .map(|t| (t.code(), t.label()))
            .collect(),
        form,
        today: crate::today(),
        errors: FormErrors(errors),
        unit,
    })
}

async fn rounds_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
) -> Result<Response, AppError> {
    let page = rounds_view(
        &state,
        &viewer,
        &q,
        RoundForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

async fn create_round(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<StudyQuery>,
    axum::Form(form): axum::Form<RoundForm>,
) -> Result<Response, AppError> {
    let (unit, _, _, _) = unit_and_year(&state, &viewer, &q, Role::Staff).await?;
    let saved = match form.input().validate() {
        Ok(draft) => award::create_round(state.store.db(), &viewer.actor, &unit, &draft).await,
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("{STAFF}/giai-thuong/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&rounds_view(&state, &viewer, &q, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// The entry form as posted (staff or public).
#[derive(Debug, Default, Deserialize)]
struct EntryForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    genre: String,
    #[serde(default)]
    authors: String,
    #[serde(default)]
    pen_names: String,
    #[serde(default)]
    author_kind: String,
    #[serde(default)]
    work_unit: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    made_on: String,
    #[serde(default)]
    link: String,
    #[serde(default)]
    original: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    expires: String,
    #[serde(default)]
    token: String,
    /// Left empty by people; filled by scripts that fill every field.
    #[serde(default)]
    website: String,
}

/// What the file of a work may be: a text, a score or a picture; sound and film by link.
const WORK_KINDS: [lantoa_domain::files::FileKind; 4] = [
    lantoa_domain::files::FileKind::Pdf,
    lantoa_domain::files::FileKind::Docx,
    lantoa_domain::files::FileKind::Jpeg,
    lantoa_domain::files::FileKind::Png,
];

impl EntryForm {
    /// The form as posted with its file (multipart).
    fn posted(p: &views::MultipartForm) -> Self {
        EntryForm {
            title: p.text("title"),
            field: p.text("field"),
            genre: p.text("genre"),
            authors: p.text("authors"),
            pen_names: p.text("pen_names"),
            author_kind: p.text("author_kind"),
            work_unit: p.text("work_unit"),
            phone: p.text("phone"),
            email: p.text("email"),
            made_on: p.text("made_on"),
            link: p.text("link"),
            original: p.text("original"),
            answer: p.text("answer"),
            expires: p.text("expires"),
            token: p.text("token"),
            website: p.text("website"),
        }
    }

    /// The entry checked, with its file if one was chosen; every error on `errors`.
    async fn checked(
        &self,
        posted: &views::MultipartForm,
        round: &Round,
        today: NaiveDate,
        errors: &mut FieldErrors,
    ) -> Result<
        Option<(
            lantoa_domain::award::EntryDraft,
            Option<lantoa_store::files::NewFile>,
        )>,
        AppError,
    > {
        let draft = self
            .input()
            .validate(round.works_from(), today)
            .map_err(|e| errors.append(e))
            .ok();
        let file = match &posted.file {
            None => None,
            Some(_) => {
                match posted
                    .attachment(&WORK_KINDS, lantoa_domain::files::MAX_ATTACHMENT_BYTES)
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
        Ok(draft.filter(|_| errors.is_empty()).map(|d| (d, file)))
    }

    fn input(&self) -> EntryInput {
        EntryInput {
            title: self.title.clone(),
            field: self.field.clone(),
            genre: self.genre.clone(),
            authors: self.authors.clone(),
            pen_names: self.pen_names.clone(),
            author_kind: self.author_kind.clone(),
            work_unit: self.work_unit.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            made_on: self.made_on.clone(),
            link: self.link.clone(),
            original: !self.original.is_empty(),
        }
    }
}

/// The lists an entry form chooses from.
struct EntryChoices {
    fields: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
}

impl EntryChoices {
    fn new() -> Self {
        EntryChoices {
            fields: AwardField::ALL
                .iter()
                .map(|f| (f.code(), f.label()))
                .collect(),
            kinds: AuthorKind::ALL
                .iter()
                .map(|k| (k.code(), k.label()))
                .collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct RoundQuery {
    page: Option<u64>,
    #[serde(default)]
    field: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    prize: String,
}

#[derive(Template)]
#[template(path = "award/round.html")]
struct RoundPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    round: Round,
    figures: award::EntryFigures,
    rows: Vec<Entry>,
    /// The works' files, by entry.
    files: std::collections::HashMap<i64, Vec<lantoa_store::files::StoredFile>>,
    total: String,
    links: Vec<PageLink>,
    filtered: bool,
    /// Staff of the round's committee: contacts shown, works entered, judges assigned.
    staff: bool,
    choices: EntryChoices,
    form: EntryForm,
    judges: Vec<Judge>,
    judge_form: JudgeForm,
    /// Entries with their mean scores, best first (with the proposed prizes in the final).
    standings: Vec<Standing>,
    errors: FormErrors,
}

impl Numbers for RoundPage {}

impl Dates for RoundPage {}

impl RoundPage {
    fn prizes(&self) -> String {
        prize_list(&self.round)
    }

    fn files_of(&self, e: &Entry) -> &[lantoa_store::files::StoredFile] {
        self.files.get(&e.id).map_or(&[], Vec::as_slice)
    }

    fn score(&self, score: &Option<f64>) -> String {
        Standing::shown(*score)
    }

    /// Standings shown: everything in the preliminary round; finalists after.
    fn shown_standings(&self) -> Vec<&Standing> {
        self.standings
            .iter()
            .filter(|s| self.round.stage == RoundStage::Preliminary || s.entry.finalist)
            .collect()
    }
}

/// A judge assignment as posted.
#[derive(Debug, Default, Deserialize)]
struct JudgeForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    field: String,
}

/// "Giải A: 2; Giải B: 4" — the tiers with prizes.
fn prize_list(round: &Round) -> String {
    PrizeTier::ALL
        .iter()
        .zip(round.prizes)
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{}: {n}", t.label()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A round the viewer may read (leaders and staff over its committee), and whether they
/// are its staff; 404 for anyone else.
async fn round_in_reach(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
) -> Result<(Round, Org, bool), AppError> {
    let db = state.store.db();
    let round = award::round(db, id).await?;
    let committee = org::get(db, round.org_id).await?;
    viewer.require(Role::Leader, &committee)?;
    let staff = viewer.can_at(&committee).edit;
    Ok((round, committee, staff))
}

/// The forms of a round's page as typed, when one was refused.
#[derive(Default)]
struct RoundForms {
    entry: EntryForm,
    judge: JudgeForm,
}

async fn round_view(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    q: &RoundQuery,
    forms: RoundForms,
    errors: FieldErrors,
) -> Result<RoundPage, AppError> {
    let (round, committee, staff) = round_in_reach(state, viewer, id).await?;
    let db = state.store.db();
    let figures = award::figures(db, id).await?;
    let narrowed = award::EntryFilter {
        field: AwardField::from_code(&q.field),
        author_kind: AuthorKind::from_code(&q.kind),
        prize: PrizeTier::from_code(&q.prize),
    };
    let page = award::entries(db, id, narrowed, q.page.unwrap_or(1), PER_PAGE).await?;
    let filter = views::filter_query(&[
        ("field", q.field.clone()),
        ("kind", q.kind.clone()),
        ("prize", q.prize.clone()),
    ]);
    let links = page_links(page.page, page.pages(), |p| {
        format!("{STAFF}/giai-thuong/{id}?page={p}{filter}#danh-sach")
    });
    let lineage = org::lineage(db, &committee).await?;
    Ok(RoundPage {
        title: round.name.clone(),
        crumbs: viewer.org_crumbs(&lineage, Some("Giải thưởng")),
        me: viewer.me(),
        figures,
        files: award::files_of(db, &page.items.iter().map(|e| e.id).collect::<Vec<_>>()).await?,
        total: views::number(page.total),
        rows: page.items,
        links,
        filtered: narrowed != award::EntryFilter::default(),
        judges: judging::judges(db, id).await?,
        standings: judging::standings(db, &round).await?,
        staff,
        choices: EntryChoices::new(),
        form: forms.entry,
        judge_form: forms.judge,
        errors: FormErrors(errors),
        round,
    })
}

async fn round_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> Result<Response, AppError> {
    let page = round_view(
        &state,
        &viewer,
        id,
        &q,
        RoundForms::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// Enters a work the authors brought on paper (staff of the round's committee), at any
/// time.
async fn enter_work(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let (round, _, staff) = round_in_reach(&state, &viewer, id).await?;
    if !staff {
        return Err(AppError::Forbidden);
    }
    let posted = views::MultipartForm::read(&mut multipart, "file").await?;
    let form = EntryForm::posted(&posted);
    let today = crate::today();
    let mut errors = FieldErrors::default();
    let saved = match form.checked(&posted, &round, today, &mut errors).await? {
        Some((draft, file)) => {
            let work = file.as_ref().map(|f| (state.store.files(), f));
            award::submit(
                state.store.db(),
                &viewer.actor,
                &round,
                &draft,
                EntrySource::Staff,
                today,
                work,
            )
            .await
        }
        None => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("{STAFF}/giai-thuong/{id}#danh-sach")).into_response()),
        Err(StoreError::Invalid(errors)) => {
            let forms = RoundForms {
                entry: form,
                ..Default::default()
            };
            render_invalid(
                &round_view(&state, &viewer, id, &RoundQuery::default(), forms, errors).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// A work's file, to those who read the round.
async fn round_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    round_in_reach(&state, &viewer, id).await?;
    let (_, file) = award::entry_file(state.store.db(), id, file).await?;
    views::stored_file(&state, &file).await
}

/// A work's file, to the judges of its field.
async fn judged_file(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let db = state.store.db();
    if !judging::judges_file(db, id, viewer.principal.account_id, file).await? {
        return Err(AppError::NotFound);
    }
    let (_, file) = award::entry_file(db, id, file).await?;
    views::stored_file(&state, &file).await
}

/// The round's page after a change: back to it, or again with why not.
async fn after_change(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    saved: Result<(), StoreError>,
    forms: RoundForms,
) -> Result<Response, AppError> {
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("{STAFF}/giai-thuong/{id}")).into_response()),
        Err(StoreError::Invalid(errors)) => render_invalid(
            &round_view(state, viewer, id, &RoundQuery::default(), forms, errors).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// Makes an account a judge of a field (staff of the round's committee).
async fn assign_judge(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<JudgeForm>,
) -> Result<Response, AppError> {
    let (round, _, staff) = round_in_reach(&state, &viewer, id).await?;
    if !staff {
        return Err(AppError::Forbidden);
    }
    let db = state.store.db();
    let mut errors = FieldErrors::default();
    let account = lantoa_store::accounts::get_by_username(db, &form.username).await?;
    if account.is_none() {
        errors.add(
            "username",
            format!("Không có tài khoản «{}»", form.username.trim()),
        );
    }
    let field = AwardField::from_code(form.field.trim());
    if field.is_none() {
        errors.add("judge", "Chọn lĩnh vực giám khảo chấm");
    }
    let saved = match (account, field) {
        (Some((account, _)), Some(field)) if errors.is_empty() => {
            judging::assign(db, &viewer.actor, &round, account.id, field).await
        }
        _ => Err(StoreError::Invalid(errors)),
    };
    let forms = RoundForms {
        judge: form,
        ..Default::default()
    };
    after_change(&state, &viewer, id, saved, forms).await
}

#[derive(Debug, Default, Deserialize)]
struct StageForm {
    #[serde(default)]
    stage: String,
}

/// Closes the preliminary round, or confirms the results (staff of the round's committee).
async fn next_stage(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<StageForm>,
) -> Result<Response, AppError> {
    let (round, _, staff) = round_in_reach(&state, &viewer, id).await?;
    if !staff {
        return Err(AppError::Forbidden);
    }
    let db = state.store.db();
    let saved = match RoundStage::from_code(&form.stage) {
        Some(RoundStage::Final) => judging::close_preliminary(db, &viewer.actor, &round).await,
        Some(RoundStage::Published) => {
            judging::confirm(db, &viewer.actor, &round, crate::today()).await
        }
        _ => return Err(AppError::NotFound),
    };
    after_change(
        &state,
        &viewer,
        id,
        saved.map(|_| ()),
        RoundForms::default(),
    )
    .await
}

#[derive(Template)]
#[template(path = "award/judged.html")]
struct JudgedPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    rounds: Vec<(Round, String)>,
}

/// The rounds the signed-in account judges.
async fn judged_rounds(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    let account = viewer.principal.account_id;
    let rounds = judging::judged_rounds(state.store.db(), account)
        .await?
        .into_iter()
        .map(|(r, fields)| {
            let fields = fields
                .iter()
                .map(|f| f.label())
                .collect::<Vec<_>>()
                .join(", ");
            (r, fields)
        })
        .collect();
    let page = JudgedPage {
        title: "Chấm giải thưởng sáng tác".into(),
        crumbs: Vec::new(),
        me: viewer.me(),
        rounds,
    };
    Ok(render(&page)?.into_response())
}

/// A score as posted: the entry, the points of the rubric, a conflict declared.
#[derive(Debug, Default, Deserialize)]
struct ScoreForm {
    entry: Option<i64>,
    #[serde(default)]
    content: String,
    #[serde(default)]
    art: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    conflict: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "award/judging.html")]
struct JudgingPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    round: Round,
    entries: Vec<BlindEntry>,
    rubric: Vec<(&'static str, &'static str, i32)>,
    form: ScoreForm,
    errors: FormErrors,
}

impl Dates for JudgingPage {}

impl JudgingPage {
    fn refused_here(&self, e: &BlindEntry) -> bool {
        self.form.entry == Some(e.id)
    }

    /// The points shown in a criterion's box: as typed after a refusal, else as stored.
    fn points(&self, e: &BlindEntry, field: &str) -> String {
        if self.refused_here(e) {
            return match field {
                "content" => self.form.content.clone(),
                "art" => self.form.art.clone(),
                _ => self.form.impact.clone(),
            };
        }
        match field {
            "content" => e.content,
            "art" => e.art,
            _ => e.impact,
        }
        .map(|p| p.to_string())
        .unwrap_or_default()
    }

    fn done(&self) -> usize {
        self.entries.iter().filter(|e| e.done()).count()
    }
}

/// A round the signed-in account judges at a stage still open; 404 for anyone else.
async fn judged_round(state: &AppState, viewer: &Viewer, id: i64) -> Result<Round, AppError> {
    let db = state.store.db();
    let round = award::round(db, id).await?;
    if judging::fields_of(db, id, viewer.principal.account_id)
        .await?
        .is_empty()
    {
        return Err(AppError::NotFound);
    }
    Ok(round)
}

async fn judging_view(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    form: ScoreForm,
    errors: FieldErrors,
) -> Result<JudgingPage, AppError> {
    let round = judged_round(state, viewer, id).await?;
    Ok(JudgingPage {
        title: format!(
            "Chấm {} — {}",
            round.stage.label().to_lowercase(),
            round.name
        ),
        crumbs: Vec::new(),
        me: viewer.me(),
        entries: judging::blind_entries(state.store.db(), &round, viewer.principal.account_id)
            .await?,
        rubric: RUBRIC.to_vec(),
        form,
        errors: FormErrors(errors),
        round,
    })
}

async fn judging_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = judging_view(
        &state,
        &viewer,
        id,
        ScoreForm::default(),
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// A judge scores an entry of their field, blind, or declares a conflict on it.
async fn score_entry(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ScoreForm>,
) -> Result<Response, AppError> {
    let round = judged_round(&state, &viewer, id).await?;
    let entry = form.entry.ok_or(AppError::NotFound)?;
    let input = ScoreInput {
        points: [form.content.clone(), form.art.clone(), form.impact.clone()],
        conflict: !form.conflict.is_empty(),
        note: form.note.clone(),
    };
    let saved = match input.validate() {
        Ok(draft) => {
            judging::score(
                state.store.db(),
                &viewer.actor,
                &round,
                viewer.principal.account_id,
                entry,
                &draft,
            )
            .await
        }
        Err(errors) => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(()) => {
            Ok(Redirect::to(&format!("{STAFF}/cham-giai/{id}#tac-pham-{entry}")).into_response())
        }
        Err(StoreError::Invalid(errors)) => {
            render_invalid(&judging_view(&state, &viewer, id, form, errors).await?)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "award/public_rounds.html")]
struct PublicRounds {
    title: String,
    rounds: Vec<(Round, String)>,
    published: Vec<Round>,
}

impl Dates for PublicRounds {}

async fn public_rounds(State(state): State<AppState>) -> Result<Response, AppError> {
    let rounds = award::open_rounds(state.store.db(), crate::today())
        .await?
        .into_iter()
        .map(|r| {
            let prizes = prize_list(&r);
            (r, prizes)
        })
        .collect();
    let page = PublicRounds {
        title: "Giải thưởng sáng tác, quảng bá tác phẩm về học tập và làm theo Bác".into(),
        rounds,
        published: award::published_rounds(state.store.db()).await?,
    };
    Ok(cached(render(&page)?))
}

#[derive(Template)]
#[template(path = "award/public_entry.html")]
struct PublicEntry {
    title: String,
    round: Round,
    winners: Vec<judging::Winner>,
    open: bool,
    sent: bool,
    choices: EntryChoices,
    form: EntryForm,
    challenge: Challenge,
    errors: FormErrors,
}

impl Dates for PublicEntry {}

async fn entry_view(
    state: &AppState,
    id: i64,
    form: EntryForm,
    sent: bool,
    errors: FieldErrors,
) -> Result<PublicEntry, AppError> {
    let db = state.store.db();
    let round = award::round(db, id).await?;
    let key = lantoa_store::settings::form_key(db).await?;
    Ok(PublicEntry {
        title: round.name.clone(),
        open: round.open_on(crate::today()) && round.stage == RoundStage::Preliminary,
        winners: judging::winners(db, id).await?,
        round,
        sent,
        choices: EntryChoices::new(),
        form,
        challenge: new_challenge(&key),
        errors: FormErrors(errors),
    })
}

async fn entry_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let page = entry_view(
        &state,
        id,
        EntryForm::default(),
        false,
        FieldErrors::default(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// A work sent by its authors: checked like the nomination form (a signed question, a
/// hidden field, a limit per address and hour), then like any entry.
async fn send_entry(
    State(state): State<AppState>,
    RequestActor(actor): RequestActor,
    Path(id): Path<i64>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let posted = views::MultipartForm::read(&mut multipart, "file").await?;
    let form = EntryForm::posted(&posted);
    let db = state.store.db();
    let round = award::round(db, id).await?;
    let addr = actor.client_addr.clone().unwrap_or_default();
    if award::public_since(db, &addr, Utc::now() - chrono::Duration::hours(1)).await?
        >= ENTRIES_PER_HOUR
    {
        let errors = FieldErrors::single(
            "form",
            "Đã nhận nhiều tác phẩm từ máy này trong một giờ qua. Xin gửi lại sau.",
        );
        let page = entry_view(&state, id, form, false, errors).await?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response());
    }
    let mut errors = FieldErrors::default();
    let key = lantoa_store::settings::form_key(db).await?;
    if let Err(message) = check_challenge(&key, &form.answer, &form.expires, &form.token) {
        errors.add("answer", message);
    }
    if !form.website.is_empty() {
        errors.add("answer", "Không gửi được tác phẩm này");
    }
    let today = crate::today();
    let saved = match form.checked(&posted, &round, today, &mut errors).await? {
        Some((draft, file)) => {
            let work = file.as_ref().map(|f| (state.store.files(), f));
            award::submit(db, &actor, &round, &draft, EntrySource::Public, today, work).await
        }
        None => Err(StoreError::Invalid(errors)),
    };
    match saved {
        Ok(_) => Ok(render(
            &entry_view(
                &state,
                id,
                EntryForm::default(),
                true,
                FieldErrors::default(),
            )
            .await?,
        )?
        .into_response()),
        Err(StoreError::Invalid(errors)) => {
            let page = entry_view(&state, id, form, false, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
