//! Typical models (mô hình): what a unit registers for a campaign year, the steps a model
//! goes through — registered, carried out, evaluated, recognised as typical or not, then
//! replicated by other units — and the rules of its fields.

use crate::closed_list;
use crate::org::Sector;
use crate::validation::FieldErrors;
use chrono::NaiveDate;

closed_list!(
    /// The category of a model, as one province groups them.
    ModelCategory {
        AdministrativeReform = ("cai_cach_hanh_chinh", "Cải cách hành chính"),
        LeadersResponsibility = ("trach_nhiem_nguoi_dung_dau", "Trách nhiệm cán bộ, người đứng đầu"),
        ThriftAndMutualAid = ("tiet_kiem_tuong_tro", "Tiết kiệm, tương trợ"),
        PartyBuilding = ("xay_dung_dang", "Xây dựng Đảng và hệ thống chính trị"),
        Propaganda = ("tuyen_truyen_van_dong", "Tuyên truyền, vận động"),
        Other = ("khac", "Khác"),
    }
);

closed_list!(
    /// Where a model stands.
    ModelState {
        Registered = ("dang_ky", "Đăng ký"),
        InProgress = ("dang_trien_khai", "Đang triển khai"),
        Evaluated = ("da_danh_gia", "Đã đánh giá"),
        Recognised = ("cong_nhan", "Công nhận tiêu biểu"),
        NotAchieved = ("khong_dat", "Không đạt"),
        Replicated = ("nhan_rong", "Đã nhân rộng"),
    }
);

closed_list!(
    /// What is done to a model.
    ModelStep {
        Start = ("trien_khai", "Bắt đầu triển khai"),
        Evaluate = ("danh_gia", "Ghi kết quả đánh giá"),
        Recognise = ("cong_nhan", "Công nhận mô hình tiêu biểu"),
        Reject = ("khong_dat", "Đánh giá không đạt"),
        Replicate = ("nhan_rong", "Ghi nhận đơn vị nhân rộng"),
    }
);

impl ModelState {
    /// The state after a step, or why the step is not possible now.
    pub fn after(self, step: ModelStep) -> Result<ModelState, String> {
        use crate::ClosedList;
        use ModelState::*;
        match (self, step) {
            (Registered, ModelStep::Start) => Ok(InProgress),
            (InProgress | Evaluated, ModelStep::Evaluate) => Ok(Evaluated),
            (Evaluated, ModelStep::Recognise) => Ok(Recognised),
            (Evaluated, ModelStep::Reject) => Ok(NotAchieved),
            (Recognised | Replicated, ModelStep::Replicate) => Ok(Replicated),
            (Recognised | Replicated, ModelStep::Evaluate) => Ok(self),
            (_, ModelStep::Recognise | ModelStep::Reject) => Err(
                "Cần ít nhất một lần đánh giá kết quả trước khi công nhận hoặc kết luận không đạt"
                    .into(),
            ),
            (_, ModelStep::Replicate) => {
                Err("Chỉ nhân rộng mô hình đã được công nhận tiêu biểu".into())
            }
            (state, step) => Err(format!(
                "Mô hình đang ở bước «{}»: không thể «{}»",
                state.label(),
                step.label().to_lowercase()
            )),
        }
    }

    /// Whether the model counts as recognised (recognised or spread since).
    pub fn recognised(self) -> bool {
        matches!(self, ModelState::Recognised | ModelState::Replicated)
    }
}

/// A model as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModelInput {
    pub name: String,
    /// A `Sector` code.
    pub sector: String,
    /// A `ModelCategory` code.
    pub category: String,
    pub description: String,
    /// dd/mm/yyyy.
    pub started_on: String,
    /// Goals and the results to be measured.
    pub goals: String,
    /// People or units carrying it out.
    pub carriers: String,
    /// Shown on the public site once recognised.
    pub is_public: bool,
    /// Id of the earlier year's model it carries on, or empty for a new model.
    pub continued_from: String,
}

/// A checked model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDraft {
    pub name: String,
    pub sector: Sector,
    pub category: ModelCategory,
    pub description: String,
    pub started_on: NaiveDate,
    pub goals: String,
    pub carriers: Option<String>,
    pub is_public: bool,
    pub continued_from: Option<i64>,
}

/// Longest accepted model name.
pub const NAME_MAX_LEN: usize = 300;

