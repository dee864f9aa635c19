//! What the audit log records: the kinds of change, each with its Vietnamese label.

use crate::closed_list;

closed_list!(
    /// A kind of change written to the audit log.
    AuditAction {
        OrgCreate = ("org_create", "Thêm đơn vị"),
        OrgUpdate = ("org_update", "Sửa đơn vị"),
        OrgMove = ("org_move", "Chuyển đơn vị"),
        OrgArchive = ("org_archive", "Lưu trữ đơn vị"),
        OrgRestore = ("org_restore", "Khôi phục đơn vị"),
        OrgMerge = ("org_merge", "Sáp nhập đơn vị"),
        PersonCreate = ("person_create", "Thêm nhân sự"),
        PersonUpdate = ("person_update", "Sửa nhân sự"),
        PersonTransfer = ("person_transfer", "Chuyển sinh hoạt"),
        ImportOrgs = ("import_orgs", "Nhập đơn vị từ tệp"),
        ImportPeople = ("import_people", "Nhập nhân sự từ tệp"),
        ExportPeople = ("export_people", "Xuất danh sách nhân sự"),
        AccountCreate = ("account_create", "Tạo tài khoản"),
        AccountUpdate = ("account_update", "Sửa tài khoản"),
        GrantChange = ("grant_change", "Đổi quyền"),
        AccountDisable = ("account_disable", "Khóa tài khoản"),
        AccountEnable = ("account_enable", "Mở khóa tài khoản"),
        Login = ("login", "Đăng nhập"),
        Logout = ("logout", "Đăng xuất"),
        LoginFailed = ("login_failed", "Đăng nhập sai"),
        AccountLock = ("account_lock", "Tạm khóa do đăng nhập sai"),
        PasswordChange = ("password_change", "Đổi mật khẩu"),
        PasswordReset = ("password_reset", "Cấp mã đặt lại mật khẩu"),
        PasswordResetUsed = ("password_reset_used", "Đặt lại mật khẩu bằng mã"),
        SessionsEnd = ("sessions_end", "Đăng xuất khỏi mọi thiết bị"),
        TokenCreate = ("token_create", "Tạo mã API"),
        TokenRevoke = ("token_revoke", "Thu hồi mã API"),
        ExportAudit = ("export_audit", "Xuất nhật ký"),
        YearCreate = ("year_create", "Mở năm học tập"),
        TopicCreate = ("topic_create", "Thêm chuyên đề"),
        SessionCreate = ("session_create", "Thêm buổi học tập"),
        AttendanceSave = ("attendance_save", "Điểm danh"),
        CountedAttendanceSave = ("counted_attendance_save", "Ghi số lượt tham dự"),
        ExportMissing = ("export_missing", "Xuất danh sách chưa học tập"),
    }
);
