//! Applying imported rows of units, people and personal plans: validate every row against the file and the
//! database, report each bad row with its number and every reason, then write all valid
//! rows in one transaction, or nothing at all unless asked to skip bad rows. Rows are
//! matched to existing records so that importing the same file twice changes nothing.

use crate::StoreError;
use crate::Writer as _;
use crate::audit::{self, Actor, Change};
use crate::org::{self, Org, Scope};
use crate::people::{self, NewPerson, Person};
use chrono::NaiveDate;
use lantoa_domain::audit::AuditAction;
use lantoa_domain::org::OrgDraft;
use lantoa_domain::people::{PersonDraft, PersonInput};
use lantoa_domain::text::fold;
use lantoa_domain::validation::FieldErrors;
use lantoa_domain::{OrgId, PersonId};
use sea_orm::DatabaseConnection;
use std::collections::{HashMap, HashSet};

pub use lantoa_domain::import::{ImportOptions, ImportReport, OrgRowInput, RejectedRow, Row};

/// Reports progress: (what is being done, done, total).
pub type Progress<'a> = &'a (dyn Fn(&'static str, u64, u64) + Send + Sync);

enum Plan<T> {
    Create(T),
    Update(T),
    Unchanged,
}

/// One audit row for a whole import, with its counts (people imported are not logged one by
/// one: a 100 000-row file would write 100 000 rows; units are, through `org::create`).
async fn record_import<C: sea_orm::ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    action: AuditAction,
    report: &ImportReport,
) -> Result<(), StoreError> {
    let after = serde_json::json!({
        "read": report.read,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected.len(),
    });
    let change = Change {
        action,
        entity_type: "import",
        entity_id: None,
        org_id: None,
        before: serde_json::Value::Null,
        after,
    };
    audit::record(conn, actor, change).await
}

fn should_write(report: &ImportReport, options: ImportOptions) -> bool {
    !options.dry_run && (report.rejected.is_empty() || options.skip_invalid)
}

fn reject(rejected: &mut Vec<RejectedRow>, row: usize, errors: &FieldErrors) {
    rejected.push(RejectedRow {
        row,
        reasons: errors.joined(),
    });
}

/// The units a file's rows name, by code, read in one query per 30 000 codes.
async fn units_named<C: sea_orm::ConnectionTrait>(
    conn: &C,
    codes: impl Iterator<Item = String>,
) -> Result<HashMap<String, Org>, StoreError> {
    let codes: Vec<String> = codes
        .map(|c| lantoa_domain::org::normalise_code(&c))
        .filter(|c| !c.is_empty())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    org::by_codes(conn, &codes).await
}

/// The unit a row names by code, when it exists and is in scope; else why not, on the
/// field "org_code". An empty code is for the caller to judge.
fn unit_in_scope<'a>(
    units: &'a HashMap<String, Org>,
    scope: &Scope,
    code: &str,
    errors: &mut FieldErrors,
) -> Option<&'a Org> {
    let code = lantoa_domain::org::normalise_code(code);
    match units.get(&code) {
        None if code.is_empty() => None,
        None => {
            errors.add("org_code", format!("Không có đơn vị mã «{code}»"));
            None
        }
        Some(org) if !scope.contains(&org.path) => {
            errors.add(
                "org_code",
                format!("Đơn vị «{code}» nằm ngoài phạm vi quản lý của bạn"),
            );
            None
        }
        Some(org) => Some(org),
    }
}

