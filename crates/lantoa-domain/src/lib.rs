//! Pure types and rules of Lan Tỏa.
//!
//! Everything here is free of I/O and async: typed ids, the closed lists users pick from
//! (each with its Vietnamese label in one place), validation of user input, Vietnamese text
//! folding for search, and the date and number formats Vietnamese users expect.

pub mod accounts;
pub mod audit;
pub mod award;
pub mod campaign;
pub mod commendations;
pub mod dates;
pub mod exemplars;
pub mod files;
pub mod findings;
pub mod format;
pub mod ids;
pub mod import;
pub mod inspections;
pub mod list;
pub mod models;
pub mod org;
pub mod people;
pub mod plans;
pub mod propaganda;
pub mod ratings;
pub mod report;
pub mod settings;
pub mod study;
pub mod tasks;
pub mod teaching;
pub mod text;
pub mod validation;

pub use ids::{JobId, OrgId, PersonId};
pub use list::ClosedList;