impl ModelInput {
    /// Checks every field at once: a name, a sector and category from the lists, a
    /// description and goals, a start date not in the future.
    pub fn validate(&self, today: NaiveDate) -> Result<ModelDraft, FieldErrors> {
        use crate::ClosedList;
        let mut errors = FieldErrors::default();
        let name = crate::text::clean(&self.name);
        if name.is_empty() {
            errors.add("name", "Chưa nhập tên mô hình");
        } else if name.chars().count() > NAME_MAX_LEN {
            errors.add("name", format!("Tên mô hình tối đa {NAME_MAX_LEN} ký tự"));
        }
        let sector = Sector::from_code(self.sector.trim());
        if sector.is_none() {
            errors.add("sector", "Chọn lĩnh vực, ngành");
        }
        let category = ModelCategory::from_code(self.category.trim());
        if category.is_none() {
            errors.add("category", "Chọn nhóm mô hình");
        }
        let description = self.description.trim().to_owned();
        if description.chars().count() < 20 {
            errors.add(
                "description",
                "Mô tả mô hình: làm gì, ở đâu, cho ai (ít nhất 20 ký tự)",
            );
        }
        let goals = self.goals.trim().to_owned();
        if goals.is_empty() {
            errors.add(
                "goals",
                "Ghi mục tiêu và kết quả đo được (ví dụ: 100% hộ phân loại rác)",
            );
        }
        let started_on = if self.started_on.trim().is_empty() {
            errors.add("started_on", "Chưa nhập ngày bắt đầu");
            None
        } else {
            match crate::dates::parse(&self.started_on)
                .and_then(|d| crate::dates::check_past(d, today))
            {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.add("started_on", e.to_string());
                    None
                }
            }
        };
        let continued_from = match self.continued_from.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add(
                        "continued_from",
                        "Chọn mô hình của năm trước trong danh sách",
                    );
                    None
                }
            },
        };
        let carriers = Some(crate::text::clean(&self.carriers)).filter(|c| !c.is_empty());
        match (sector, category, started_on, errors.is_empty()) {
            (Some(sector), Some(category), Some(started_on), true) => Ok(ModelDraft {
                name,
                sector,
                category,
                description,
                started_on,
                goals,
                carriers,
                is_public: self.is_public,
                continued_from,
            }),
            _ => Err(errors),
        }
    }
}

/// An evaluation or a replication as typed: a date and a text of results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultInput {
    /// dd/mm/yyyy.
    pub on: String,
    /// Results observed.
    pub results: String,
}

/// A checked dated result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultDraft {
    pub on: NaiveDate,
    pub results: String,
}

impl ResultInput {
    /// A date not in the future and a text of results.
    pub fn validate(&self, today: NaiveDate) -> Result<ResultDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let on =
            match crate::dates::parse(&self.on).and_then(|d| crate::dates::check_past(d, today)) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.add("on", e.to_string());
                    None
                }
            };
        let results = self.results.trim().to_owned();
        if results.is_empty() {
            errors.add("results", "Ghi kết quả đạt được (số liệu, sản phẩm)");
        }
        match (on, errors.is_empty()) {
            (Some(on), true) => Ok(ResultDraft { on, results }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn a_model_goes_from_registration_to_replication_in_order() {
        use ModelState::*;
        let mut state = Registered;
        assert!(state.after(ModelStep::Recognise).is_err());
        for (step, next) in [
            (ModelStep::Start, InProgress),
            (ModelStep::Evaluate, Evaluated),
            (ModelStep::Evaluate, Evaluated),
            (ModelStep::Recognise, Recognised),
            (ModelStep::Replicate, Replicated),
            (ModelStep::Replicate, Replicated),
        ] {
            state = state.after(step).unwrap();
            assert_eq!(state, next);
        }
        assert!(InProgress.after(ModelStep::Replicate).is_err());
        assert_eq!(Evaluated.after(ModelStep::Reject), Ok(NotAchieved));
        assert!(NotAchieved.after(ModelStep::Replicate).is_err());
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errors = ModelInput::default().validate(today()).unwrap_err();
        for field in [
            "name",
            "sector",
            "category",
            "description",
            "goals",
            "started_on",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let later = ModelInput {
            name: "Tuyến hẻm xanh gắn với du lịch".into(),
            sector: "phuong_xa".into(),
            category: "tuyen_truyen_van_dong".into(),
            description: "Vận động các hộ trồng cây xanh, giữ hẻm sạch đẹp đón khách".into(),
            goals: "10 tuyến hẻm xanh".into(),
            started_on: "01/01/2027".into(),
            ..Default::default()
        };
        assert!(
            later
                .validate(today())
                .unwrap_err()
                .get("started_on")
                .is_some()
        );
        let fine = ModelInput {
            started_on: "15/03/2024".into(),
            ..later
        };
        assert_eq!(fine.validate(today()).unwrap().sector, Sector::WardCommune);
    }
}
