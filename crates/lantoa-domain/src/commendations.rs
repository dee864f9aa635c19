//! Commendation decisions (quyết định khen thưởng): the forms, which Party organisations may
//! give which (Quy định 29-QĐ/TW: a cell praises, a grassroots committee and higher give
//! certificates of merit, the provincial committee gives bằng khen, banners and badges),
//! the symbol of each issuer's numbers ("15-QĐ/TU") and the rules of a decision's fields.

use crate::ClosedList;
use crate::closed_list;
use crate::org::OrgKind;
use crate::validation::FieldErrors;
use chrono::NaiveDate;

closed_list!(
    /// The forms of commendation.
    CommendationForm {
        Praise = ("bieu_duong", "Biểu dương"),
        Certificate = ("giay_khen", "Giấy khen"),
        Merit = ("bang_khen", "Bằng khen"),
        Banner = ("co_thi_dua", "Cờ thi đua"),
        Badge = ("chung_nhan_bieu_trung", "Chứng nhận và biểu trưng"),
    }
);

impl CommendationForm {
    /// What the paper given to each recipient is called.
    pub fn certificate_title(self) -> &'static str {
        match self {
            CommendationForm::Praise => "Giấy biểu dương",
            CommendationForm::Certificate => "Giấy khen",
            CommendationForm::Merit => "Bằng khen",
            CommendationForm::Banner => "Cờ thi đua",
            CommendationForm::Badge => "Giấy chứng nhận",
        }
    }
}

/// Whether a Party organisation of this kind may decide this form by default (Quy định
/// 29-QĐ/TW); a committee may change it in its settings (`Powers`).
fn by_regulation(kind: OrgKind, form: CommendationForm) -> bool {
    use CommendationForm::*;
    use OrgKind::*;
    match kind {
        ProvincialCommittee => true,
        DistrictCommittee | CommuneCommittee | GrassrootsCommittee | GrassrootsCell => {
            matches!(form, Praise | Certificate)
        }
        SectionCommittee | Cell | PartyGroup => form == Praise,
        _ => false,
    }
}

/// Which kinds of Party organisation may decide which forms of commendation: a setting,
/// by default Quy định 29-QĐ/TW. Only kinds that issue Party documents ever may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Powers {
    granted: Vec<(OrgKind, CommendationForm)>,
}

impl Default for Powers {
    fn default() -> Self {
        Powers::from_pairs(
            Powers::issuers()
                .into_iter()
                .flat_map(|k| CommendationForm::ALL.iter().map(move |f| (k, *f)))
                .filter(|(k, f)| by_regulation(*k, *f)),
        )
    }
}

impl Powers {
    /// The kinds that issue Party documents, and so may be given powers, in list order.
    pub fn issuers() -> Vec<OrgKind> {
        OrgKind::ALL
            .iter()
            .copied()
            .filter(|k| issuer_symbol(*k, "").is_some())
            .collect()
    }

    /// These powers (kinds that issue no Party documents are left out).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (OrgKind, CommendationForm)>) -> Self {
        let mut granted: Vec<(OrgKind, CommendationForm)> = pairs
            .into_iter()
            .filter(|(k, _)| issuer_symbol(*k, "").is_some())
            .collect();
        granted.sort_by_key(|(k, f)| (*k as usize, *f as usize));
        granted.dedup();
        Powers { granted }
    }

    /// Whether an organisation of this kind may decide this form.
    pub fn allows(&self, kind: OrgKind, form: CommendationForm) -> bool {
        self.granted.contains(&(kind, form))
    }

    /// The forms an organisation of this kind may decide, in list order.
    pub fn forms_of(&self, kind: OrgKind) -> Vec<CommendationForm> {
        CommendationForm::ALL
            .iter()
            .copied()
            .filter(|f| self.allows(kind, *f))
            .collect()
    }

    /// Each power as "kind:form", as stored and as the settings form's boxes are named.
    pub fn codes(&self) -> Vec<String> {
        self.granted
            .iter()
            .map(|(k, f)| power_code(*k, *f))
            .collect()
    }

    /// Powers from "kind:form" codes, or the first code not understood.
    pub fn from_codes<S: AsRef<str>>(codes: &[S]) -> Result<Self, String> {
        let mut pairs = Vec::new();
        for code in codes {
            let code = code.as_ref().trim();
            let pair = code
                .split_once(':')
                .and_then(|(k, f)| Some((OrgKind::from_code(k)?, CommendationForm::from_code(f)?)));
            match pair {
                Some(p) => pairs.push(p),
                None => return Err(code.to_owned()),
            }
        }
        Ok(Powers::from_pairs(pairs))
    }
}

