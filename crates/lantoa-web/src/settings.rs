//! The settings page: system administrators choose who approves personal plans, who must
//! have one, the rating bands of the regulation in force and the cap on "xuất sắc". Bad
//! input re-renders the form with each error beside its field, nothing saved.

use crate::auth::Viewer;
use crate::views::{self, Crumb, FormErrors, Me, render, render_invalid};
use crate::{AppError, AppState, STAFF};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use lantoa_domain::ClosedList;
use lantoa_domain::commendations::{CommendationForm, Powers, power_code};
use lantoa_domain::findings::{THRESHOLD_FIELDS, ThresholdField};
use lantoa_domain::people::Category;
use lantoa_domain::settings::{PlanApprover, SettingsInput};
use lantoa_domain::validation::FieldErrors;

pub fn routes() -> crate::Routes {
    crate::Routes::new().route("/cai-dat", get(settings_form).post(save_settings))
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    title: String,
    crumbs: Vec<Crumb>,
    me: Me,
    form: SettingsInput,
    approvers: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static Category, bool)>,
    /// Forms, then each issuing kind with a box per form: (kind label, [(code, ticked)]).
    forms: Vec<&'static str>,
    powers: Vec<(&'static str, Vec<(String, bool)>)>,
    thresholds: &'static [ThresholdField],
    notice: String,
    errors: FormErrors,
}

fn page(viewer: &Viewer, form: SettingsInput, notice: &str, errors: FieldErrors) -> SettingsPage {
    SettingsPage {
        title: "Cài đặt".into(),
        crumbs: vec![Crumb::here("Cài đặt")],
        me: viewer.me(),
        approvers: PlanApprover::ALL
            .iter()
            .map(|a| (a.code(), a.label()))
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|c| (c, form.requires(c)))
            .collect(),
        forms: CommendationForm::ALL.iter().map(|f| f.label()).collect(),
        powers: Powers::issuers()
            .into_iter()
            .map(|k| {
                let boxes = CommendationForm::ALL
                    .iter()
                    .map(|f| {
                        let code = power_code(k, *f);
                        let on = form.grants(&code);
                        (code, on)
                    })
                    .collect();
                (k.label(), boxes)
            })
            .collect(),
        thresholds: &THRESHOLD_FIELDS,
        form,
        notice: notice.into(),
        errors: FormErrors(errors),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct Saved {
    #[serde(default)]
    luu: String,
}

async fn settings_form(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response, AppError> {
    viewer.require_system_admin()?;
    let settings = lantoa_store::settings::load(state.store.db()).await?;
    let notice = if q.luu.is_empty() {
        ""
    } else {
        "Đã lưu cài đặt."
    };
    let form = SettingsInput::from_settings(&settings);
    Ok(render(&page(&viewer, form, notice, FieldErrors::default()))?.into_response())
}

/// The form's fields; categories are a repeated field.
fn input(fields: &[(String, String)]) -> SettingsInput {
    let one = |name: &str| views::field_text(fields, name);
    SettingsInput {
        plan_approver: one("plan_approver"),
        plan_required: views::field_all(fields, "plan_required"),
        regulation: one("regulation"),
        excellent: one("excellent"),
        good: one("good"),
        done: one("done"),
        excellent_cap_percent: one("excellent_cap_percent"),
        powers: views::field_all(fields, "powers"),
        thresholds: THRESHOLD_FIELDS
            .iter()
            .map(|f| (f.name.to_owned(), one(f.name)))
            .collect(),
        margins: ["margin_top", "margin_bottom", "margin_left", "margin_right"].map(one),
        font: one("font"),
    }
}

async fn save_settings(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    viewer.require_system_admin()?;
    let form = input(&fields);
    match form.validate() {
        Ok(settings) => {
            lantoa_store::settings::save(state.store.db(), &viewer.actor, &settings).await?;
            Ok(Redirect::to(&format!("{STAFF}/cai-dat?luu=1")).into_response())
        }
        Err(errors) => render_invalid(&page(&viewer, form, "", errors)),
    }
}
