//! E-mail through the committee's SMTP server, when one is configured: reminders are
//! written for e-mail when they are sent, and a background job mails them and records, for
//! each, when it went or why it did not (no address, refused by the server).
//!
//! Without a server nothing changes: reminders are seen on the person's page only.

use lantoa_store::reminders::{self, PendingEmail};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// The job kind that mails waiting reminders.
pub const JOB_KIND: &str = "send_reminder_emails";

/// How the connection to the server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// STARTTLS on the submission port (587), required.
    StartTls,
    /// TLS from the first byte (465).
    Tls,
    /// None: only for a relay on the same machine or network.
    None,
}

impl Security {
    /// "starttls", "tls" or "none".
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_lowercase().as_str() {
            "starttls" => Some(Security::StartTls),
            "tls" | "ssl" | "smtps" => Some(Security::Tls),
            "none" | "khong" => Some(Security::None),
            _ => None,
        }
    }
}

/// Where and as whom mail is sent.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// Server name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Protection of the connection.
    pub security: Security,
    /// Login and password, if the server asks.
    pub credentials: Option<(String, String)>,
    /// The sender: "Ban Tuyên giáo Thành ủy <tuyengiao@example.vn>".
    pub from: String,
}

/// A configured SMTP server, shared by the jobs (connections are pooled).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// A mailer for these settings; an unusable sender or server name is an error.
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("Địa chỉ người gửi «{}» không hợp lệ: {e}", settings.from))?;
        let builder = match settings.security {
            Security::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(|e| e.to_string())?
            }
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                .map_err(|e| e.to_string())?,
            Security::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(Duration::from_secs(20)));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// The sender, as written in the mail.
    pub fn sender(&self) -> String {
        self.from.to_string()
    }

    /// Mails one reminder to its person.
    async fn send_reminder(&self, reminder: &PendingEmail) -> Result<(), String> {
        let Some(address) = reminder.email.as_deref().filter(|a| !a.trim().is_empty()) else {
            return Err("Người nhận chưa có địa chỉ email".into());
        };
        let to: Mailbox = format!("{} <{}>", reminder.full_name, address.trim())
            .parse()
            .map_err(|_| format!("Địa chỉ email «{address}» không hợp lệ"))?;
        let body = format!(
            "Kính gửi đồng chí {},\n\n{}\n\n{}\n\n— Lan Tỏa, phần mềm theo dõi việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh. Thư gửi tự động, vui lòng không trả lời thư này.\n",
            reminder.full_name, reminder.message, reminder.org_name
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("Nhắc nhở từ {}", reminder.org_name))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("Máy chủ thư không nhận: {e}"))
    }
}

/// How a round of mailing went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Mailed {
    /// Reminders mailed.
    pub sent: usize,
    /// Reminders that could not be (each with its reason on the reminder).
    pub failed: usize,
}

/// Mails every reminder waiting, a hundred at a time, recording each outcome.
pub async fn send_pending(
    db: &lantoa_store::DatabaseConnection,
    mailer: &Mailer,
) -> Result<Mailed, lantoa_store::StoreError> {
    let mut mailed = Mailed::default();
    loop {
        let batch = reminders::pending_emails(db, 100).await?;
        if batch.is_empty() {
            return Ok(mailed);
        }
        for reminder in &batch {
            let outcome = mailer.send_reminder(reminder).await;
            match &outcome {
                Ok(()) => mailed.sent += 1,
                Err(reason) => {
                    tracing::warn!(reminder.id = reminder.id, %reason, "reminder not e-mailed");
                    mailed.failed += 1;
                }
            }
            reminders::mark_emailed(db, reminder.id, outcome).await?;
        }
    }
}
