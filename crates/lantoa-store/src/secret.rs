//! Random secrets (session and API tokens, one-time codes) and the digests stored in their
//! place: a stolen database holds no usable secret. The secrets are 256-bit random values,
//! so a plain SHA-256 is enough; passwords, chosen by people, use Argon2id instead.

use sha2::{Digest, Sha256};

/// Letters of one-time codes: no 0/O, 1/I/L, easy to read aloud and type on a phone.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The operating system's generator only fails on a broken system; nothing is safe then.
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new 256-bit token as 64 hex digits.
pub fn new_token() -> String {
    hex(&random_bytes::<32>())
}

/// A new one-time code, 12 letters in groups of four ("K7QM-3XTA-PR9D"): 59 bits, used once
/// within a day.
pub fn new_code() -> String {
    let bytes = random_bytes::<12>();
    let letters: Vec<char> = bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect();
    letters
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A short code of `len` letters to read off a screen ("K7QM3X"), for codes that only work
/// with a signed-in account within a time window.
pub fn new_short_code(len: usize) -> String {
    random_bytes::<16>()
        .iter()
        .take(len)
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect()
}

/// A code as typed: case, spaces and dashes do not matter.
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The SHA-256 of a secret, as stored.
pub fn digest(secret: &str) -> String {
    digest_bytes(secret.as_bytes())
}

/// SHA-256 of bytes, in hex (how stored files are named).
pub fn digest_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_fixed() {
        assert_ne!(new_token(), new_token());
        assert_eq!(new_token().len(), 64);
        assert_eq!(digest("abc"), digest("abc"));
        assert_ne!(digest("abc"), digest("abd"));
    }

    #[test]
    fn codes_are_forgiving_to_type() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert_eq!(
            normalise_code(&code.to_lowercase().replace('-', " ")),
            code.replace('-', "")
        );
    }
}
