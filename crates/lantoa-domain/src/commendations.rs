//! Commendation decisions (quyết định khen thưởng): the forms, which Party organisations may
//! give which (Quy định 29-QĐ/TW: a cell praises, a grassroots committee and higher give
//! certificates of merit, the provincial committee gives bằng khen, banners and badges),
//! the symbol of each issuer's numbers ("15-QĐ/TU") and the rules of a decision's fields.

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

/// Whether a Party organisation of this kind may decide this form (the defaults of Quy
/// định 29-QĐ/TW).
pub fn may_issue(kind: OrgKind, form: CommendationForm) -> bool {
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

/// The forms a unit of this kind may decide, in list order.
pub fn forms_of(kind: OrgKind) -> Vec<CommendationForm> {
    use crate::ClosedList;
    CommendationForm::ALL
        .iter()
        .copied()
        .filter(|f| may_issue(kind, *f))
        .collect()
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
        today: NaiveDate,
    ) -> Result<DecisionDraft, FieldErrors> {
        use crate::ClosedList;
        let mut errors = FieldErrors::default();
        let form = CommendationForm::from_code(self.form.trim());
        match form {
            None => errors.add("form", "Chọn hình thức khen thưởng"),
            Some(f) if !may_issue(issuer, f) => errors.add(
                "form",
                format!(
                    "{} không có thẩm quyền quyết định «{}» (theo Quy định 29-QĐ/TW)",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_follow_the_level_of_the_organisation() {
        use CommendationForm::*;
        assert!(may_issue(OrgKind::Cell, Praise));
        assert!(!may_issue(OrgKind::Cell, Certificate));
        assert!(may_issue(OrgKind::GrassrootsCommittee, Certificate));
        assert!(!may_issue(OrgKind::GrassrootsCommittee, Merit));
        assert!(may_issue(OrgKind::ProvincialCommittee, Banner));
        assert!(!may_issue(OrgKind::School, Praise));
        assert_eq!(issuer_symbol(OrgKind::ProvincialCommittee, ""), Some("TU"));
        let city = "Đảng bộ thành phố Mỹ Tho";
        assert_eq!(issuer_symbol(OrgKind::DistrictCommittee, city), Some("TU"));
        assert_eq!(
            issuer_symbol(OrgKind::DistrictCommittee, "Đảng bộ huyện Chợ Gạo"),
            Some("HU")
        );
        assert_eq!(forms_of(OrgKind::Cell), vec![Praise]);
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
            .validate(OrgKind::CommuneCommittee, today)
            .unwrap_err();
        assert!(errors.get("form").unwrap().contains("không có thẩm quyền"));
        assert!(input.validate(OrgKind::ProvincialCommittee, today).is_ok());
    }
}
