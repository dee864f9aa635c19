//! Store behaviour on both databases: the tree, people, imports, jobs and the demo.

mod common;

use common::{databases, today};
use lantoa_domain::import::{ImportOptions, OrgRowInput, Row};
use lantoa_domain::org::{OrgDraft, OrgInput, OrgKind, Sector};
use lantoa_domain::people::{Category, MemberStatus, PersonInput};
use lantoa_store::audit::Actor;
use lantoa_store::imports::{import_orgs, import_people};
use lantoa_store::jobs::JobState;
use lantoa_store::org::Scope;
use lantoa_store::people::PeopleFilter;
use lantoa_store::{StoreError, demo, jobs, org, people};

fn draft(code: &str, name: &str, kind: OrgKind) -> OrgDraft {
    OrgDraft {
        code: code.into(),
        name: name.into(),
        kind,
        sector: Sector::WardCommune,
    }
}

fn actor() -> Actor {
    Actor::cli()
}

fn no_progress(_: &'static str, _: u64, _: u64) {}

fn person(name: &str, org: &str, card: &str) -> PersonInput {
    PersonInput {
        full_name: name.into(),
        gender: "Nam".into(),
        birth_date: "01/02/1970".into(),
        categories: if card.is_empty() {
            "Người dân".into()
        } else {
            "Đảng viên".into()
        },
        member_status: if card.is_empty() {
            String::new()
        } else {
            "Chính thức".into()
        },
        party_card_no: card.into(),
        org_code: org.into(),
        ..Default::default()
    }
}

fn rows(inputs: Vec<PersonInput>) -> Vec<Row<PersonInput>> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| Row {
            number: i + 2,
            input,
        })
        .collect()
}

#[tokio::test]
async fn both_backends_share_one_migration_history() {
    let dbs = databases().await;
    let histories: Vec<Vec<String>> = {
        let mut out = Vec::new();
        for db in &dbs {
            out.push(db.store.applied_migrations().await.unwrap());
        }
        out
    };
    let expected: Vec<String> = {
        use sea_orm_migration::MigratorTrait;
        lantoa_store::migration::Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect()
    };
    for (db, history) in dbs.iter().zip(&histories) {
        assert_eq!(history, &expected, "{}", db.name);
    }
}

#[tokio::test]
async fn tree_create_move_archive_merge() {
    for db in databases().await {
        let c = db.store.db();
        let root = org::create(
            c,
            &actor(),
            &draft("ROOT", "Thành ủy", OrgKind::DistrictCommittee),
            None,
        )
        .await
        .unwrap();
        let a = org::create(
            c,
            &actor(),
            &draft("A", "Đảng bộ A", OrgKind::GrassrootsCommittee),
            Some(root),
        )
        .await
        .unwrap();
        let a1 = org::create(
            c,
            &actor(),
            &draft("A1", "Chi bộ A1", OrgKind::Cell),
            Some(a),
        )
        .await
        .unwrap();
        let b = org::create(
            c,
            &actor(),
            &draft("B", "Đảng bộ B", OrgKind::GrassrootsCommittee),
            Some(root),
        )
        .await
        .unwrap();
        let a1_org = org::get(c, a1).await.unwrap();
        assert_eq!(a1_org.path, format!("/{root}/{a}/{a1}/"), "{}", db.name);
        assert_eq!(a1_org.depth, 2);

        // Code unique, with a field error.
        let err = org::create(c, &actor(), &draft("a1", "Trùng", OrgKind::Cell), Some(b)).await;
        assert!(
            matches!(err, Err(StoreError::Invalid(ref e)) if e.get("code").is_some()),
            "{}",
            db.name
        );

        // Children with subtree counts.
        people::create(
            c,
            &actor(),
            &person("Lê Văn Một", "A1", "").validate(today()).unwrap(),
        )
        .await
        .unwrap();
        let children = org::children(c, Some(root), false).await.unwrap();
        let a_summary = children.iter().find(|s| s.org.id == a).unwrap();
        assert_eq!(
            (a_summary.descendants, a_summary.people),
            (1, 1),
            "{}",
            db.name
        );

        // Moving A under B moves A1 too; moving B under A1 is refused.
        org::move_to(c, &actor(), a, b).await.unwrap();
        let a1_org = org::get(c, a1).await.unwrap();
        assert_eq!(a1_org.path, format!("/{root}/{b}/{a}/{a1}/"), "{}", db.name);
        assert_eq!(a1_org.depth, 3);
        assert!(matches!(
            org::move_to(c, &actor(), b, a1).await,
            Err(StoreError::Invalid(_))
        ));
        let lineage: Vec<String> = org::lineage(c, &a1_org)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.code)
            .collect();
        assert_eq!(lineage, ["ROOT", "B", "A", "A1"]);

        // Archive refuses a unit with active children; merge archives and links.
        assert!(matches!(
            org::archive(c, &actor(), a).await,
            Err(StoreError::Invalid(_))
        ));
        org::merge(c, &actor(), a1, b).await.unwrap();
        let merged = org::get(c, a1).await.unwrap();
        assert!(!merged.is_active());
        assert_eq!(merged.merged_into_id, Some(b));
        assert_eq!(
            people::search(
                c,
                &PeopleFilter {
                    scope: Scope::Subtrees(vec![merged.subtree()]),
                    ..Default::default()
                },
                1,
                10
            )
            .await
            .unwrap()
            .total,
            1,
            "people stay with the merged unit"
        );
        org::restore(c, &actor(), a1).await.unwrap();
        assert!(org::get(c, a1).await.unwrap().is_active());
    }
}