/// "kind:form".
pub fn power_code(kind: OrgKind, form: CommendationForm) -> String {
    format!("{}:{}", kind.code(), form.code())
}

/// The issuer's part of a document symbol: "TU" (tỉnh ủy, thành ủy, thị ủy), "HU" (huyện
/// ủy), "ĐU" (đảng ủy), "CB" (chi bộ); none for units that issue no Party documents.
pub fn issuer_symbol(kind: OrgKind, name: &str) -> Option<&'static str> {
    use OrgKind::*;
    let folded = crate::text::fold(name);
    match kind {
        ProvincialCommittee => Some("TU"),
        DistrictCommittee if folded.contains("thanh pho") || folded.contains("thi xa") => {
            Some("TU")
        }
        DistrictCommittee => Some("HU"),
        CommuneCommittee | GrassrootsCommittee | SectionCommittee => Some("ĐU"),
        GrassrootsCell | Cell | PartyGroup => Some("CB"),
        _ => None,
    }
}

/// A decision as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecisionInput {
    /// A `CommendationForm` code.
    pub form: String,
    /// dd/mm/yyyy.
    pub signed_on: String,
    /// A number already given on paper, or empty to take the next one.
    pub number: String,
    /// Who signs: "Nguyễn Văn A".
    pub signer_name: String,
    /// As what: "Phó Bí thư Thường trực".
    pub signer_post: String,
    /// Why: "Đã có thành tích xuất sắc trong học tập và làm theo…".
    pub reason: String,
}

/// A checked decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionDraft {
    pub form: CommendationForm,
    pub signed_on: NaiveDate,
    pub number: Option<i32>,
    pub signer_name: String,
    pub signer_post: String,
    pub reason: String,
}

impl DecisionInput {
    /// Checks every field at once, and that the issuer's kind may decide the form.
    pub fn validate(
        &self,
        issuer: OrgKind,
        powers: &Powers,
        today: NaiveDate,
    ) -> Result<DecisionDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let form = CommendationForm::from_code(self.form.trim());
        match form {
            None => errors.add("form", "Chọn hình thức khen thưởng"),
            Some(f) if !powers.allows(issuer, f) => errors.add(
                "form",
                format!(
                    "{} không có thẩm quyền quyết định «{}» (theo cài đặt thẩm quyền khen thưởng)",
                    issuer.label(),
                    f.label()
                ),
            ),
            Some(_) => {}
        }
        if issuer_symbol(issuer, "").is_none() {
            errors.add("form", "Chỉ tổ chức đảng ban hành quyết định khen thưởng");
        }
        let signed_on = match crate::dates::parse(&self.signed_on)
            .and_then(|d| crate::dates::check_past(d, today))
        {
            Ok(d) => Some(d),
            Err(e) => {
                errors.add("signed_on", e.to_string());
                None
            }
        };
        let number = match self.number.trim() {
            "" => None,
            text => match text.parse::<i32>() {
                Ok(n) if n > 0 => Some(n),
                _ => {
                    errors.add("number", "Số quyết định là số nguyên dương, hoặc để trống");
                    None
                }
            },
        };
        let signer_name = crate::text::clean(&self.signer_name);
        if signer_name.is_empty() {
            errors.add("signer_name", "Ghi họ tên người ký");
        }
        let signer_post = crate::text::clean(&self.signer_post);
        if signer_post.is_empty() {
            errors.add("signer_post", "Ghi chức vụ người ký (ví dụ: Bí thư)");
        }
        let reason = crate::text::clean(&self.reason);
        if reason.is_empty() {
            errors.add("reason", "Ghi lý do khen thưởng");
        }
        match (form, signed_on, errors.is_empty()) {
            (Some(form), Some(signed_on), true) => Ok(DecisionDraft {
                form,
                signed_on,
                number,
                signer_name,
                signer_post,
                reason,
            }),
            _ => Err(errors),
        }
    }
}

closed_list!(
    /// Where a proposal (tờ trình đề nghị khen thưởng) stands.
    ProposalState {
        Pending = ("cho_binh_xet", "Chờ bình xét"),
        Reviewed = ("da_binh_xet", "Đã bình xét"),
    }
);

closed_list!(
    /// What the review (bình xét) concludes for one proposed person or collective.
    ReviewOutcome {
        Approved = ("dat", "Đạt — khen thưởng ở cấp này"),
        Higher = ("khen_cao", "Đạt — đề nghị cấp trên khen cao hơn"),
        NotApproved = ("khong_dat", "Không đạt"),
    }
);

