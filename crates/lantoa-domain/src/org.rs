//! Organisations (units) of the tree: their kinds, sectors and the rules of their fields.

use crate::closed_list;
use crate::text::clean;
use crate::validation::FieldErrors;

closed_list!(
    /// Kind of unit. Party organisation kinds as users say them, then the other kinds the
    /// campaign reaches.
    OrgKind {
        Central = ("trung_uong", "Trung ương"),
        ProvincialCommittee = ("dang_bo_tinh", "Đảng bộ tỉnh/thành phố"),
        CommuneCommittee = ("dang_bo_xa", "Đảng bộ xã/phường/đặc khu"),
        DistrictCommittee = ("dang_bo_huyen", "Đảng bộ cấp huyện (trước 07/2025)"),
        GrassrootsCommittee = ("dang_bo_co_so", "Đảng bộ cơ sở"),
        GrassrootsCell = ("chi_bo_co_so", "Chi bộ cơ sở"),
        SectionCommittee = ("dang_bo_bo_phan", "Đảng bộ bộ phận"),
        Cell = ("chi_bo_truc_thuoc", "Chi bộ trực thuộc"),
        PartyGroup = ("to_dang", "Tổ đảng"),
        FrontOrUnion = ("mttq_doan_the", "Mặt trận Tổ quốc / đoàn thể"),
        Agency = ("co_quan", "Cơ quan"),
        School = ("truong_hoc", "Trường học"),
        HealthFacility = ("co_so_y_te", "Cơ sở y tế"),
        Police = ("cong_an", "Công an"),
        Military = ("quan_su", "Quân sự"),
        Enterprise = ("doanh_nghiep", "Doanh nghiệp"),
        Neighbourhood = ("khu_pho_ap", "Khu phố/ấp"),
    }
);

impl OrgKind {
    /// Whether this kind is a grassroots Party organisation ("cơ sở đảng").
    pub fn is_grassroots(self) -> bool {
        matches!(self, OrgKind::GrassrootsCommittee | OrgKind::GrassrootsCell)
    }
}

closed_list!(
    /// Sector a unit works in, as the seed report groups models and results.
    Sector {
        Education = ("giao_duc", "Giáo dục"),
        Health = ("y_te", "Y tế"),
        FrontAndUnions = ("mttq_doan_the", "MTTQ và các đoàn thể"),
        Police = ("cong_an", "Công an"),
        Military = ("quan_su", "Quân sự"),
        Religion = ("ton_giao", "Tôn giáo"),
        WardCommune = ("phuong_xa", "Phường, xã"),
        Administration = ("co_quan_hanh_chinh", "Cơ quan hành chính"),
        Enterprise = ("doanh_nghiep", "Doanh nghiệp"),
        Other = ("khac", "Khác"),
    }
);

/// Longest accepted unit code.
pub const CODE_MAX_LEN: usize = 32;
/// Longest accepted unit name.
pub const NAME_MAX_LEN: usize = 200;

/// Normalises a unit code as typed: trimmed, upper case.
/// The place a committee's documents are dated from, read from the top unit's name:
/// "Đảng bộ thành phố Mỹ Tho" → "Mỹ Tho", "Đảng bộ tỉnh Tiền Giang" → "Tiền Giang".
pub fn place_name(unit_name: &str) -> String {
    let mut rest = crate::text::clean(unit_name);
    for prefix in [
        "đảng bộ",
        "ban chấp hành",
        "thành phố",
        "tỉnh",
        "quận",
        "huyện",
        "thị xã",
        "phường",
        "xã",
    ] {
        let folded_prefix = crate::text::fold(prefix);
        let words = prefix.split(' ').count();
        let head: Vec<&str> = rest.split(' ').take(words).collect();
        if crate::text::fold(&head.join(" ")) == folded_prefix && rest.split(' ').count() > words {
            rest = rest.split(' ').skip(words).collect::<Vec<_>>().join(" ");
        }
    }
    rest
}

pub fn normalise_code(code: &str) -> String {
    code.trim().to_uppercase()
}

/// Checks a unit code: 1–32 characters of A–Z, 0–9, '-', '_' or '.'.
pub fn check_code(code: &str) -> Result<(), &'static str> {
    if code.is_empty() {
        Err("Chưa nhập mã đơn vị")
    } else if code.len() > CODE_MAX_LEN {
        Err("Mã đơn vị dài quá 32 ký tự")
    } else if !code
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"-_.".contains(&b))
    {
        Err("Mã đơn vị chỉ gồm chữ không dấu, chữ số và các dấu - _ .")
    } else {
        Ok(())
    }
}