#[tokio::test]
async fn people_search_filters_and_history() {
    for db in databases().await {
        let c = db.store.db();
        let root = org::create(
            c,
            &actor(),
            &draft("R", "Gốc", OrgKind::DistrictCommittee),
            None,
        )
        .await
        .unwrap();
        let x = org::create(
            c,
            &actor(),
            &draft("X", "Chi bộ X", OrgKind::Cell),
            Some(root),
        )
        .await
        .unwrap();
        org::create(
            c,
            &actor(),
            &draft("Y", "Chi bộ Y", OrgKind::Cell),
            Some(root),
        )
        .await
        .unwrap();
        let duc = people::create(
            c,
            &actor(),
            &person("Nguyễn Văn Đức", "X", "111")
                .validate(today())
                .unwrap(),
        )
        .await
        .unwrap();
        people::create(
            c,
            &actor(),
            &person("Đặng Thị Hoa", "Y", "").validate(today()).unwrap(),
        )
        .await
        .unwrap();
        people::create(
            c,
            &actor(),
            &person("Trần Hải Đăng", "Y", "222")
                .validate(today())
                .unwrap(),
        )
        .await
        .unwrap();

        let names = |page: lantoa_store::Page<people::Person>| {
            page.items
                .into_iter()
                .map(|p| p.details.full_name)
                .collect::<Vec<_>>()
        };
        let q = |q: &str| PeopleFilter {
            scope: Scope::All,
            query: q.into(),
            ..Default::default()
        };
        assert_eq!(
            names(
                people::search(c, &q("nguyen van duc"), 1, 10)
                    .await
                    .unwrap()
            ),
            ["Nguyễn Văn Đức"],
            "{}",
            db.name
        );
        assert_eq!(
            names(people::search(c, &q("dang"), 1, 10).await.unwrap()),
            ["Đặng Thị Hoa", "Trần Hải Đăng"]
        );
        assert_eq!(
            people::search(c, &q("uc"), 1, 10).await.unwrap().total,
            0,
            "words match from their start"
        );
        let x_org = org::get(c, x).await.unwrap();
        let in_x = PeopleFilter {
            scope: Scope::Subtrees(vec![x_org.subtree()]),
            ..Default::default()
        };
        assert_eq!(
            names(people::search(c, &in_x, 1, 10).await.unwrap()),
            ["Nguyễn Văn Đức"]
        );
        let members = PeopleFilter {
            scope: Scope::All,
            category: Some(Category::PartyMember),
            status: Some(MemberStatus::Official),
            ..Default::default()
        };
        assert_eq!(people::search(c, &members, 1, 10).await.unwrap().total, 2);
        let page2 = people::search(c, &q(""), 2, 2).await.unwrap();
        assert_eq!((page2.total, page2.items.len(), page2.pages()), (3, 1, 2));
        assert_eq!(
            people::search(c, &PeopleFilter::default(), 1, 10)
                .await
                .unwrap()
                .total,
            0,
            "a filter that does not state its scope shows nobody"
        );

        // Card numbers are unique; a transfer keeps history.
        let dup = people::create(
            c,
            &actor(),
            &person("Người Khác", "X", "111").validate(today()).unwrap(),
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Invalid(ref e)) if e.get("party_card_no").is_some()));
        let mut moved = people::get(c, duc).await.unwrap().details;
        moved.org_code = "Y".into();
        people::update(c, &actor(), duc, &moved, today())
            .await
            .unwrap();
        let history = people::history(c, duc).await.unwrap();
        assert_eq!(history.len(), 2, "{}", db.name);
        assert_eq!(
            (
                history[0].org_code.as_str(),
                history[0].valid_from,
                history[0].valid_to
            ),
            ("Y", Some(today()), None)
        );
        assert_eq!(
            (history[1].org_code.as_str(), history[1].valid_to),
            ("X", Some(today()))
        );
    }
}

/// The names of a page of people, in order.
fn names(page: lantoa_store::Page<people::Person>) -> Vec<String> {
    page.items
        .into_iter()
        .map(|p| p.details.full_name)
        .collect()
}

#[tokio::test]
async fn name_search_follows_renames_and_moves_within_scope_and_stops_counting() {
    use sea_orm::{ConnectionTrait, Statement};
    for db in databases().await {
        let c = db.store.db();
        small_tree(c).await;
        let unit =
            |code: &'static str| async move { org::get_by_code(c, code).await.unwrap().unwrap() };
        let (x, y) = (unit("X").await, unit("Y").await);
        let z = org::create(
            c,
            &actor(),
            &draft("Z", "Chi bộ Z", OrgKind::Cell),
            Some(x.id),
        )
        .await
        .unwrap();
        let duc = people::create(
            c,
            &actor(),
            &person("Nguyễn Văn Đức", "X", "").validate(today()).unwrap(),
        )
        .await
        .unwrap();
        for (name, code) in [("Nguyễn Thị Lan", "Y"), ("Lê Văn Giang", "Z")] {
            people::create(
                c,
                &actor(),
                &person(name, code, "").validate(today()).unwrap(),
            )
            .await
            .unwrap();
        }
        let find = |q: &'static str, trees: Option<Vec<&org::Org>>| {
            let filter = PeopleFilter {
                scope: match &trees {
                    None => Scope::All,
                    Some(t) => Scope::Subtrees(t.iter().map(|o| o.subtree()).collect()),
                },
                query: q.into(),
                ..Default::default()
            };
            async move { people::search(c, &filter, 1, 20).await.unwrap() }
        };
        assert_eq!(
            names(find("nguyen", Some(vec![&x])).await),
            ["Nguyễn Văn Đức"],
            "{}",
            db.name
        );
        assert_eq!(
            names(find("Nguyễn", Some(vec![&x, &y])).await),
            ["Nguyễn Thị Lan", "Nguyễn Văn Đức"]
        );
        assert_eq!(
            names(find("giang", Some(vec![&x])).await),
            ["Lê Văn Giang"],
            "a sub-unit's people are in scope"
        );
        assert_eq!(
            find("nguyen", Some(vec![])).await.total,
            0,
            "no scope, nobody"
        );

        // A rename: found under the new name only.
        let mut renamed = people::get(c, duc).await.unwrap().details;
        renamed.full_name = "Trần Văn Đức".into();
        people::update(c, &actor(), duc, &renamed, today())
            .await
            .unwrap();
        assert_eq!(
            names(find("nguyen", None).await),
            ["Nguyễn Thị Lan"],
            "{}",
            db.name
        );
        assert_eq!(names(find("tran duc", None).await), ["Trần Văn Đức"]);
        // A transfer: found in the new unit, not the old.
        renamed.org_code = "Y".into();
        people::update(c, &actor(), duc, &renamed, today())
            .await
            .unwrap();
        assert_eq!(find("duc", Some(vec![&x])).await.total, 0, "{}", db.name);
        assert_eq!(names(find("duc", Some(vec![&y])).await), ["Trần Văn Đức"]);
        // A unit moved elsewhere in the tree takes its people's search with it.
        org::move_to(c, &actor(), z, y.id).await.unwrap();
        assert_eq!(find("giang", Some(vec![&x])).await.total, 0, "{}", db.name);
        assert_eq!(names(find("giang", Some(vec![&y])).await), ["Lê Văn Giang"]);

        // 10 001 namesakes: a name search stops at 1 000 and says so, its page in name
        // order; the list without a name stops counting at 10 000.
        let now = chrono::Utc::now();
        c.execute_raw(Statement::from_sql_and_values(
            c.get_database_backend(),
            "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001) \
             INSERT INTO people (full_name, name_folded, categories, org_id, is_leader, created_at, updated_at) \
             SELECT 'Phạm Văn Số ' || CAST(i AS TEXT), 'pham van so ' || CAST(i AS TEXT), 1, $1, $2, $3, $3 FROM n",
            [y.id.0.into(), false.into(), now.into()],
        ))
        .await
        .unwrap();
        let many = find("pham so", Some(vec![&y])).await;
        assert_eq!(
            (many.total, many.capped, many.pages()),
            (lantoa_store::NAME_MATCHES, true, 50),
            "{}",
            db.name
        );
        let shown = names(many);
        assert_eq!(shown.len(), 20);
        assert!(
            shown
                .windows(2)
                .all(|w| lantoa_domain::text::fold(&w[0]) <= lantoa_domain::text::fold(&w[1])),
            "{shown:?}"
        );
        let listed = people::search(
            c,
            &PeopleFilter {
                scope: Scope::Subtrees(vec![y.subtree()]),
                ..Default::default()
            },
            1,
            20,
        )
        .await
        .unwrap();
        assert_eq!(
            (listed.total, listed.capped),
            (lantoa_store::COUNT_CAP, true)
        );
        assert_eq!(
            names(listed)[0],
            "Lê Văn Giang",
            "without a name, the list is the scope's first by name"
        );
        // A "next page" link reads from after the previous page's last person: the same
        // rows as skipping the earlier pages.
        let in_y = |page, after| {
            let filter = PeopleFilter {
                scope: Scope::Subtrees(vec![y.subtree()]),
                after,
                ..Default::default()
            };
            async move { people::search(c, &filter, page, 20).await }
        };
        let ids = |p: lantoa_store::Page<people::Person>| -> Vec<i64> {
            p.items.iter().map(|p| p.id.0).collect()
        };
        let second = ids(in_y(2, None).await.unwrap());
        let third = in_y(3, None).await.unwrap();
        let after_second = in_y(3, second.last().copied().map(lantoa_domain::PersonId))
            .await
            .unwrap();
        assert_eq!(after_second.page, 3);
        assert_eq!(after_second.total, third.total);
        assert_eq!(ids(after_second), ids(third), "{}", db.name);
        let exact = find("pham so 10001", None).await;
        assert_eq!((exact.total, exact.capped), (1, false));
        assert_eq!(find("pham", Some(vec![&x])).await.total, 0);
    }
}

