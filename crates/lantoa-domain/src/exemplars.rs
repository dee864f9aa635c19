//! Exemplary people and collectives (gương điển hình, người tốt việc tốt): who they are —
//! a registered person, a citizen named in words, a unit or a group — what they did, who
//! nominated them, and the path from nomination to commendation, whose length the reports
//! watch ("phát hiện, biểu dương chưa kịp thời").

use crate::closed_list;
use crate::validation::FieldErrors;

closed_list!(
    /// Whether the exemplar is one person or a collective.
    ExemplarKind {
        Person = ("ca_nhan", "Cá nhân"),
        Collective = ("tap_the", "Tập thể"),
    }
);

closed_list!(
    /// Who the exemplar is, as reports split commended individuals.
    SubjectCategory {
        PartyMember = ("dang_vien", "Đảng viên"),
        UnionMember = ("doan_vien_hoi_vien", "Đoàn viên, hội viên"),
        Citizen = ("nguoi_dan", "Quần chúng, người dân"),
        Collective = ("tap_the", "Tập thể"),
    }
);

closed_list!(
    /// The field of the good deed.
    ExemplarField {
        Work = ("lao_dong_san_xuat", "Lao động, sản xuất, kinh doanh"),
        Study = ("hoc_tap", "Học tập, nghiên cứu, sáng tạo"),
        Security = ("an_ninh_trat_tu", "An ninh, trật tự"),
        Charity = ("nhan_dao_tu_thien", "Nhân đạo, từ thiện"),
        Environment = ("moi_truong", "Bảo vệ môi trường"),
        Community = ("cong_dong", "Xây dựng khu dân cư, cộng đồng"),
        PartyBuilding = ("xay_dung_dang", "Xây dựng Đảng, chính quyền"),
        Other = ("khac", "Khác"),
    }
);

closed_list!(
    /// Where a nomination stands.
    ExemplarState {
        Nominated = ("de_cu", "Đề cử"),
        Verified = ("xac_minh", "Đã xác minh"),
        Proposed = ("de_nghi_khen", "Đề nghị khen thưởng"),
        Commended = ("da_khen", "Đã biểu dương, khen thưởng"),
        Rejected = ("khong_dat", "Không đạt"),
    }
);

closed_list!(
    /// What staff do to a nomination by hand. Proposing it for commendation is done by a
    /// proposal (tờ trình), whose review decides it.
    ExemplarStep {
        Verify = ("xac_minh", "Xác minh đúng sự thật"),
        Commend = ("da_khen", "Ghi nhận đã biểu dương, khen thưởng"),
        Reject = ("khong_dat", "Kết luận không đạt"),
    }
);

closed_list!(
    /// Where a nomination came from.
    NominationSource {
        Staff = ("can_bo", "Cán bộ đơn vị"),
        Member = ("dang_vien", "Đảng viên"),
        Public = ("nguoi_dan", "Người dân (trang công khai)"),
    }
);

impl ExemplarState {
    /// The state after a step, or why it is not possible now.
    pub fn after(self, step: ExemplarStep) -> Result<ExemplarState, String> {
        use crate::ClosedList;
        use ExemplarState::*;
        match (self, step) {
            (Nominated, ExemplarStep::Verify) => Ok(Verified),
            (Verified, ExemplarStep::Commend) => Ok(Commended),
            (Nominated | Verified, ExemplarStep::Reject) => Ok(Rejected),
            (Nominated, ExemplarStep::Commend) => {
                Err("Cần xác minh trước khi ghi nhận khen thưởng".into())
            }
            (Proposed, _) => Err(
                "Đề cử đang trong tờ trình đề nghị khen thưởng: kết quả do bình xét và quyết định khen thưởng"
                    .into(),
            ),
            (state, step) => Err(format!(
                "Đề cử đang ở bước «{}»: không thể «{}»",
                state.label(),
                step.label().to_lowercase()
            )),
        }
    }