/// The nearest organisation of a chain (the proposing unit first, then each unit above)
/// that may decide a form: where a proposal of that form is reviewed.
pub fn reviewer_of<'a, T>(
    chain: &'a [T],
    kind_of: impl Fn(&T) -> OrgKind,
    form: CommendationForm,
    powers: &Powers,
) -> Option<&'a T> {
    chain.iter().find(|o| powers.allows(kind_of(o), form))
}

/// Longest accepted reason or comment.
pub const REASON_MAX_LEN: usize = 5_000;

/// A proposal as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProposalInput {
    /// The form proposed, a `CommendationForm` code.
    pub form: String,
    /// Why they deserve it.
    pub reason: String,
}

/// A checked proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalDraft {
    pub form: CommendationForm,
    pub reason: String,
}

impl ProposalInput {
    /// Checks both fields at once.
    pub fn validate(&self) -> Result<ProposalDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let form = CommendationForm::from_code(self.form.trim());
        if form.is_none() {
            errors.add("form", "Chọn hình thức khen thưởng đề nghị");
        }
        let reason = self.reason.trim().to_owned();
        if reason.is_empty() {
            errors.add("reason", "Ghi lý do, thành tích đề nghị khen thưởng");
        } else if reason.chars().count() > REASON_MAX_LEN {
            errors.add("reason", format!("Tối đa {REASON_MAX_LEN} ký tự"));
        }
        match (form, errors.is_empty()) {
            (Some(form), true) => Ok(ProposalDraft { form, reason }),
            _ => Err(errors),
        }
    }
}

/// One person's or collective's review as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemReviewInput {
    pub exemplar_id: i64,
    /// A `ReviewOutcome` code.
    pub outcome: String,
    pub comment: String,
}

/// The review of a whole proposal as typed: one conclusion for each person or collective,
/// and the higher form asked of the unit above for those sent up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewInput {
    pub items: Vec<ItemReviewInput>,
    pub higher_form: String,
}

/// A checked review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDraft {
    /// (exemplar, outcome, comment).
    pub items: Vec<(i64, ReviewOutcome, Option<String>)>,
    /// The form asked of the unit above, when someone is sent up.
    pub higher_form: Option<CommendationForm>,
}

impl ReviewInput {
    /// The field of an item's outcome ("outcome_12") and comment ("comment_12").
    pub fn field(name: &str, exemplar_id: i64) -> String {
        format!("{name}_{exemplar_id}")
    }