async fn small_tree(c: &sea_orm::DatabaseConnection) {
    let root = org::create(
        c,
        &actor(),
        &draft("R", "Gốc", OrgKind::DistrictCommittee),
        None,
    )
    .await
    .unwrap();
    org::create(
        c,
        &actor(),
        &draft("X", "Chi bộ X", OrgKind::Cell),
        Some(root),
    )
    .await
    .unwrap();
    org::create(
        c,
        &actor(),
        &draft("Y", "Chi bộ Y", OrgKind::Cell),
        Some(root),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn people_import_is_all_or_nothing_and_idempotent() {
    for db in databases().await {
        let c = db.store.db();
        small_tree(c).await;
        let mut bad = person("", "NOPE", "");
        bad.birth_date = "31/02/1980".into();
        let file = rows(vec![
            person("Lê Văn A", "X", "900"),
            bad,
            person("Lê Văn B", "X", "900"),
            person("Lê Thị C", "Y", ""),
        ]);

        let report = import_people(
            c,
            &actor(),
            &Scope::All,
            file.clone(),
            ImportOptions::default(),
            today(),
            &no_progress,
        )
        .await
        .unwrap();
        assert!(!report.written, "{}", db.name);
        assert_eq!(report.rejected.len(), 2);
        assert_eq!(report.rejected[0].row, 3);
        assert!(
            report.rejected[0].reasons.contains("họ và tên")
                && report.rejected[0].reasons.contains("không tồn tại")
                && report.rejected[0].reasons.contains("«NOPE»"),
            "{}",
            report.rejected[0].reasons
        );
        assert_eq!(report.rejected[1].row, 4);
        assert!(report.rejected[1].reasons.contains("trùng với dòng 2"));
        assert_eq!(
            people::search(c, &PeopleFilter::default(), 1, 10)
                .await
                .unwrap()
                .total,
            0,
            "nothing written"
        );

        let dry = ImportOptions {
            dry_run: true,
            skip_invalid: true,
        };
        assert!(
            !import_people(
                c,
                &actor(),
                &Scope::All,
                file.clone(),
                dry,
                today(),
                &no_progress
            )
            .await
            .unwrap()
            .written
        );

        let skip = ImportOptions {
            skip_invalid: true,
            ..Default::default()
        };
        let report = import_people(
            c,
            &actor(),
            &Scope::All,
            file.clone(),
            skip,
            today(),
            &no_progress,
        )
        .await
        .unwrap();
        assert!(report.written);
        assert_eq!(
            (
                report.created,
                report.updated,
                report.unchanged,
                report.rejected.len()
            ),
            (2, 0, 0, 2)
        );

        let again = import_people(
            c,
            &actor(),
            &Scope::All,
            file.clone(),
            skip,
            today(),
            &no_progress,
        )
        .await
        .unwrap();
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (0, 0, 2),
            "{}: re-import changes nothing",
            db.name
        );

        let mut changed = file.clone();
        changed[0].input.position = "Bí thư".into();
        changed[3].input.org_code = "X".into();
        changed[3].input.phone = "0912345678".into();
        let report = import_people(
            c,
            &actor(),
            &Scope::All,
            changed,
            skip,
            today(),
            &no_progress,
        )
        .await
        .unwrap();
        // Lê Thị C moved to X is a new match key (name + birth + unit), so she is created
        // again unless a card number ties the rows; Lê Văn A is updated through his card.
        assert_eq!((report.updated, report.unchanged), (1, 0), "{}", db.name);
        assert_eq!(
            people::search(
                c,
                &PeopleFilter {
                    scope: Scope::All,
                    query: "le van a".into(),
                    ..Default::default()
                },
                1,
                10
            )
            .await
            .unwrap()
            .items[0]
                .details
                .position
                .as_deref(),
            Some("Bí thư")
        );
    }
}

#[tokio::test]
async fn org_import_resolves_parents_in_any_order() {
    for db in databases().await {
        let c = db.store.db();
        let input = |code: &str, name: &str, kind: &str, parent: &str| OrgRowInput {
            org: OrgInput {
                code: code.into(),
                name: name.into(),
                kind: kind.into(),
                sector: "Phường, xã".into(),
            },
            parent_code: parent.into(),
        };
        let file: Vec<Row<OrgRowInput>> = vec![
            input("CB1", "Chi bộ 1", "chi bo truc thuoc", "DB"),
            input("DB", "Đảng bộ phường", "Đảng bộ cơ sở", "ROOT"),
            input("ROOT", "Thành ủy", "dang bo cap huyen", ""),
            input("LOOP1", "Vòng 1", "Chi bộ trực thuộc", "LOOP2"),
            input("LOOP2", "Vòng 2", "Chi bộ trực thuộc", "LOOP1"),
            input("ORPHAN", "Mồ côi", "Chi bộ trực thuộc", "MISSING"),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, input)| Row {
            number: i + 2,
            input,
        })
        .collect();
        let report = import_orgs(
            c,
            &actor(),
            &Scope::All,
            file.clone(),
            ImportOptions::default(),
            &no_progress,
        )
        .await
        .unwrap();
        assert!(!report.written);
        let rejected: Vec<usize> = report.rejected.iter().map(|r| r.row).collect();
        assert_eq!(rejected, [5, 6, 7], "{}: {:?}", db.name, report.rejected);
        let skip = ImportOptions {
            skip_invalid: true,
            ..Default::default()
        };
        let report = import_orgs(c, &actor(), &Scope::All, file.clone(), skip, &no_progress)
            .await
            .unwrap();
        assert_eq!(report.created, 3, "{}", db.name);
        let cb1 = org::get_by_code(c, "CB1").await.unwrap().unwrap();
        assert_eq!(cb1.depth, 2);
        let again = import_orgs(c, &actor(), &Scope::All, file, skip, &no_progress)
            .await
            .unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    }
}

#[tokio::test]
async fn jobs_are_claimed_once() {
    for db in databases().await {
        let c = db.store.db();
        let id = jobs::enqueue(
            c,
            jobs::NewJob {
                kind: "import_people".into(),
                params: "{}".into(),
                input_name: Some("a.csv".into()),
                input: Some(b"x".to_vec()),
                org_id: None,
                account_id: None,
            },
        )
        .await
        .unwrap();
        let claimed = jobs::claim_next(c).await.unwrap().unwrap();
        assert_eq!((claimed.id, claimed.attempt), (id, 1));
        assert!(jobs::claim_next(c).await.unwrap().is_none(), "{}", db.name);
        assert_eq!(jobs::input(c, id).await.unwrap(), b"x");
        jobs::set_progress(c, &claimed, "Ghi", 5, 10).await.unwrap();
        assert_eq!(jobs::get(c, id).await.unwrap().percent(), 50);
        assert!(
            jobs::finish(c, &claimed, "{}", Some(b"out".to_vec()))
                .await
                .unwrap()
        );
        let job = jobs::get(c, id).await.unwrap();
        assert!(job.has_output && job.state.is_finished());
        assert_eq!(jobs::output(c, id).await.unwrap(), b"out");
    }
}