    /// Whether the nomination has reached its decision (commended or not).
    pub fn decided(self) -> bool {
        matches!(self, ExemplarState::Commended | ExemplarState::Rejected)
    }
}

/// A nomination as typed by staff or a member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExemplarInput {
    /// An `ExemplarKind` code.
    pub kind: String,
    /// A registered person's id, if the exemplar is one.
    pub person_id: String,
    /// The name, when not a registered person: a citizen, a unit or a group.
    pub name: String,
    /// Short description of who they are ("Tổ trưởng tổ dân phố 3", "Hội Phụ nữ khu phố 2").
    pub about: String,
    /// An `ExemplarField` code.
    pub field: String,
    /// What they did.
    pub achievement: String,
    /// How it can be checked (facts, witnesses, links).
    pub evidence: String,
}

/// A checked nomination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExemplarDraft {
    pub kind: ExemplarKind,
    pub person_id: Option<i64>,
    pub name: String,
    pub about: Option<String>,
    pub field: ExemplarField,
    pub achievement: String,
    pub evidence: Option<String>,
}

/// Longest accepted name.
pub const NAME_MAX_LEN: usize = 200;
/// Fewest characters of an achievement: what was done, where, when.
pub const ACHIEVEMENT_MIN_LEN: usize = 30;
/// Longest accepted achievement (a public form must not take a book).
pub const ACHIEVEMENT_MAX_LEN: usize = 5_000;

impl ExemplarInput {
    /// Checks every field at once. A registered person brings their name; otherwise the name
    /// is required. The achievement must say what was done.
    pub fn validate(&self) -> Result<ExemplarDraft, FieldErrors> {
        use crate::ClosedList;
        let mut errors = FieldErrors::default();
        let kind = ExemplarKind::from_code(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Chọn cá nhân hay tập thể");
        }
        let person_id = match self.person_id.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) if kind != Some(ExemplarKind::Collective) => Some(id),
                Ok(_) => {
                    errors.add("person_id", "Tập thể không gắn với một người");
                    None
                }
                Err(_) => {
                    errors.add("person_id", "Chọn người trong danh sách");
                    None
                }
            },
        };
        let name = crate::text::clean(&self.name);
        if person_id.is_none() && name.is_empty() {
            errors.add("name", "Ghi họ tên người hoặc tên tập thể được đề cử");
        } else if name.chars().count() > NAME_MAX_LEN {
            errors.add("name", format!("Tên tối đa {NAME_MAX_LEN} ký tự"));
        }
        let field = ExemplarField::from_code(self.field.trim());
        if field.is_none() {
            errors.add("field", "Chọn lĩnh vực của việc tốt");
        }
        let achievement = self.achievement.trim().to_owned();
        let length = achievement.chars().count();
        if length < ACHIEVEMENT_MIN_LEN {
            errors.add(
                "achievement",
                format!(
                    "Kể rõ việc tốt: làm gì, ở đâu, khi nào, kết quả ra sao (ít nhất {ACHIEVEMENT_MIN_LEN} ký tự)"
                ),
            );
        } else if length > ACHIEVEMENT_MAX_LEN {
            errors.add("achievement", format!("Tối đa {ACHIEVEMENT_MAX_LEN} ký tự"));
        }
        let about = Some(crate::text::clean(&self.about)).filter(|a| !a.is_empty());
        let evidence = Some(self.evidence.trim().to_owned()).filter(|e| !e.is_empty());
        if evidence
            .as_ref()
            .is_some_and(|e| e.chars().count() > ACHIEVEMENT_MAX_LEN)
        {
            errors.add("evidence", format!("Tối đa {ACHIEVEMENT_MAX_LEN} ký tự"));
        }
        match (kind, field, errors.is_empty()) {
            (Some(kind), Some(field), true) => Ok(ExemplarDraft {
                kind,
                person_id,
                name,
                about,
                field,
                achievement,
                evidence,
            }),
            _ => Err(errors),
        }
    }
}

