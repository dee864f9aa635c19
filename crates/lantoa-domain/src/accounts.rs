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

/// Failed logins an account may have in a row before it is locked.
pub const ACCOUNT_FAILURES_BEFORE_LOCK: u32 = 5;
/// Failed logins one client address may have within an hour before it must wait.
pub const ADDRESS_FAILURES_BEFORE_WAIT: u32 = 20;
/// Longest lock or wait.
pub const LONGEST_WAIT_MINUTES: i64 = 60;

/// How long sign-in is refused after `failures` failed attempts in a row, when `free`
/// attempts are allowed: nothing until then, then 1 minute, doubling at each further
/// failure, up to an hour. Used for accounts (free: 4, the fifth locks) and for client
/// addresses (free: 19).
pub fn wait_after(failures: u32, free: u32) -> Option<chrono::Duration> {
    if failures <= free {
        return None;
    }
    let doublings = (failures - free - 1).min(16);
    let minutes = (1i64 << doublings).min(LONGEST_WAIT_MINUTES);
    Some(chrono::Duration::minutes(minutes))
}

/// "HH:MM ngày dd/mm/yyyy", local time, for "try again after …".
pub fn until_text(until: chrono::DateTime<chrono::Utc>) -> String {
    crate::format::moment(until)
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
    fn waits_grow_then_stop_at_an_hour() {
        let free = ACCOUNT_FAILURES_BEFORE_LOCK - 1;
        assert_eq!(wait_after(4, free), None);
        assert_eq!(wait_after(5, free), Some(chrono::Duration::minutes(1)));
        assert_eq!(wait_after(6, free), Some(chrono::Duration::minutes(2)));
        assert_eq!(wait_after(8, free), Some(chrono::Duration::minutes(8)));
        assert_eq!(wait_after(11, free), Some(chrono::Duration::minutes(60)));
        assert_eq!(wait_after(400, free), Some(chrono::Duration::minutes(60)));
    }

    #[test]
    fn usernames() {
        assert_eq!(check_username(" Admin.MyTho "), Ok("admin.mytho".into()));
        assert!(check_username("ab").is_err());
        assert!(check_username("nguyễn").is_err());
    }
}