#[tokio::test]
async fn a_job_whose_server_stopped_runs_again_then_fails_with_a_reason() {
    for db in databases().await {
        let c = db.store.db();
        let id = jobs::enqueue(
            c,
            jobs::NewJob {
                kind: "import_orgs".into(),
                params: "{}".into(),
                input_name: None,
                input: None,
                org_id: None,
                account_id: None,
            },
        )
        .await
        .unwrap();
        let first = jobs::claim_next(c).await.unwrap().unwrap();
        // A live job stays: its worker signalled after `an_hour_ago`.
        let an_hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
        assert_eq!(
            jobs::recover_stale(c, an_hour_ago).await.unwrap(),
            jobs::Recovered::default(),
            "{}",
            db.name
        );
        assert_eq!(jobs::get(c, id).await.unwrap().state, JobState::Running);

        // Its server stopped: the job is queued again, and the next worker takes it.
        let silent_since = || chrono::Utc::now() + chrono::Duration::seconds(1);
        let recovered = jobs::recover_stale(c, silent_since()).await.unwrap();
        assert_eq!(
            (recovered.requeued, recovered.failed),
            (1, 0),
            "{}",
            db.name
        );
        let second = jobs::claim_next(c).await.unwrap().unwrap();
        assert_eq!((second.id, second.attempt), (id, 2));
        // The first worker, alive after all, no longer changes the job.
        assert!(!jobs::finish(c, &first, "{}", None).await.unwrap());
        jobs::heartbeat(c, &first).await.unwrap();
        assert_eq!(jobs::get(c, id).await.unwrap().state, JobState::Running);

        // Stopped under it on every attempt, the job fails with its reason.
        jobs::recover_stale(c, silent_since()).await.unwrap();
        jobs::claim_next(c).await.unwrap().unwrap();
        let last = jobs::recover_stale(c, silent_since()).await.unwrap();
        assert_eq!((last.requeued, last.failed), (0, 1), "{}", db.name);
        let failed = jobs::get(c, id).await.unwrap();
        assert_eq!(
            (failed.state, failed.attempt),
            (JobState::Failed, jobs::MAX_ATTEMPTS)
        );
        assert!(
            failed
                .error
                .unwrap()
                .contains("không có dữ liệu nào được ghi")
        );
        assert!(!jobs::fail(c, &second, "muộn").await.unwrap());
    }
}

#[tokio::test]
async fn demo_loads_the_city() {
    for db in databases().await {
        assert!(db.store.is_empty().await.unwrap());
        let summary = demo::load(db.store.db(), today()).await.unwrap();
        assert!(summary.people > 8000, "{summary:?}");
        let c = db.store.db();
        let root = org::get_by_code(c, demo::ROOT_CODE).await.unwrap().unwrap();
        let all = people::search(
            c,
            &PeopleFilter {
                scope: Scope::Subtrees(vec![root.subtree()]),
                ..Default::default()
            },
            1,
            50,
        )
        .await
        .unwrap();
        assert_eq!(all.total as usize, summary.people, "{}", db.name);
        let duc = people::search(
            c,
            &PeopleFilter {
                scope: Scope::All,
                query: "nguyen van duc".into(),
                ..Default::default()
            },
            1,
            50,
        )
        .await
        .unwrap();
        assert!(
            duc.items
                .iter()
                .any(|p| p.details.position.as_deref() == Some("Trưởng Ban Tuyên giáo Thành ủy"))
        );
    }
}

/// Where each person is listed in a drill-down: (unit path, folded name, id), the list's
/// order, for the people `filter` selects.
async fn places(c: &sea_orm::DatabaseConnection, filter: &str) -> Vec<(String, String, i64)> {
    use sea_orm::FromQueryResult;
    #[derive(FromQueryResult)]
    struct Place {
        id: i64,
        path: String,
        name_folded: String,
    }
    let mut out: Vec<(String, String, i64)> =
        Place::find_by_statement(sea_orm::Statement::from_string(
            c.get_database_backend(),
            format!(
                "SELECT p.id, o.path, p.name_folded FROM people p JOIN orgs o ON o.id = p.org_id \
                 WHERE {filter}"
            ),
        ))
        .all(c)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.path, p.name_folded, p.id))
        .collect();
    out.sort();
    out
}

/// The ids on every page of a drill-down list, in pages of `per_page`: they follow each
/// other into one page of all of them, whose length is its total, and a page past the end
/// is empty.
async fn every_page<F, Fut>(per_page: u64, fetch: F) -> Vec<i64>
where
    F: Fn(u64, u64) -> Fut,
    Fut: std::future::Future<Output = lantoa_store::Page<lantoa_store::study::Missing>>,
{
    let whole = fetch(1, 100_000).await;
    assert_eq!(whole.items.len() as i64, whole.total);
    let mut ids = Vec::new();
    let pages = (whole.total as u64).div_ceil(per_page);
    let per = per_page as i64;
    for page in 1..=pages + 1 {
        let items = fetch(page, per_page).await.items;
        assert_eq!(
            items.len() as i64,
            (whole.total - (page as i64 - 1) * per).clamp(0, per)
        );
        ids.extend(items.iter().map(|m| m.person_id));
    }
    let all: Vec<i64> = whole.items.iter().map(|m| m.person_id).collect();
    assert_eq!(ids, all);
    ids
}

/// The members of `unit`'s subtree who have not studied in `year`, page by page: exactly
/// the generated city's members who never came, in the list's order.
async fn pages_of_missing(
    c: &sea_orm::DatabaseConnection,
    unit: &org::Org,
    year: &lantoa_store::campaign::CampaignYear,
) -> Vec<i64> {
    let within = unit.subtree();
    let ids = every_page(2, |page, per_page| {
        let within = within.clone();
        async move {
            lantoa_store::study::missing(c, &within, year, today(), page, per_page)
                .await
                .unwrap()
        }
    })
    .await;
    let expected: Vec<i64> = places(
        c,
        "p.member_status IN ('chinh_thuc', 'du_bi') AND p.id % 331 = 7",
    )
    .await
    .into_iter()
    .filter(|(path, _, _)| within.contains(path))
    .map(|(_, _, id)| id)
    .collect();
    assert_eq!(ids, expected);
    ids
}

/// The people of a database as (name, card number, unit code), in id order.
async fn roster(c: &sea_orm::DatabaseConnection) -> Vec<(String, Option<String>, String)> {
    use sea_orm::{ConnectionTrait, Statement};
    c.query_all_raw(Statement::from_string(
        c.get_database_backend(),
        "SELECT p.full_name, p.party_card_no, o.code FROM people p JOIN orgs o ON o.id = p.org_id ORDER BY p.id",
    ))
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get("", "full_name").unwrap(),
            r.try_get("", "party_card_no").unwrap(),
            r.try_get("", "code").unwrap(),
        )
    })
    .collect()
}