/// The category of a registered person for the reports: a party member (chính thức or dự
/// bị), else a union or association member, else a citizen.
pub fn category_of(
    categories: crate::people::Categories,
    status: Option<crate::people::MemberStatus>,
) -> SubjectCategory {
    use crate::people::Category;
    if status.is_some() || categories.contains(Category::PartyMember) {
        SubjectCategory::PartyMember
    } else if categories.contains(Category::YouthUnionMember)
        || categories.contains(Category::AssociationMember)
    {
        SubjectCategory::UnionMember
    } else {
        SubjectCategory::Citizen
    }
}

/// The median of some durations in days given as `(days, how many)` (the middle one, or the
/// mean of the two middle ones), or none without any.
pub fn median_of_counts(mut counts: Vec<(i64, i64)>) -> Option<f64> {
    counts.retain(|(_, n)| *n > 0);
    counts.sort_unstable();
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // The value at a 0-based position of the sorted durations.
    let at = |position: i64| {
        let mut seen = 0;
        for (days, n) in &counts {
            seen += n;
            if position < seen {
                return *days;
            }
        }
        0
    };
    Some(if total % 2 == 1 {
        at(total / 2) as f64
    } else {
        (at(total / 2 - 1) + at(total / 2)) as f64 / 2.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::{Categories, Category, MemberStatus};

    #[test]
    fn a_nomination_is_verified_before_it_is_commended() {
        use ExemplarState::*;
        assert!(Nominated.after(ExemplarStep::Commend).is_err());
        assert_eq!(Nominated.after(ExemplarStep::Verify), Ok(Verified));
        assert_eq!(Verified.after(ExemplarStep::Commend), Ok(Commended));
        assert!(Proposed.after(ExemplarStep::Reject).is_err());
        assert_eq!(Verified.after(ExemplarStep::Reject), Ok(Rejected));
        assert!(Commended.after(ExemplarStep::Reject).is_err());
        assert!(Commended.decided() && Rejected.decided() && !Proposed.decided());
    }

    #[test]
    fn a_citizen_needs_a_name_and_a_told_deed() {
        let errors = ExemplarInput {
            kind: "ca_nhan".into(),
            achievement: "Tốt".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        for field in ["name", "field", "achievement"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let fine = ExemplarInput {
            kind: "ca_nhan".into(),
            name: "Bà Nguyễn Thị Hai".into(),
            field: "nhan_dao_tu_thien".into(),
            achievement: "Mười năm nấu cơm miễn phí cho bệnh nhân nghèo ở Bệnh viện đa khoa".into(),
            ..Default::default()
        };
        assert_eq!(fine.validate().unwrap().field, ExemplarField::Charity);
    }

    #[test]
    fn reports_split_people_into_members_union_members_and_citizens() {
        let member: Categories = [Category::PartyMember].into_iter().collect();
        let youth: Categories = [Category::YouthUnionMember, Category::Citizen]
            .into_iter()
            .collect();
        let citizen: Categories = [Category::Citizen].into_iter().collect();
        assert_eq!(
            category_of(member, Some(MemberStatus::Official)),
            SubjectCategory::PartyMember
        );
        assert_eq!(category_of(youth, None), SubjectCategory::UnionMember);
        assert_eq!(category_of(citizen, None), SubjectCategory::Citizen);
        assert_eq!(
            median_of_counts(vec![(30, 1), (10, 1), (20, 1)]),
            Some(20.0)
        );
        assert_eq!(median_of_counts(vec![(10, 1), (40, 1)]), Some(25.0));
        assert_eq!(median_of_counts(vec![(40, 2), (10, 1), (7, 0)]), Some(40.0));
        assert_eq!(median_of_counts(vec![(40, 2), (10, 2)]), Some(25.0));
        assert_eq!(median_of_counts(vec![(5, 0)]), None);
        assert_eq!(median_of_counts(vec![]), None);
    }
}
