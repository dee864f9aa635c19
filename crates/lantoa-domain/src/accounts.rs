//! Accounts: the roles a grant gives on a unit's subtree, and the rules for usernames and
//! passwords.

use crate::closed_list;
use crate::text::fold;

closed_list!(
    /// A role on a unit's subtree, from the least to the most powerful: the order is the
    /// order of the list, so `Role::Staff > Role::Leader`.
    Role {
        Member = ("thanh_vien", "Thành viên"),
        Leader = ("lanh_dao", "Lãnh đạo"),
        Staff = ("can_bo_nghiep_vu", "Cán bộ nghiệp vụ"),
        UnitAdmin = ("quan_tri_don_vi", "Quản trị đơn vị"),
        SystemAdmin = ("quan_tri_he_thong", "Quản trị hệ thống"),
    }
);

impl Role {
    fn rank(self) -> usize {
        use crate::ClosedList;
        Self::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

impl PartialOrd for Role {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Role {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// Shortest accepted password.
pub const PASSWORD_MIN_LEN: usize = 10;

/// Passwords people choose first; refused whatever their length.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "123456789a",
    "1234567890a",
    "matkhau123",
    "matkhau1234",
    "password123",
    "password1234",
    "qwertyuiop",
    "1111111111",
    "0000000000",
    "abcd123456",
    "admin12345",
    "admin123456",
    "vietnam123",
    "vietnam1234",
    "hochiminh1890",
    "dangvien123",
    "iloveyou123",
];

/// Checks a username: 3–40 characters of a–z, 0–9, '.', '_' or '-'. Returns it lowercased.
pub fn check_username(username: &str) -> Result<String, &'static str> {
    let username = username.trim().to_lowercase();
    if username.chars().count() < 3 || username.chars().count() > 40 {
        Err("Tên đăng nhập phải dài từ 3 đến 40 ký tự")
    } else if !username
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        Err("Tên đăng nhập chỉ gồm chữ không dấu, chữ số và các dấu . _ -")
    } else {
        Ok(username)
    }
}

/// Checks a new password: long enough, not the username, not a common password.
pub fn check_password(username: &str, password: &str) -> Result<(), &'static str> {
    let folded = fold(password).replace(' ', "");
    if password.chars().count() < PASSWORD_MIN_LEN {
        Err("Mật khẩu phải có ít nhất 10 ký tự")
    } else if !username.is_empty() && folded.contains(&fold(username).replace(' ', "")) {
        Err("Mật khẩu không được chứa tên đăng nhập")
    } else if COMMON_PASSWORDS.contains(&password.to_lowercase().as_str())
        || password.chars().all(|c| password.starts_with(c))
    {
        Err("Mật khẩu này quá phổ biến, dễ bị đoán: hãy chọn mật khẩu khác")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ClosedList;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::SystemAdmin > Role::UnitAdmin);
        assert!(
            Role::UnitAdmin > Role::Staff
                && Role::Staff > Role::Leader
                && Role::Leader > Role::Member
        );
        assert_eq!(Role::from_user_text("can bo nghiep vu"), Some(Role::Staff));
    }

    #[test]
    fn password_rules() {
        assert!(check_password("an.nguyen", "short").is_err());
        assert!(check_password("an.nguyen", "an.nguyen2026").is_err());
        assert!(check_password("an.nguyen", "Matkhau123").is_err());
        assert!(check_password("an.nguyen", "aaaaaaaaaaaa").is_err());
        assert!(check_password("an.nguyen", "Sông Tiền chảy mãi").is_ok());
    }

    #[test]
    fn usernames() {
        assert_eq!(check_username(" Admin.MyTho "), Ok("admin.mytho".into()));
        assert!(check_username("ab").is_err());
        assert!(check_username("nguyễn").is_err());
    }
}