async fn count(c: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    c.query_one_raw(Statement::from_string(c.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

#[tokio::test]
async fn a_generated_city_holds_every_record_and_exact_counters() {
    use lantoa_domain::report::Period;
    use lantoa_store::scale::{self, Scale};
    use lantoa_store::{report, rollups};
    let mut first_roster = None;
    for db in databases().await {
        let c = db.store.db();
        let indexes_of_people = if db.name == "postgres" {
            "SELECT CAST(COUNT(*) AS BIGINT) FROM pg_indexes WHERE tablename = 'people'"
        } else {
            "SELECT CAST(COUNT(*) AS BIGINT) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'people'"
        };
        let indexes = count(c, indexes_of_people).await;
        let mut progress = Vec::new();
        let made = scale::generate(c, Scale::City, 2, 7, today(), &mut |line| {
            progress.push(line)
        })
        .await
        .unwrap();
        assert!(
            progress.iter().any(|l| l.starts_with("1/1 tỉnh")),
            "{progress:?}"
        );
        // What the summary says is what the database holds.
        assert_eq!(
            made.people as i64,
            count(c, "SELECT CAST(COUNT(*) AS BIGINT) FROM people").await
        );
        assert_eq!(
            made.attendance as i64,
            count(c, "SELECT CAST(COUNT(*) AS BIGINT) FROM attendance").await
        );
        let members = count(
            c,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM people WHERE member_status IN ('chinh_thuc', 'du_bi')",
        )
        .await;
        assert!(members > 1000, "{} members", members);
        // The dashboard of the ward reads every kind of record, from the counts.
        let ward = org::get_by_code(c, Scale::City.root_code())
            .await
            .unwrap()
            .unwrap();
        let last = report::figures(
            c,
            &ward,
            Period {
                first: 2026,
                last: 2026,
                half: false,
            },
            today(),
        )
        .await
        .unwrap();
        assert_eq!(last.study.eligible, members, "{}", db.name);
        // One member in 331 never came; everyone else came at least once.
        let never = count(
            c,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM people WHERE member_status IN ('chinh_thuc', 'du_bi') AND id % 331 = 7",
        )
        .await;
        assert_eq!(last.study.studied, members - never, "{}", db.name);
        // The drill-down lists exactly those, in pages that follow each other.
        let year = lantoa_store::campaign::year(c, 2026).await.unwrap();
        let listed = pages_of_missing(c, &ward, &year).await;
        assert_eq!(listed.len() as i64, never, "{}", db.name);
        // Each child's list is its part of the list above: after the unit's own members,
        // the children's lists in the order of their paths.
        let mut children = org::children(c, Some(ward.id), false).await.unwrap();
        children.sort_by(|a, b| a.org.path.cmp(&b.org.path));
        let mut of_children = Vec::new();
        for child in &children {
            of_children.extend(pages_of_missing(c, &child.org, &year).await);
        }
        assert!(!of_children.is_empty(), "{}", db.name);
        assert!(listed.ends_with(&of_children), "{}", db.name);
        // Plans not yet approved: many in each cell, so pages start inside a unit.
        let counted = lantoa_store::plans::Counted {
            year: &year,
            day: lantoa_domain::study::reference_day(2026, today()),
            required: lantoa_store::settings::load(c).await.unwrap().plan_required,
            until: lantoa_store::campaign::Until::WHOLE_YEAR,
        };
        let within = ward.subtree();
        let not_approved = every_page(7, |page, per_page| {
            let within = within.clone();
            async move {
                lantoa_store::plans::lacking(
                    c,
                    &within,
                    counted,
                    lantoa_store::plans::Stage::Approved,
                    page,
                    per_page,
                )
                .await
                .unwrap()
            }
        })
        .await;
        assert_eq!(
            not_approved.len() as i64,
            last.plans.required - last.plans.approved,
            "{}",
            db.name
        );
        let order: std::collections::HashMap<i64, usize> = places(c, "1 = 1")
            .await
            .into_iter()
            .enumerate()
            .map(|(i, (_, _, id))| (id, i))
            .collect();
        assert!(
            not_approved.windows(2).all(|w| order[&w[0]] < order[&w[1]]),
            "by unit, then name"
        );
        assert_eq!(
            last.study.sessions,
            count(c, "SELECT CAST(COUNT(*) AS BIGINT) FROM study_sessions s JOIN campaign_years y ON y.id = s.year_id WHERE y.year = 2026").await
        );
        assert!(last.study.citizens > 0 && last.models.total > 0 && last.propaganda.activities > 0);
        assert!(last.plans.approved > 0 && last.plans.approved < last.plans.required);
        let finished = report::figures(
            c,
            &ward,
            Period {
                first: 2025,
                last: 2025,
                half: false,
            },
            today(),
        )
        .await
        .unwrap();
        assert_eq!(
            finished.plans.assessed, finished.plans.required,
            "{}",
            db.name
        );
        assert!(finished.commendations.decisions >= 1 && finished.models.recognised > 0);
        // The indexes dropped for the load are back.
        assert_eq!(count(c, indexes_of_people).await, indexes, "{}", db.name);
        // The counts were made from nothing, and the triggers that keep them are back.
        let (keys, differences) = rollups::check(c).await.unwrap();
        assert!(keys > 0 && differences.is_empty(), "{differences:?}");
        use sea_orm::ConnectionTrait;
        c.execute_unprepared(
            "UPDATE people SET is_leader = NOT is_leader WHERE id = (SELECT MIN(id) FROM people)",
        )
        .await
        .unwrap();
        assert_eq!(
            count(c, "SELECT CAST(COUNT(*) AS BIGINT) FROM rollup_pending").await,
            1
        );
        // A second run refuses and changes nothing.
        let again = scale::generate(c, Scale::City, 2, 7, today(), &mut |_| {}).await;
        assert!(matches!(again, Err(StoreError::Invalid(_))), "{again:?}");
        assert_eq!(
            made.people as i64,
            count(c, "SELECT CAST(COUNT(*) AS BIGINT) FROM people").await
        );
        // The same seed makes the same people on either database.
        let names = roster(c).await;
        match &first_roster {
            None => first_roster = Some(names),
            Some(first) => assert!(first == &names, "the datasets differ"),
        }
    }
}

/// A member of the demo's top unit, there since before the records (so counted on any
/// reference day).
async fn join_since_before(c: &sea_orm::DatabaseConnection, name: &str, card: &str) {
    use sea_orm::ConnectionTrait;
    let joined = people::create(
        c,
        &actor(),
        &person(name, demo::ROOT_CODE, card)
            .validate(today())
            .unwrap(),
    )
    .await
    .unwrap();
    c.execute_unprepared(&format!(
        "UPDATE person_units SET valid_from = NULL WHERE person_id = {}",
        joined.0
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn dashboards_read_the_replica_only_when_it_holds_their_figures_up_to_date() {
    use lantoa_domain::report::Period;
    use lantoa_store::report::{self, ReadFrom};
    use lantoa_store::rollups;
    use sea_orm::ConnectionTrait;
    // The demo's last campaign year.
    let year = Period {
        first: 2025,
        last: 2025,
        half: false,
    };
    for db in databases().await {
        let c = db.store.db();
        demo::load(c, today()).await.unwrap();
        // The figures the demo read (its issued report) are forgotten, as after a load.
        for table in ["rollups", "rollup_keys", "rollup_pending"] {
            c.execute_unprepared(&format!("DELETE FROM {table}"))
                .await
                .unwrap();
        }
        // A streaming standby on PostgreSQL in CI, else a read-only connection.
        let replica_url = common::replica_url(&db).await;
        let store = db.store.clone().with_replica(&replica_url).await.unwrap();
        let replica = store.replica().unwrap();
        let refused = replica
            .execute_unprepared("UPDATE rollup_keys SET used_on = used_on")
            .await;
        assert!(refused.is_err(), "{}: the replica took a write", db.name);
        let top = org::get_by_code(c, demo::ROOT_CODE).await.unwrap().unwrap();
        let settings = lantoa_store::settings::load(c).await.unwrap();
        // The year's whole figures and the totals of the year before, as a dashboard reads.
        let read = || async {
            let compared = (year, Some(year.before()));
            let (figures, before, from) =
                report::figures_preferring_replica(&store, &top, compared, &settings, today())
                    .await?;
            Ok::<_, StoreError>(((figures, before), from))
        };
        // A streaming standby replays the primary's writes a moment later, longer while the
        // machine is busy: until it has, the primary answers; once it has, the replica must.
        let read_on_replica = || async {
            for _ in 0..100 {
                let (figures, from) = read().await.unwrap();
                if from == ReadFrom::Replica {
                    return Some(figures);
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            None
        };
        // Never counted: the primary counts them, the replica could not.
        let (first, from) = read().await.unwrap();
        assert_eq!(from, ReadFrom::Primary, "{}", db.name);
        assert!(first.0.study.eligible > 1000, "{}", db.name);
        // Counted and nothing changed since: the replica answers, with the same figures.
        let again = read_on_replica().await;
        assert_eq!(again, Some(first.clone()), "{}", db.name);
        // A member joins: while the unit is pending the primary answers, counting it.
        join_since_before(c, "Trần Thị Mới", "999001").await;
        let (after, from) = read().await.unwrap();
        assert_eq!(from, ReadFrom::Primary, "{}", db.name);
        assert_eq!(
            after.0.study.eligible,
            first.0.study.eligible + 1,
            "{}",
            db.name
        );
        // Another joins; the server's refresher counts the pending unit, after which the
        // replica answers with the join counted.
        join_since_before(c, "Lê Văn Đến", "999002").await;
        assert!(rollups::refresh_pending(c).await.unwrap(), "{}", db.name);
        assert!(!rollups::refresh_pending(c).await.unwrap(), "{}", db.name);
        let last = read_on_replica()
            .await
            .expect("the replica answers once it has replayed");
        assert_eq!(
            last.0.study.eligible,
            first.0.study.eligible + 2,
            "{}",
            db.name
        );
        assert_eq!(
            last.0,
            report::figures(c, &top, year, today()).await.unwrap(),
            "{}",
            db.name
        );
        // The year before: the totals a dashboard compares, as its whole figures have them;
        // names, child units and documents left out.
        let whole = report::figures(c, &top, year.before(), today())
            .await
            .unwrap();
        let totals = last.1.expect("the year before is compared");
        assert!(whole.study.studied > 1000, "{}", db.name);
        let tiles = |f: &lantoa_domain::report::Figures| {
            (
                f.study.studied,
                f.study.citizens,
                f.plans.submitted,
                f.models.total,
                f.exemplars.nominated,
                f.commendations.individuals + f.commendations.collectives,
                f.propaganda.activities,
                f.tasks.done,
                f.inspections.done,
                f.award.entries,
            )
        };
        assert_eq!(tiles(&totals), tiles(&whole), "{}", db.name);
        assert!(!whole.children.is_empty() && !whole.documents.is_empty());
        assert!(totals.children.is_empty() && totals.documents.is_empty());
    }
}

#[tokio::test]
async fn changes_and_their_audit_rows_commit_and_roll_back_together() {
    use lantoa_store::Writer;
    use lantoa_store::audit;
    for db in databases().await {
        let c = db.store.db();
        let web = Actor::web(Some("10.0.0.7".into()));
        let root = org::create(
            c,
            &web,
            &draft("R", "Gốc", OrgKind::DistrictCommittee),
            None,
        )
        .await
        .unwrap();
        let a = org::create(c, &web, &draft("A", "Chi bộ A", OrgKind::Cell), Some(root))
            .await
            .unwrap();
        org::update(c, &web, a, &draft("A", "Chi bộ A mới", OrgKind::Cell))
            .await
            .unwrap();
        let log = audit::list(c, &log_filter(None, Some(("org", a.0))), 1, 10)
            .await
            .unwrap();
        assert_eq!(log.total, 2, "{}", db.name);
        let update = &log.items[0];
        assert_eq!(
            (update.action.as_str(), update.client_addr.as_deref()),
            ("org_update", Some("10.0.0.7"))
        );
        let changes: serde_json::Value = serde_json::from_str(&update.changes).unwrap();
        assert_eq!(
            changes["before"],
            serde_json::json!({ "name": "Chi bộ A" }),
            "only changed fields"
        );
        assert_eq!(
            changes["after"],
            serde_json::json!({ "name": "Chi bộ A mới" })
        );

        // A refused change writes no audit row.
        assert!(org::move_to(c, &web, root, a).await.is_err());
        assert_eq!(
            audit::list(c, &log_filter(None, None), 1, 50)
                .await
                .unwrap()
                .total,
            3
        );

        // A change inside a transaction that is rolled back leaves neither the change nor its row.
        // Opened as the store's writes are: on SQLite a plain BEGIN that read first could not
        // wait for the refused move's rollback, still on its way, and would fail at once.
        let txn = c.begin_write().await.unwrap();
        org::create(
            &txn,
            &web,
            &draft("B", "Chi bộ B", OrgKind::Cell),
            Some(root),
        )
        .await
        .unwrap();
        people::create(
            &txn,
            &web,
            &person("Lê Văn Tạm", "B", "").validate(today()).unwrap(),
        )
        .await
        .unwrap();
        txn.rollback().await.unwrap();
        assert!(
            org::get_by_code(c, "B").await.unwrap().is_none(),
            "{}",
            db.name
        );
        assert_eq!(
            audit::list(c, &log_filter(None, None), 1, 50)
                .await
                .unwrap()
                .total,
            3,
            "{}: audit rows rolled back too",
            db.name
        );

        // The log of a subtree.
        let root_org = org::get(c, root).await.unwrap();
        let person = people::create(
            c,
            &Actor::cli(),
            &person("Lê Văn Mới", "A", "").validate(today()).unwrap(),
        )
        .await
        .unwrap();
        let in_tree = audit::list(c, &log_filter(Some(root_org.subtree()), None), 1, 50)
            .await
            .unwrap();
        assert_eq!(in_tree.total, 4);
        assert_eq!(
            (
                in_tree.items[0].entity_type.as_str(),
                in_tree.items[0].entity_id
            ),
            ("person", Some(person.0))
        );
        assert_eq!(in_tree.items[0].actor_channel, "cli");
    }
}

#[tokio::test]
async fn accounts_store_argon2_hashes_and_grants() {
    use lantoa_domain::accounts::Role;
    use lantoa_store::accounts::{self, Grant};
    for db in databases().await {
        let c = db.store.db();
        let root = org::create(
            c,
            &actor(),
            &draft("R", "Gốc", OrgKind::DistrictCommittee),
            None,
        )
        .await
        .unwrap();
        assert_eq!(accounts::count(c).await.unwrap(), 0);
        let hash = accounts::hash_password("Sông Tiền chảy mãi").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        let grant = Grant {
            org_id: Some(root),
            role: Role::UnitAdmin,
        };
        let id = accounts::create(c, &actor(), "an.nguyen", &hash, None, &[grant])
            .await
            .unwrap();
        let (account, stored) = accounts::get_by_username(c, " AN.NGUYEN ")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (account.id, account.grants.as_slice()),
            (id, &[grant][..]),
            "{}",
            db.name
        );
        assert!(accounts::verify_password(&stored, "Sông Tiền chảy mãi"));
        assert!(!accounts::verify_password(&stored, "sông tiền chảy mãi"));
        let taken = accounts::create(c, &actor(), "an.nguyen", &hash, None, &[]).await;
        assert!(matches!(taken, Err(StoreError::Invalid(ref e)) if e.get("username").is_some()));
        let log = lantoa_store::audit::list(c, &log_filter(None, Some(("account", id))), 1, 10)
            .await
            .unwrap();
        assert_eq!(log.total, 1);
        assert!(
            !log.items[0].changes.contains("argon2"),
            "the hash is never logged"
        );
    }
}

/// The whole log, optionally of a subtree or of one record.
fn log_filter(
    within: Option<lantoa_store::org::Subtree>,
    entity: Option<(&str, i64)>,
) -> lantoa_store::audit::LogFilter {
    lantoa_store::audit::LogFilter {
        scope: Scope::All,
        within,
        entity: entity.map(|(kind, id)| (kind.to_owned(), id)),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_first_count_goes_in_steps_and_keeps_the_writes_made_between_them() {
    use lantoa_domain::list::ClosedList;
    use lantoa_store::campaign::{self, Until};
    use lantoa_store::{rollups, study};
    use sea_orm::ConnectionTrait;
    const CELLS: usize = 2_500;
    for db in databases().await {
        let c = db.store.db();
        let root = org::create(
            c,
            &actor(),
            &draft("R", "Đảng bộ", OrgKind::DistrictCommittee),
            None,
        )
        .await
        .unwrap();
        // More cells than one step counts (a thousand), written by SQL for speed.
        for first in (0..CELLS).step_by(500) {
            let rows: Vec<String> = (first..first + 500)
                .map(|i| {
                    format!(
                        "('C{i}', 'Chi bộ {i}', 'chi bo {i}', '{}', '{}', {}, '', 1, \
                         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                        OrgKind::Cell.code(),
                        Sector::WardCommune.code(),
                        root.0
                    )
                })
                .collect();
            c.execute_unprepared(&format!(
                "INSERT INTO orgs (code, name, name_folded, kind, sector, parent_id, path, depth, \
                 created_at, updated_at) VALUES {}",
                rows.join(", ")
            ))
            .await
            .unwrap();
        }
        c.execute_unprepared(&format!(
            "UPDATE orgs SET path = '/{0}/' || CAST(id AS TEXT) || '/' WHERE parent_id = {0}",
            root.0
        ))
        .await
        .unwrap();
        let year_id = campaign::create_year(c, &actor(), 2026, "Chuyên đề toàn khóa")
            .await
            .unwrap();
        let year = campaign::year(c, 2026).await.unwrap();
        assert_eq!(year.id, year_id);
        let member = |i: usize| {
            // Names hold no digits: each digit of i becomes a letter.
            let letters: String = i
                .to_string()
                .bytes()
                .map(|d| char::from(b'a' + d - b'0'))
                .collect();
            person(
                &format!("Nguyễn Văn {letters}"),
                &format!("C{i}"),
                &format!("{:06}", 100_000 + i),
            )
            .validate(today())
            .unwrap()
        };
        // One member in every hundredth cell, across every step.
        for i in (0..CELLS).step_by(100) {
            people::create(c, &actor(), &member(i)).await.unwrap();
        }
        // No figure is kept yet: the marks of these writes are cleared, so a unit the
        // steps skipped would stay wrong and show in the check below.
        rollups::refresh(c).await.unwrap();
        assert_eq!(
            count(c, "SELECT CAST(COUNT(*) AS BIGINT) FROM rollup_pending").await,
            0
        );
        // Members join cells while the figure is counted for the first time.
        let writer = {
            let c = c.clone();
            tokio::spawn(async move {
                for i in (25..CELLS).step_by(250) {
                    people::create(&c, &actor(), &member(i)).await.unwrap();
                }
            })
        };
        let (total, children) =
            study::coverage_with_children(c, root, &year, today(), Until::WHOLE_YEAR)
                .await
                .unwrap();
        writer.await.unwrap();
        assert!(
            (25..=35).contains(&total.eligible),
            "{} {}",
            db.name,
            total.eligible
        );
        assert_eq!(
            children.values().map(|v| v.eligible).sum::<i64>(),
            total.eligible
        );
        // The unit list's sizes are counted in steps too, every cell once.
        let roots = org::children(c, None, false).await.unwrap();
        assert_eq!(
            (roots[0].descendants, roots[0].people),
            (CELLS as i64, 35),
            "{}",
            db.name
        );
        // The steps counted every unit, and the writes between them were counted again.
        let (keys, differences) = rollups::check(c).await.unwrap();
        assert!(keys >= 2 && differences.is_empty(), "{differences:?}");
        let (total, _) = study::coverage_with_children(c, root, &year, today(), Until::WHOLE_YEAR)
            .await
            .unwrap();
        assert_eq!(total.eligible, 35, "{}", db.name);
        assert!(rollups::first_counts(c).await.unwrap().is_empty());
        // A count stopped after its first thousand units, as a stopped server leaves it:
        // its progress is what the dashboard shows meanwhile, and it is finished later.
        let thousandth = count(c, "SELECT id FROM orgs ORDER BY id LIMIT 1 OFFSET 999").await;
        c.execute_unprepared(&format!(
            "UPDATE rollup_keys SET count_after = {thousandth}, count_depth = NULL \
             WHERE key LIKE 'studied/%'"
        ))
        .await
        .unwrap();
        let counting = rollups::first_counts(c).await.unwrap();
        assert_eq!(counting.len(), 1, "{counting:?}");
        let units = CELLS as i64 + 1;
        assert_eq!(
            (
                counting[0].label,
                counting[0].done,
                counting[0].of,
                counting[0].percent()
            ),
            ("Đảng viên học tập chuyên đề", 1000, 2 * units, 19)
        );
        rollups::finish_counts(c).await.unwrap();
        assert!(rollups::first_counts(c).await.unwrap().is_empty());
        let (_, differences) = rollups::check(c).await.unwrap();
        assert!(differences.is_empty(), "{differences:?}");
        // A page's figures are read as of its first: a member who joins while it reads
        // waits for the next page, which counts them.
        let eligible = || async {
            study::coverage_with_children(c, root, &year, today(), Until::WHOLE_YEAR)
                .await
                .unwrap()
                .0
                .eligible
        };
        let (first, second) = rollups::at_one_moment(async {
            let first = eligible().await;
            people::create(c, &actor(), &member(CELLS - 1))
                .await
                .unwrap();
            (first, eligible().await)
        })
        .await;
        assert_eq!((first, second), (35, 35), "{}", db.name);
        assert_eq!(eligible().await, 36, "{}", db.name);
        // Where a page's figures stand is asked once: a figure read again in the same
        // page costs its one read (the unit's counts with its children's), nothing more.
        let (counting, statements) = db.store.clone().counting_statements();
        let read = || {
            study::coverage_with_children(counting.db(), root, &year, today(), Until::WHOLE_YEAR)
        };
        let (first, again) = rollups::at_one_moment(async {
            let start = statements.get();
            read().await.unwrap();
            let between = statements.get();
            read().await.unwrap();
            (between - start, statements.get() - between)
        })
        .await;
        assert_eq!(again, 1, "{}: the first read ran {first}", db.name);
    }
}

/// Files in an S3-compatible bucket (`LANTOA_TEST_S3_URL`, `s3://bucket/prefix`, with the
/// store's `AWS_*` variables; `.ci/run` starts one): what one server writes another reads,
/// the same bytes are kept once, and a name nobody wrote is refused.
#[tokio::test]
async fn files_in_a_bucket_are_shared_by_servers() {
    use lantoa_store::files::Files;
    let url = match std::env::var("LANTOA_TEST_S3_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("CI").is_err(),
                "CI must set LANTOA_TEST_S3_URL"
            );
            eprintln!("skipped: LANTOA_TEST_S3_URL is not set");
            return;
        }
    };
    let run = format!("{url}/{}", std::process::id());
    let (one, other) = (
        Files::in_bucket(&run).unwrap(),
        Files::in_bucket(&run).unwrap(),
    );
    let bytes = "Báo cáo sơ kết 6 tháng".as_bytes().to_vec();
    let sha256 = one.write(bytes.clone()).await.unwrap();
    assert_eq!(sha256.len(), 64);
    assert_eq!(other.read(&sha256).await.unwrap(), bytes);
    assert_eq!(other.write(bytes.clone()).await.unwrap(), sha256);
    assert_eq!(one.location(), run);
    let nobody = "0".repeat(64);
    assert!(one.read(&nobody).await.is_err());
    assert!(matches!(
        one.read("../etc/passwd").await,
        Err(StoreError::NotFound)
    ));
    assert!(Files::in_bucket("/srv/files").is_err());
}

#[tokio::test]
async fn a_backup_taken_while_people_are_added_restores_a_consistent_copy() {
    use lantoa_store::backup;
    use lantoa_store::files::{Files, NewFile, Owner};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    for db in databases().await {
        let dir = tempfile::tempdir().unwrap();
        let store = db
            .store
            .clone()
            .with_files(Files::at(dir.path().join("tep")));
        let c = store.db();
        demo::load(c, today()).await.unwrap();
        let session = lantoa_store::study::session(
            c,
            sql_value(c, "SELECT MIN(id) AS value FROM study_sessions").await,
        )
        .await
        .unwrap();
        let minutes = NewFile {
            name: "Biên bản.pdf".into(),
            kind: lantoa_domain::files::FileKind::Pdf,
            bytes: b"%PDF-1.4 bien ban hoi nghi".to_vec(),
        };
        let owner = Owner {
            id: session.id,
            org_id: session.org_id,
        };
        lantoa_store::study::SESSION_FILES
            .attach(c, store.files(), &actor(), owner, &minutes)
            .await
            .unwrap();
        let cell = org::get_by_code(c, demo::ROOT_CODE).await.unwrap().unwrap();

        // People are added one by one, each in its transaction, while the backup is taken.
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (store, stop, code) = (store.clone(), stop.clone(), cell.code.clone());
            tokio::spawn(async move {
                let mut added = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    let name = format!("Người Sao Lưu {}", letters(added));
                    let draft = person(&name, &code, "").validate(today()).unwrap();
                    people::create(store.db(), &actor(), &draft).await.unwrap();
                    added += 1;
                }
                added
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let archive = dir.path().join("sao-luu.tar.gz");
        let made = backup::write(&store, &db.url, &archive).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stop.store(true, Ordering::SeqCst);
        let added = writer.await.unwrap();
        assert!(added > 0, "{}", db.name);
        assert_eq!(made.files, 1);
        assert_eq!(made.manifest.backend, db.name);
        // It holds everyone's personal data: only its owner may read it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let target_url = common::empty_database_beside(&db).await;
        let files = Files::at(dir.path().join("tep-khoi-phuc"));
        let restored = backup::restore(&archive, &target_url, &files, false)
            .await
            .unwrap();
        assert_eq!(restored.files, 1);
        let target = lantoa_store::Store::connect(&target_url).await.unwrap();

        // Every table is there; each restored row is a row of the source, except where a
        // counter or search index was updated in place by the later writes.
        let source = backup::table_rows(c).await.unwrap();
        let copy = backup::table_rows(target.db()).await.unwrap();
        let names =
            |t: &[(String, Vec<String>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&copy), names(&source), "{}", db.name);
        for ((name, copied), (_, original)) in copy.iter().zip(&source) {
            if ["rollup", "people_search", "sqlite_"]
                .iter()
                .any(|p| name.starts_with(p))
            {
                continue;
            }
            let original: std::collections::HashSet<&String> = original.iter().collect();
            for row in copied {
                assert!(original.contains(row), "{} {name}: {row}", db.name);
            }
        }
        // The copy is of one moment: its counters agree with its rows, and it holds some
        // of the people added meanwhile, each whole.
        let (_, differences) = lantoa_store::rollups::check(target.db()).await.unwrap();
        assert!(differences.is_empty(), "{} {differences:?}", db.name);
        let count = "SELECT COUNT(*) AS value FROM people WHERE full_name LIKE 'Người Sao Lưu%'";
        let copied_people = sql_value(target.db(), count).await;
        assert!(copied_people <= i64::from(added), "{}", db.name);
        let whole = "SELECT COUNT(*) AS value FROM people p \
             WHERE p.full_name LIKE 'Người Sao Lưu%' \
             AND EXISTS (SELECT 1 FROM person_units u WHERE u.person_id = p.id) \
             AND EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_type = 'person' \
                         AND a.entity_id = p.id AND a.action = 'person_create')";
        assert_eq!(
            sql_value(target.db(), whole).await,
            copied_people,
            "{}",
            db.name
        );
        let file = lantoa_store::study::SESSION_FILES
            .list(target.db(), session.id)
            .await
            .unwrap();
        assert_eq!(files.read(&file[0].sha256).await.unwrap(), minutes.bytes);

        // Now it holds data: another restore is refused unless forced.
        drop(target);
        let refused = backup::restore(&archive, &target_url, &files, false).await;
        assert!(
            matches!(refused, Err(StoreError::Config(ref m)) if m.contains("--force")),
            "{refused:?}"
        );
        backup::restore(&archive, &target_url, &files, true)
            .await
            .unwrap();
        let again = lantoa_store::Store::connect(&target_url).await.unwrap();
        assert_eq!(sql_value(again.db(), count).await, copied_people);

        // A file that is not a backup is refused, saying so.
        let wrong = dir.path().join("khong-phai.tar.gz");
        std::fs::write(&wrong, b"not a backup").unwrap();
        let refused = backup::restore(&wrong, &target_url, &files, true).await;
        assert!(
            matches!(refused, Err(StoreError::Config(ref m)) if m.contains("không phải bản sao lưu")),
            "{refused:?}"
        );
    }
}

/// A name part made of letters for a number (names hold no digits): 0 → "A", 27 → "BB".
fn letters(mut n: u32) -> String {
    let mut out = String::new();
    loop {
        out.insert(0, char::from(b'A' + (n % 26) as u8));
        n /= 26;
        if n == 0 {
            return out;
        }
    }
}

async fn sql_value<C: sea_orm::ConnectionTrait>(conn: &C, sql: &str) -> i64 {
    use sea_orm::{FromQueryResult, Statement};
    #[derive(FromQueryResult)]
    struct Value {
        value: i64,
    }
    Value::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
        .one(conn)
        .await
        .unwrap()
        .unwrap()
        .value
}