/// A unit as entered in a form or a file, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDraft {
    /// Unique short code used in files.
    pub code: String,
    /// Full name, NFC.
    pub name: String,
    /// Kind of unit.
    pub kind: OrgKind,
    /// Sector.
    pub sector: Sector,
}

/// The raw text of a unit form or file row.
#[derive(Debug, Clone, Default)]
pub struct OrgInput {
    /// Unit code.
    pub code: String,
    /// Unit name.
    pub name: String,
    /// Kind, as code or label.
    pub kind: String,
    /// Sector, as code or label; empty means "Khác".
    pub sector: String,
}

impl OrgInput {
    /// Validates the input, returning the draft or every field error at once.
    pub fn validate(&self) -> Result<OrgDraft, FieldErrors> {
        use crate::ClosedList;
        let mut errors = FieldErrors::default();
        let code = normalise_code(&self.code);
        if let Err(message) = check_code(&code) {
            errors.add("code", message);
        }
        let name = clean(&self.name);
        if name.is_empty() {
            errors.add("name", "Chưa nhập tên đơn vị");
        } else if name.chars().count() > NAME_MAX_LEN {
            errors.add("name", "Tên đơn vị dài quá 200 ký tự");
        }
        let kind = OrgKind::from_user_text(&self.kind);
        if kind.is_none() {
            if self.kind.trim().is_empty() {
                errors.add("kind", "Chưa chọn loại đơn vị");
            } else {
                errors.add(
                    "kind",
                    format!("Loại đơn vị không hợp lệ: «{}»", self.kind.trim()),
                );
            }
        }
        let sector = if self.sector.trim().is_empty() {
            Some(Sector::Other)
        } else {
            Sector::from_user_text(&self.sector)
        };
        if sector.is_none() {
            errors.add(
                "sector",
                format!("Lĩnh vực không hợp lệ: «{}»", self.sector.trim()),
            );
        }
        match (kind, sector) {
            (Some(kind), Some(sector)) if errors.is_empty() => Ok(OrgDraft {
                code,
                name,
                kind,
                sector,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClosedList;

    #[test]
    fn documents_are_dated_from_the_committee_place() {
        assert_eq!(place_name("Đảng bộ thành phố Mỹ Tho"), "Mỹ Tho");
        assert_eq!(place_name("Đảng bộ tỉnh Tiền Giang"), "Tiền Giang");
        assert_eq!(place_name("Mỹ Tho"), "Mỹ Tho");
        assert_eq!(place_name("Đảng bộ Phường"), "Phường");
    }

    #[test]
    fn kinds_match_labels_without_diacritics() {
        assert_eq!(
            OrgKind::from_user_text("chi bo co so"),
            Some(OrgKind::GrassrootsCell)
        );
        assert_eq!(
            OrgKind::from_user_text("Đảng bộ cơ sở"),
            Some(OrgKind::GrassrootsCommittee)
        );
        assert_eq!(
            OrgKind::from_user_text("chi_bo_truc_thuoc"),
            Some(OrgKind::Cell)
        );
        assert_eq!(OrgKind::from_user_text("không có"), None);
        assert_eq!(Sector::from_user_text("y te"), Some(Sector::Health));
    }

    #[test]
    fn validation_reports_every_field() {
        let errors = OrgInput {
            code: "a b".into(),
            name: " ".into(),
            kind: "xyz".into(),
            sector: "??".into(),
        }
        .validate()
        .unwrap_err();
        assert!(errors.get("code").is_some());
        assert!(errors.get("name").is_some());
        assert!(errors.get("kind").unwrap().contains("xyz"));
        assert!(errors.get("sector").is_some());
    }

    #[test]
    fn valid_input_is_normalised() {
        let draft = OrgInput {
            code: " cb-kp1 ".into(),
            name: "Chi bộ  Khu phố 1".into(),
            kind: "Chi bộ trực thuộc".into(),
            sector: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(draft.code, "CB-KP1");
        assert_eq!(draft.name, "Chi bộ Khu phố 1");
        assert_eq!(draft.sector, Sector::Other);
    }
}