    /// Checks every item: a conclusion each, a comment for "không đạt", and for those sent
    /// up a form no lower than the one proposed (the same form given by a higher level
    /// counts for more: a city's giấy khen over a ward's).
    pub fn validate(&self, proposed: CommendationForm) -> Result<ReviewDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut items = Vec::with_capacity(self.items.len());
        for item in &self.items {
            let comment = Some(item.comment.trim().to_owned()).filter(|c| !c.is_empty());
            if comment
                .as_ref()
                .is_some_and(|c| c.chars().count() > REASON_MAX_LEN)
            {
                errors.add(
                    Self::field("comment", item.exemplar_id),
                    format!("Tối đa {REASON_MAX_LEN} ký tự"),
                );
            }
            match ReviewOutcome::from_code(item.outcome.trim()) {
                None => errors.add(
                    Self::field("outcome", item.exemplar_id),
                    "Chọn kết quả bình xét",
                ),
                Some(ReviewOutcome::NotApproved) if comment.is_none() => errors.add(
                    Self::field("comment", item.exemplar_id),
                    "Ghi lý do không đạt",
                ),
                Some(outcome) => items.push((item.exemplar_id, outcome, comment)),
            }
        }
        if self.items.is_empty() {
            errors.add("items", "Tờ trình không có ai để bình xét");
        }
        let higher = items.iter().any(|(_, o, _)| *o == ReviewOutcome::Higher);
        let higher_form = match CommendationForm::from_code(self.higher_form.trim()) {
            Some(f) if higher && (f as usize) < (proposed as usize) => {
                errors.add(
                    "higher_form",
                    format!(
                        "Đề nghị cấp trên khen từ «{}» trở lên",
                        proposed.label().to_lowercase()
                    ),
                );
                None
            }
            None if higher => {
                errors.add("higher_form", "Chọn hình thức đề nghị cấp trên khen thưởng");
                None
            }
            f if higher => f,
            _ => None,
        };
        if errors.is_empty() {
            Ok(ReviewDraft { items, higher_form })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_follow_the_level_of_the_organisation() {
        use CommendationForm::*;
        let powers = Powers::default();
        assert!(powers.allows(OrgKind::Cell, Praise));
        assert!(!powers.allows(OrgKind::Cell, Certificate));
        assert!(powers.allows(OrgKind::GrassrootsCommittee, Certificate));
        assert!(!powers.allows(OrgKind::GrassrootsCommittee, Merit));
        assert!(powers.allows(OrgKind::ProvincialCommittee, Banner));
        assert!(!powers.allows(OrgKind::School, Praise));
        assert_eq!(issuer_symbol(OrgKind::ProvincialCommittee, ""), Some("TU"));
        let city = "Đảng bộ thành phố Mỹ Tho";
        assert_eq!(issuer_symbol(OrgKind::DistrictCommittee, city), Some("TU"));
        assert_eq!(
            issuer_symbol(OrgKind::DistrictCommittee, "Đảng bộ huyện Chợ Gạo"),
            Some("HU")
        );
        assert_eq!(powers.forms_of(OrgKind::Cell), vec![Praise]);
        // Stored as codes and read back; a school never gets a power.
        let back = Powers::from_codes(&powers.codes()).unwrap();
        assert_eq!(back, powers);
        let odd = Powers::from_codes(&["truong_hoc:bieu_duong", "chi_bo_truc_thuoc:giay_khen"]);
        assert_eq!(odd.unwrap().codes(), vec!["chi_bo_truc_thuoc:giay_khen"]);
        assert_eq!(Powers::from_codes(&["x:y"]).unwrap_err(), "x:y");
    }

    #[test]
    fn a_proposal_goes_to_the_nearest_unit_that_may_decide_its_form() {
        use CommendationForm::*;
        let chain = [
            OrgKind::Cell,
            OrgKind::CommuneCommittee,
            OrgKind::ProvincialCommittee,
        ];
        let powers = Powers::default();
        let at = |form| reviewer_of(&chain, |k| *k, form, &powers).copied();
        assert_eq!(at(Praise), Some(OrgKind::Cell));
        assert_eq!(at(Certificate), Some(OrgKind::CommuneCommittee));
        assert_eq!(at(Merit), Some(OrgKind::ProvincialCommittee));
        let none = Powers::from_pairs([]);
        assert_eq!(reviewer_of(&chain, |k| *k, Praise, &none), None);
    }

    #[test]
    fn a_review_concludes_on_everyone_and_sends_up_only_for_a_higher_form() {
        let item = |id, outcome: &str, comment: &str| ItemReviewInput {
            exemplar_id: id,
            outcome: outcome.into(),
            comment: comment.into(),
        };
        let mut input = ReviewInput {
            items: vec![
                item(1, "dat", ""),
                item(2, "khong_dat", ""),
                item(3, "", ""),
            ],
            higher_form: String::new(),
        };
        let errors = input.validate(CommendationForm::Certificate).unwrap_err();
        assert!(errors.get("comment_2").is_some());
        assert!(errors.get("outcome_3").is_some());
        input.items = vec![item(1, "dat", ""), item(2, "khen_cao", "")];
        let errors = input.validate(CommendationForm::Certificate).unwrap_err();
        assert!(errors.get("higher_form").is_some());
        input.higher_form = "bieu_duong".into();
        let errors = input.validate(CommendationForm::Certificate).unwrap_err();
        assert!(errors.get("higher_form").unwrap().contains("trở lên"));
        input.higher_form = "giay_khen".into();
        assert!(input.validate(CommendationForm::Certificate).is_ok());
        input.higher_form = "bang_khen".into();
        let draft = input.validate(CommendationForm::Certificate).unwrap();
        assert_eq!(draft.higher_form, Some(CommendationForm::Merit));
        assert_eq!(draft.items[1].1, ReviewOutcome::Higher);
    }

    #[test]
    fn a_ward_cannot_give_a_bang_khen() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let input = DecisionInput {
            form: "bang_khen".into(),
            signed_on: "15/12/2024".into(),
            signer_name: "Nguyễn Văn A".into(),
            signer_post: "Bí thư".into(),
            reason: "Có thành tích".into(),
            ..Default::default()
        };
        let errors = input
            .validate(OrgKind::CommuneCommittee, &Powers::default(), today)
            .unwrap_err();
        assert!(errors.get("form").unwrap().contains("không có thẩm quyền"));
        assert!(
            input
                .validate(OrgKind::ProvincialCommittee, &Powers::default(), today)
                .is_ok()
        );
    }
}