/// Imports people. Rows match an existing person by party card number, else by folded
/// name, date of birth and unit.
pub async fn import_people(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    rows: Vec<Row<PersonInput>>,
    options: ImportOptions,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<ImportReport, StoreError> {
    let total = rows.len() as u64;
    let mut report = ImportReport {
        read: rows.len(),
        ..Default::default()
    };
    progress("Kiểm tra dữ liệu", 0, total);

    let mut drafts: Vec<(usize, PersonDraft)> = Vec::with_capacity(rows.len());
    let mut errors_by_row: HashMap<usize, FieldErrors> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        match row.input.validate(today) {
            Ok(draft) => drafts.push((row.number, draft)),
            Err(errors) => {
                errors_by_row.insert(row.number, errors);
            }
        }
        if i % 5000 == 0 {
            progress("Kiểm tra dữ liệu", i as u64, total);
        }
    }

    let orgs = units_named(db, rows.iter().map(|r| r.input.org_code.clone())).await?;
    // Checks that need no valid row run over every row, so that one pass over the file
    // reports every reason of a row: its unit exists, its card is not repeated in the file.
    let mut seen_card: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let mut errors = FieldErrors::default();
        unit_in_scope(&orgs, scope, &row.input.org_code, &mut errors);
        if let Some(card) = lantoa_domain::people::normalise_card(&row.input.party_card_no)
            && let Some(first) = seen_card.insert(card.clone(), row.number)
        {
            seen_card.insert(card.clone(), first);
            errors.add(
                "party_card_no",
                format!("Số thẻ đảng viên «{card}» trùng với dòng {first}"),
            );
        }
        if !errors.is_empty() {
            errors_by_row.entry(row.number).or_default().append(errors);
        }
    }
    let cards: Vec<String> = drafts
        .iter()
        .filter_map(|(_, d)| d.party_card_no.clone())
        .collect();
    let by_card: HashMap<String, Person> = people::by_cards(db, &cards)
        .await?
        .into_iter()
        .filter_map(|p| p.details.party_card_no.clone().map(|c| (c, p)))
        .collect();
    // A card may belong to someone of a unit outside the importer's scope: that person is
    // neither changed nor moved by this file.
    let card_org_ids: Vec<OrgId> = by_card.values().map(|p| p.org_id).collect();
    let card_orgs_in_scope: HashSet<OrgId> = org::get_many(db, &card_org_ids)
        .await?
        .into_iter()
        .filter(|o| scope.contains(&o.path))
        .map(|o| o.id)
        .collect();
    let org_ids: Vec<OrgId> = orgs.values().map(|o| o.id).collect();
    let mut by_key: HashMap<(String, Option<NaiveDate>, OrgId), Vec<Person>> = HashMap::new();
    for person in people::in_orgs(db, &org_ids).await? {
        by_key
            .entry((
                fold(&person.details.full_name),
                person.details.birth_date,
                person.org_id,
            ))
            .or_default()
            .push(person);
    }
    progress("Đối chiếu dữ liệu", total / 2, total);

    let mut seen_key: HashMap<(String, Option<NaiveDate>, OrgId), usize> = HashMap::new();
    let mut seen_person: HashMap<PersonId, usize> = HashMap::new();
    let mut plans: Vec<Plan<(NewPerson, Option<Person>)>> = Vec::with_capacity(drafts.len());
    for (number, draft) in drafts {
        let mut errors = FieldErrors::default();
        let org = match orgs.get(&draft.org_code) {
            Some(org) if org.is_active() => Some(org),
            Some(org) => {
                errors.add(
                    "org_code",
                    format!("Đơn vị «{}» ({}) đã lưu trữ", org.code, org.name),
                );
                None
            }
            // An unknown code was reported by the pass over every row.
            None => None,
        };
        let mut existing = None;
        if let Some(org) = org {
            let key = (fold(&draft.full_name), draft.birth_date, org.id);
            if let Some(first) = seen_key.insert(key.clone(), number)
                && draft.party_card_no.is_none()
            {
                errors.add(
                    "full_name",
                    format!("Trùng với dòng {first} (cùng họ tên, ngày sinh và đơn vị)"),
                );
            }
            existing = match draft.party_card_no.as_ref().and_then(|c| by_card.get(c)) {
                Some(person) if !card_orgs_in_scope.contains(&person.org_id) => {
                    errors.add(
                        "party_card_no",
                        format!(
                            "Số thẻ «{}» là của một người thuộc đơn vị ngoài phạm vi quản lý của bạn",
                            draft.party_card_no.clone().unwrap_or_default()
                        ),
                    );
                    None
                }
                Some(person) => Some(person.clone()),
                None => {
                    let candidates: Vec<&Person> = by_key
                        .get(&key)
                        .map(|v| {
                            v.iter()
                                .filter(|p| {
                                    p.details.party_card_no.is_none()
                                        || p.details.party_card_no == draft.party_card_no
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if candidates.len() > 1 {
                        errors.add(
                            "full_name",
                            "Có nhiều người cùng họ tên và ngày sinh trong đơn vị: hãy ghi số thẻ đảng viên để phân biệt",
                        );
                    }
                    candidates.first().map(|p| (*p).clone())
                }
            };
            if let Some(person) = &existing
                && let Some(first) = seen_person.insert(person.id, number)
            {
                errors.add(
                    "full_name",
                    format!(
                        "Dòng {first} cũng cập nhật {} — mỗi người chỉ một dòng",
                        person.details.full_name
                    ),
                );
            }
        }
        if !errors.is_empty() || errors_by_row.contains_key(&number) {
            errors_by_row.entry(number).or_default().append(errors);
            continue;
        }
        let Some(org) = org else { continue };
        let new = NewPerson {
            draft,
            org_id: org.id,
        };
        plans.push(match existing {
            None => Plan::Create((new, None)),
            Some(person) if person.details == new.draft => Plan::Unchanged,
            Some(person) => Plan::Update((new, Some(person))),
        });
    }
    let mut rejected_rows: Vec<usize> = errors_by_row.keys().copied().collect();
    rejected_rows.sort_unstable();
    for number in rejected_rows {
        reject(&mut report.rejected, number, &errors_by_row[&number]);
    }
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for plan in plans {
        match plan {
            Plan::Create((new, _)) => creates.push(new),
            Plan::Update((new, Some(person))) => updates.push((new, person)),
            Plan::Update((_, None)) | Plan::Unchanged => report.unchanged += 1,
        }
    }
    report.created = creates.len();
    report.updated = updates.len();
    if !should_write(&report, options) {
        return Ok(report);
    }
    progress("Ghi dữ liệu", total, total);
    let txn = db.begin_write().await?;
    people::insert_many(&txn, &creates).await?;
    for (new, current) in &updates {
        people::write_update(&txn, current, &new.draft, new.org_id, today).await?;
    }
    record_import(&txn, actor, AuditAction::ImportPeople, &report).await?;
    txn.commit().await?;
    report.written = true;
    Ok(report)
}

/// Imports units. Rows match existing units by code; a parent may be defined in the same
/// file, in any order. A changed parent moves the unit with its subtree.
pub async fn import_orgs(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    rows: Vec<Row<OrgRowInput>>,
    options: ImportOptions,
    progress: Progress<'_>,
) -> Result<ImportReport, StoreError> {
    let total = rows.len() as u64;
    let mut report = ImportReport {
        read: rows.len(),
        ..Default::default()
    };
    progress("Kiểm tra dữ liệu", 0, total);
    let mut errors_by_row: HashMap<usize, FieldErrors> = HashMap::new();
    let mut valid: Vec<(usize, OrgDraft, String)> = Vec::new();
    let mut row_of_code: HashMap<String, usize> = HashMap::new();
    for row in &rows {
        let parent_code = lantoa_domain::org::normalise_code(&row.input.parent_code);
        match row.input.org.validate() {
            Ok(draft) => {
                if let Some(first) = row_of_code.insert(draft.code.clone(), row.number) {
                    errors_by_row.entry(row.number).or_default().add(
                        "code",
                        format!("Mã đơn vị «{}» trùng với dòng {first}", draft.code),
                    );
                    row_of_code.insert(draft.code.clone(), first);
                } else if parent_code == draft.code {
                    errors_by_row
                        .entry(row.number)
                        .or_default()
                        .add("parent", "Đơn vị không thể là cấp trên của chính nó");
                } else {
                    valid.push((row.number, draft, parent_code));
                }
            }
            Err(errors) => {
                errors_by_row.insert(row.number, errors);
            }
        }
    }
    let mut codes: Vec<String> = valid.iter().map(|(_, d, _)| d.code.clone()).collect();
    codes.extend(
        valid
            .iter()
            .filter(|(_, _, p)| !p.is_empty())
            .map(|(_, _, p)| p.clone()),
    );
    codes.sort();
    codes.dedup();
    let stored: HashMap<String, Org> = org::by_codes(db, &codes).await?;
    let in_file: HashMap<String, (usize, String)> = valid
        .iter()
        .map(|(n, d, p)| (d.code.clone(), (*n, p.clone())))
        .collect();

    // A row is valid when its parent chain reaches a stored unit or a root, through valid
    // rows, without a cycle.
    let mut order: Vec<usize> = Vec::new();
    let mut state: HashMap<String, bool> = HashMap::new();
    for (number, draft, parent_code) in &valid {
        let mut errors = FieldErrors::default();
        let mut chain = vec![draft.code.clone()];
        let mut parent = parent_code.clone();
        let mut ok = true;
        while !parent.is_empty() {
            if chain.contains(&parent) {
                errors.add(
                    "parent",
                    format!("Vòng lặp cấp trên: {} → {parent}", chain.join(" → ")),
                );
                ok = false;
                break;
            }
            if let Some((parent_row, grand)) = in_file.get(&parent) {
                if errors_by_row.contains_key(parent_row) || state.get(&parent) == Some(&false) {
                    errors.add(
                        "parent",
                        format!("Đơn vị cấp trên «{parent}» ở dòng {parent_row} bị lỗi"),
                    );
                    ok = false;
                    break;
                }
                chain.push(parent.clone());
                parent = grand.clone();
            } else if let Some(org) = stored.get(&parent) {
                if !org.is_active() {
                    errors.add("parent", format!("Đơn vị cấp trên «{parent}» đã lưu trữ"));
                    ok = false;
                } else if !scope.contains(&org.path) {
                    errors.add(
                        "parent",
                        format!("Đơn vị cấp trên «{parent}» nằm ngoài phạm vi quản lý của bạn"),
                    );
                    ok = false;
                }
                break;
            } else {
                errors.add("parent", format!("Không có đơn vị cấp trên mã «{parent}»"));
                ok = false;
                break;
            }
        }
        if let Some(existing) = stored.get(&draft.code)
            && !scope.contains(&existing.path)
        {
            errors.add(
                "code",
                format!("Đơn vị «{}» nằm ngoài phạm vi quản lý của bạn", draft.code),
            );
            ok = false;
        }
        // Only a system administrator adds a top-level unit (or makes one of a unit).
        if ok && parent.is_empty() && !matches!(scope, Scope::All) {
            let top = chain.last().and_then(|code| stored.get(code));
            if top.is_none_or(|t| t.parent_id.is_some()) {
                errors.add(
                    "parent",
                    "Chỉ quản trị hệ thống được thêm đơn vị cấp cao nhất: hãy ghi mã đơn vị cấp trên",
                );
                ok = false;
            }
        }
        // A stored unit moved under one of its own descendants would form a cycle too.
        if ok && let Some(existing) = stored.get(&draft.code) {
            for ancestor in chain.iter().skip(1) {
                if let Some(a) = stored.get(ancestor)
                    && a.path.starts_with(&existing.path)
                {
                    errors.add(
                        "parent",
                        format!(
                            "Không thể chuyển «{}» vào đơn vị cấp dưới của nó «{ancestor}»",
                            draft.code
                        ),
                    );
                    ok = false;
                    break;
                }
            }
        }
        state.insert(draft.code.clone(), ok);
        if ok {
            order.push(*number);
        } else {
            errors_by_row.insert(*number, errors);
        }
    }
    // Rows whose parent row was found invalid later in the loop are rejected too.
    loop {
        let mut changed = false;
        for (number, draft, parent_code) in &valid {
            if errors_by_row.contains_key(number) {
                continue;
            }
            if let Some((parent_row, _)) = in_file.get(parent_code)
                && errors_by_row.contains_key(parent_row)
            {
                errors_by_row.insert(
                    *number,
                    FieldErrors::single(
                        "parent",
                        format!("Đơn vị cấp trên «{parent_code}» ở dòng {parent_row} bị lỗi"),
                    ),
                );
                state.insert(draft.code.clone(), false);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut numbers: Vec<usize> = errors_by_row.keys().copied().collect();
    numbers.sort_unstable();
    for number in numbers {
        reject(&mut report.rejected, number, &errors_by_row[&number]);
    }
    // Parents before children: sort valid rows by the depth of their chain in the file.
    let depth_in_file = |code: &str| {
        let mut depth = 0;
        let mut current = code.to_owned();
        while let Some((_, parent)) = in_file.get(&current) {
            if parent.is_empty() || depth > in_file.len() {
                break;
            }
            depth += 1;
            current = parent.clone();
        }
        depth
    };
    let mut writes: Vec<(usize, &OrgDraft, &String)> = valid
        .iter()
        .filter(|(n, _, _)| !errors_by_row.contains_key(n))
        .map(|(_, d, p)| (depth_in_file(&d.code), d, p))
        .collect();
    writes.sort_by_key(|(depth, _, _)| *depth);
    let mut plans = Vec::with_capacity(writes.len());
    for (_, draft, parent_code) in &writes {
        let plan = match stored.get(&draft.code) {
            None => Plan::Create(()),
            Some(existing) => {
                let same_parent = match (&existing.parent_id, parent_code.is_empty()) {
                    (None, true) => true,
                    (Some(pid), false) => stored.get(*parent_code).map(|p| p.id) == Some(*pid),
                    _ => false,
                };
                let same = existing.name == draft.name
                    && existing.kind == draft.kind
                    && existing.sector == draft.sector;
                if same && same_parent {
                    Plan::Unchanged
                } else {
                    Plan::Update(())
                }
            }
        };
        match plan {
            Plan::Create(()) => report.created += 1,
            Plan::Update(()) => report.updated += 1,
            Plan::Unchanged => report.unchanged += 1,
        }
        plans.push(plan);
    }
    if !should_write(&report, options) {
        return Ok(report);
    }
    progress("Ghi dữ liệu", total, total);
    let txn = db.begin_write().await?;
    let mut ids: HashMap<String, OrgId> = stored.iter().map(|(c, o)| (c.clone(), o.id)).collect();
    for ((_, draft, parent_code), plan) in writes.iter().zip(&plans) {
        let parent = if parent_code.is_empty() {
            None
        } else {
            ids.get(*parent_code).copied()
        };
        match plan {
            Plan::Create(()) => {
                let id = org::create(&txn, actor, draft, parent).await?;
                ids.insert(draft.code.clone(), id);
            }
            Plan::Update(()) => {
                let id = ids[&draft.code];
                org::update(&txn, actor, id, draft).await?;
                if let Some(parent) = parent {
                    org::move_to(&txn, actor, id, parent).await?;
                }
            }
            Plan::Unchanged => {}
        }
    }
    record_import(&txn, actor, AuditAction::ImportOrgs, &report).await?;
    txn.commit().await?;
    report.written = true;
    Ok(report)
}

/// A plan read from a file: whose, which year, the rows it came from and its contents.
struct PlanInFile {
    person: crate::people::Named,
    year: i32,
    rows: Vec<usize>,
    header: crate::plans::PlanHeader,
    commitments: Vec<lantoa_domain::plans::CommitmentDraft>,
}

/// Imports personal plans written on paper by people without an account: one row per
/// commitment, the rows of a person and year making their plan. Each plan is created (or,
/// while still a staff-entered draft or returned plan, replaced) and submitted, marked as
/// entered by staff. A plan identical to the stored one is unchanged, so a second run
/// changes nothing; a plan the person wrote themselves, or one already past submission, is
/// never overwritten. A bad row rejects its whole plan (a plan is never written in part).
pub async fn import_plans(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    rows: Vec<Row<lantoa_domain::plans::PlanRowInput>>,
    options: ImportOptions,
    progress: Progress<'_>,
) -> Result<ImportReport, StoreError> {
    use crate::plans::{self, PlanHeader, StepInput};
    use lantoa_domain::ClosedList;
    use lantoa_domain::plans::{CommitmentArea, CommitmentInput, PlanStep, check_commitments};
    let total = rows.len() as u64;
    let mut report = ImportReport {
        read: rows.len(),
        ..Default::default()
    };
    progress("Kiểm tra dữ liệu", 0, total);
    let years: HashMap<i32, crate::campaign::CampaignYear> = crate::campaign::years(db)
        .await?
        .into_iter()
        .map(|y| (y.year, y))
        .collect();
    let names: Vec<String> = rows
        .iter()
        .map(|r| fold(&r.input.full_name))
        .filter(|n| !n.is_empty())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let cards: Vec<String> = rows
        .iter()
        .filter_map(|r| lantoa_domain::people::normalise_card(&r.input.party_card_no))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let people: Vec<crate::people::Named> = crate::people::named_in_rows(db, &names, &cards)
        .await?
        .into_iter()
        .filter(|p| scope.contains(&p.path))
        .collect();
    let with_account: HashSet<i64> = {
        #[derive(sea_orm::FromQueryResult)]
        struct Owner {
            person_id: i64,
        }
        crate::sql::all_in::<Owner, _>(
            db,
            "SELECT person_id FROM accounts WHERE person_id IN ({list})",
            people.iter().map(|p| p.id.into()).collect(),
        )
        .await?
        .into_iter()
        .map(|o| o.person_id)
        .collect()
    };

    // Each row checked alone, then gathered into its person's plan of the year.
    let mut reasons_by_row: HashMap<usize, Vec<String>> = HashMap::new();
    let mut plans_in_file: Vec<PlanInFile> = Vec::new();
    let mut plan_of: HashMap<(i64, i32), usize> = HashMap::new();
    for row in &rows {
        let input = &row.input;
        let mut reasons: Vec<String> = Vec::new();
        let year = match input.year.trim().parse::<i32>() {
            Ok(y) if years.contains_key(&y) => Some(y),
            Ok(y) => {
                reasons.push(format!("Năm {y} chưa được mở trong Lan Tỏa"));
                None
            }
            Err(_) => {
                reasons.push("Ghi năm của kế hoạch bằng 4 chữ số, ví dụ 2026".into());
                None
            }
        };
        let person = match crate::people::find_named(
            &people,
            &input.full_name,
            &input.party_card_no,
            &input.org_code,
            "phạm vi quản lý của bạn",
        ) {
            Ok(p) if with_account.contains(&p.id) => {
                reasons.push(format!(
                    "{} có tài khoản Lan Tỏa: người này tự lập và nộp kế hoạch",
                    p.full_name
                ));
                None
            }
            Ok(p) => Some(p),
            Err(reason) => {
                reasons.push(reason);
                None
            }
        };
        let area = CommitmentArea::from_file(&input.commitment.area);
        if area.is_none() {
            reasons.push(format!(
                "Lĩnh vực «{}» không có trong danh sách: {}",
                input.commitment.area.trim(),
                CommitmentArea::ALL
                    .iter()
                    .map(|a| a.label())
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        // Checked even with an unknown area (as "Khác"), so every reason is reported.
        let commitment = CommitmentInput {
            area: area.unwrap_or(CommitmentArea::Other).code().to_owned(),
            ..input.commitment.clone()
        };
        let draft = match year {
            Some(y) => match check_commitments(std::slice::from_ref(&commitment), y) {
                Ok(mut drafts) if drafts.len() == 1 => drafts.pop().filter(|_| area.is_some()),
                Ok(_) => {
                    reasons.push("Dòng chưa ghi việc làm cụ thể".into());
                    None
                }
                Err(errors) => {
                    // "Việc 1: …" names the commitment on a form; here the row says it.
                    let text = errors.joined();
                    reasons.push(text.trim_start_matches("Việc 1: ").to_owned());
                    None
                }
            },
            None => None,
        };
        let group = match (person, year) {
            (Some(person), Some(year)) => {
                Some(*plan_of.entry((person.id, year)).or_insert_with(|| {
                    plans_in_file.push(PlanInFile {
                        person: person.clone(),
                        year,
                        rows: Vec::new(),
                        header: PlanHeader::default(),
                        commitments: Vec::new(),
                    });
                    plans_in_file.len() - 1
                }))
            }
            _ => None,
        };
        // A bad row stays in its plan's rows, so that the plan is refused whole.
        if let Some(index) = group {
            plans_in_file[index].rows.push(row.number);
        }
        match (group, draft, reasons.is_empty()) {
            (Some(index), Some(draft), true) => {
                let plan = &mut plans_in_file[index];
                plan.commitments.push(draft);
                let filled =
                    |text: &str| Some(lantoa_domain::text::clean(text)).filter(|t| !t.is_empty());
                if plan.header.party_post.is_none() {
                    plan.header.party_post = filled(&input.party_post);
                }
                if plan.header.government_post.is_none() {
                    plan.header.government_post = filled(&input.government_post);
                }
            }
            _ => {
                reasons_by_row.insert(row.number, reasons);
            }
        }
    }

    // A plan with a bad row, too many commitments, or a stored plan it may not replace is
    // refused whole; the others are created, replaced or found unchanged.
    enum Write {
        Create,
        Replace(i64),
    }
    let mut writes: Vec<(Write, &PlanInFile)> = Vec::new();
    for plan in &plans_in_file {
        let bad: Vec<usize> = plan
            .rows
            .iter()
            .copied()
            .filter(|n| reasons_by_row.contains_key(n))
            .collect();
        let refuse_all = |reasons_by_row: &mut HashMap<usize, Vec<String>>, reason: String| {
            for n in &plan.rows {
                reasons_by_row.entry(*n).or_default().push(reason.clone());
            }
        };
        if !bad.is_empty() {
            let listed = bad
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            for n in plan.rows.iter().filter(|n| !bad.contains(n)) {
                reasons_by_row.entry(*n).or_default().push(format!(
                    "Kế hoạch của {} có dòng lỗi ({listed}): chưa ghi cả kế hoạch",
                    plan.person.full_name
                ));
            }
            continue;
        }
        if plan.commitments.len() > lantoa_domain::plans::MAX_COMMITMENTS {
            refuse_all(
                &mut reasons_by_row,
                format!(
                    "Kế hoạch của {} có {} việc: tối đa {}",
                    plan.person.full_name,
                    plan.commitments.len(),
                    lantoa_domain::plans::MAX_COMMITMENTS
                ),
            );
            continue;
        }
        let year = &years[&plan.year];
        let Some(stored) = plans::plan_of(db, PersonId(plan.person.id), year.id).await? else {
            writes.push((Write::Create, plan));
            continue;
        };
        let same = plans::commitments(db, stored.id)
            .await?
            .into_iter()
            .map(|c| (c.area, c.action, c.measure, c.deadline))
            .eq(plan
                .commitments
                .iter()
                .map(|c| (c.area, c.action.clone(), c.measure.clone(), c.deadline)))
            && stored.party_post == plan.header.party_post
            && stored.government_post == plan.header.government_post;
        if same && stored.state.submitted() {
            report.unchanged += 1;
        } else if stored.entered_by_staff && stored.state.editable() {
            writes.push((Write::Replace(stored.id), plan));
        } else {
            let why = if stored.entered_by_staff {
                format!("đã ở bước «{}», không ghi đè", stored.state.label())
            } else {
                "do chính người đó lập, không ghi đè".to_owned()
            };
            refuse_all(
                &mut reasons_by_row,
                format!(
                    "{} đã có kế hoạch năm {} {why}",
                    plan.person.full_name, plan.year
                ),
            );
        }
    }
    let mut rejected: Vec<usize> = reasons_by_row.keys().copied().collect();
    rejected.sort_unstable();
    for n in rejected {
        report.rejected.push(RejectedRow {
            row: n,
            reasons: reasons_by_row[&n].join("; "),
        });
    }
    report.created = writes
        .iter()
        .filter(|(w, _)| matches!(w, Write::Create))
        .count();
    report.updated = writes.len() - report.created;
    if !should_write(&report, options) || writes.is_empty() {
        return Ok(report);
    }
    progress("Ghi dữ liệu", 0, writes.len() as u64);
    let txn = db.begin_write().await?;
    // The audit row first: a transaction whose first statement reads would, on SQLite,
    // fail to write if the job's progress was saved in between (a stale snapshot).
    record_import(&txn, actor, AuditAction::ImportPlans, &report).await?;
    for (done, (write, plan)) in writes.iter().enumerate() {
        let year = &years[&plan.year];
        let id = match write {
            Write::Replace(id) => *id,
            Write::Create => {
                let person = people::get(&txn, PersonId(plan.person.id)).await?;
                plans::start(&txn, actor, &person, year, true).await?
            }
        };
        let stored = plans::plan(&txn, id).await?;
        plans::save(&txn, actor, &stored, &plan.header, &plan.commitments).await?;
        plans::take_step(&txn, actor, id, PlanStep::Submit, &StepInput::default()).await?;
        if done % 200 == 0 {
            progress("Ghi dữ liệu", done as u64, writes.len() as u64);
        }
    }
    txn.commit().await?;
    report.written = true;
    Ok(report)
}

/// Imports propaganda activities, one row each: the unit's code, the day, the channel, the
/// title and the counts. A row matches a stored activity of the same unit, day, channel and
/// title, whose counts, topic and link it updates; so a second run of the same file
/// changes nothing, and a corrected file corrects the figures.
pub async fn import_propaganda(
    db: &DatabaseConnection,
    actor: &Actor,
    scope: &Scope,
    rows: Vec<Row<lantoa_domain::propaganda::ActivityInput>>,
    options: ImportOptions,
    today: NaiveDate,
    progress: Progress<'_>,
) -> Result<ImportReport, StoreError> {
    use crate::propaganda;
    use chrono::Datelike;
    use lantoa_domain::ClosedList;
    let total = rows.len() as u64;
    let mut report = ImportReport {
        read: rows.len(),
        ..Default::default()
    };
    progress("Kiểm tra dữ liệu", 0, total);
    let years: HashMap<i32, i64> = crate::campaign::years(db)
        .await?
        .into_iter()
        .map(|y| (y.year, y.id))
        .collect();
    let orgs = units_named(db, rows.iter().map(|r| r.input.org_code.clone())).await?;
    let unit_ids: Vec<i64> = orgs.values().map(|o| o.id.0).collect();
    let stored = propaganda::stored_of(db, &unit_ids).await?;
    let mut seen: HashMap<(i64, NaiveDate, &'static str, String), usize> = HashMap::new();
    let mut creates: Vec<(OrgId, i64, lantoa_domain::propaganda::ActivityDraft)> = Vec::new();
    let mut updates: Vec<(i64, lantoa_domain::propaganda::ActivityDraft)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if i % 5000 == 0 {
            progress("Kiểm tra dữ liệu", i as u64, total);
        }
        let mut errors = FieldErrors::default();
        if row.input.org_code.trim().is_empty() {
            errors.add("org_code", "Ghi mã đơn vị");
        }
        let unit = unit_in_scope(&orgs, scope, &row.input.org_code, &mut errors).map(|o| o.id);
        let draft = match row.input.validate(today) {
            Ok(d) => match years.get(&d.held_on.year()) {
                Some(year) => Some((d, *year)),
                None => {
                    errors.add(
                        "held_on",
                        format!("Năm {} chưa được mở trong Lan Tỏa", d.held_on.year()),
                    );
                    None
                }
            },
            Err(e) => {
                errors.append(e);
                None
            }
        };
        if let (Some(unit), Some((d, _))) = (unit, &draft) {
            let key = (unit.0, d.held_on, d.channel.code(), d.title.clone());
            if let Some(first) = seen.insert(key.clone(), row.number) {
                seen.insert(key, first);
                errors.add(
                    "title",
                    format!("Trùng với dòng {first} (cùng đơn vị, ngày, hình thức và tên)"),
                );
            }
        }
        if !errors.is_empty() {
            reject(&mut report.rejected, row.number, &errors);
            continue;
        }
        let (Some(unit), Some((draft, year_id))) = (unit, draft) else {
            continue;
        };
        let key = (
            unit.0,
            draft.held_on,
            draft.channel.code().to_owned(),
            draft.title.clone(),
        );
        match stored.get(&key) {
            None => creates.push((unit, year_id, draft)),
            Some(s) if s.same_as(&draft) => report.unchanged += 1,
            Some(s) => updates.push((s.id, draft)),
        }
    }
    report.created = creates.len();
    report.updated = updates.len();
    if !should_write(&report, options) {
        return Ok(report);
    }
    progress("Ghi dữ liệu", total, total);
    let txn = db.begin_write().await?;
    for (unit, year_id, draft) in &creates {
        propaganda::insert(&txn, actor, *unit, *year_id, draft).await?;
    }
    for (id, draft) in &updates {
        propaganda::update_counts(&txn, *id, draft).await?;
    }
    record_import(&txn, actor, AuditAction::PropagandaImport, &report).await?;
    txn.commit().await?;
    report.written = true;
    Ok(report)
}
