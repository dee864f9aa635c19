//! Pictures people upload (a model's photos, a nominee's portrait, an award entry) are
//! decoded and written anew before they are stored.
//!
//! What comes out holds only pixels: no EXIF (a phone's photo carries where it was taken
//! and on which phone), no comment, nothing after the image data where a script or another
//! file could hide. That is why the server may show such a picture in the browser instead
//! of offering it as a download. Pixels are turned upright by the EXIF orientation first,
//! and a picture larger than [`LONGEST_SIDE`] is scaled down: a 12-megapixel phone photo
//! of 5 MB becomes a few hundred kilobytes that a member on a slow network can open.

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use lantoa_domain::files::FileKind;
use std::io::Cursor;

/// Longest side, in pixels, of a stored picture (sharp on a desktop screen and in print).
pub const LONGEST_SIDE: u32 = 2048;

/// JPEG quality of a stored photo.
const JPEG_QUALITY: u8 = 85;

/// Largest picture decoded, in pixels either way: more is not a photo but a file made to
/// exhaust the server's memory (a few bytes can declare 60 000 × 60 000 pixels).
const LARGEST_SIDE_DECODED: u32 = 12_000;

/// Memory a decode may take.
const DECODE_MEMORY: u64 = 512 * 1024 * 1024;

/// The picture in `bytes` of `kind` (JPEG or PNG) written anew in the same kind, or why it
/// cannot be read, in Vietnamese. Other kinds are returned unchanged. CPU work: async
/// callers run it on a blocking thread.
pub fn reencode(kind: FileKind, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let format = match kind {
        FileKind::Jpeg => ImageFormat::Jpeg,
        FileKind::Png => ImageFormat::Png,
        FileKind::Pdf | FileKind::Docx | FileKind::Xlsx => return Ok(bytes.to_vec()),
    };
    let picture = decode(format, bytes).map_err(|e| match e {
        image::ImageError::Limits(_) => format!(
            "Ảnh quá lớn: chỉ nhận ảnh tới {LARGEST_SIDE_DECODED} × {LARGEST_SIDE_DECODED} điểm ảnh"
        ),
        _ => "Không đọc được ảnh: tệp hỏng hoặc không phải ảnh".to_owned(),
    })?;
    let picture = if picture.width().max(picture.height()) > LONGEST_SIDE {
        picture.resize(
            LONGEST_SIDE,
            LONGEST_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        picture
    };
    let mut out = Vec::new();
    let written = match format {
        ImageFormat::Jpeg => {
            // JPEG has no transparency; a photo with an alpha channel is flattened.
            let rgb = picture.to_rgb8();
            rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
        }
        _ => picture.write_with_encoder(PngEncoder::new(&mut out)),
    };
    written.map_err(|_| "Không ghi lại được ảnh".to_owned())?;
    Ok(out)
}

/// Decodes within the limits, pixels upright.
fn decode(format: ImageFormat, bytes: &[u8]) -> image::ImageResult<DynamicImage> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(LARGEST_SIDE_DECODED);
    limits.max_image_height = Some(LARGEST_SIDE_DECODED);
    limits.max_alloc = Some(DECODE_MEMORY);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut picture = DynamicImage::from_decoder(decoder)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb, RgbImage};

    /// A JPEG of `width` × `height` with an EXIF block holding the orientation `turn` and a
    /// comment, left half red and right half blue.
    fn phone_photo(width: u32, height: u32, turn: u8) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                Rgb([220, 20, 20])
            } else {
                Rgb([20, 20, 220])
            }
        });
        let mut exif = b"II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        exif.extend_from_slice(&[turn, 0, 0, 0, 0, 0, 0, 0]);
        exif.extend_from_slice(b"GPS 10.3600 N 106.3600 E");
        let mut out = Vec::new();
        let mut encoder = JpegEncoder::new(&mut out);
        encoder.set_exif_metadata(exif).unwrap();
        encoder
            .write_image(
                picture.as_raw(),
                width,
                height,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        out
    }

    #[test]
    fn a_photo_is_written_anew_upright_small_and_without_its_metadata() {
        // Orientation 6: the camera held upright, pixels stored turned; shown 90° clockwise.
        let taken = phone_photo(3000, 1000, 6);
        assert!(taken.windows(3).any(|w| w == b"GPS"));
        let stored = reencode(FileKind::Jpeg, &taken).unwrap();
        assert!(!stored.windows(3).any(|w| w == b"GPS"), "the EXIF is gone");
        assert!(!stored.windows(4).any(|w| w == b"Exif"));
        let seen = image::load_from_memory_with_format(&stored, ImageFormat::Jpeg)
            .unwrap()
            .to_rgb8();
        // Upright: 1000 × 3000 turned, then scaled to fit 2048.
        let (width, height) = seen.dimensions();
        assert!(
            height == 2048 && (682..=683).contains(&width),
            "{width} × {height}"
        );
        // The red half (left when stored) is on top once turned clockwise.
        let top = seen.get_pixel(width / 2, 100);
        let bottom = seen.get_pixel(width / 2, 1900);
        assert!(top[0] > 150 && top[2] < 100, "{top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "{bottom:?}");
    }

    #[test]
    fn a_small_png_keeps_its_size_and_kind() {
        let picture = RgbImage::from_pixel(40, 30, Rgb([1, 2, 3]));
        let mut png = Vec::new();
        picture
            .write_with_encoder(PngEncoder::new(&mut png))
            .unwrap();
        png.extend_from_slice(b"<script>alert(1)</script>");
        let stored = reencode(FileKind::Png, &png).unwrap();
        assert!(
            !stored.windows(7).any(|w| w == b"<script"),
            "trailing bytes are dropped"
        );
        let seen = image::load_from_memory_with_format(&stored, ImageFormat::Png).unwrap();
        assert_eq!((seen.width(), seen.height()), (40, 30));
        assert_eq!(seen.to_rgb8().get_pixel(5, 5), &Rgb([1, 2, 3]));
    }

    #[test]
    fn broken_and_oversized_pictures_are_refused_with_a_reason() {
        let broken = reencode(FileKind::Jpeg, b"\xFF\xD8\xFF\xE0 not really a photo");
        assert_eq!(
            broken.unwrap_err(),
            "Không đọc được ảnh: tệp hỏng hoặc không phải ảnh"
        );
        // A PNG header declaring 60 000 × 60 000 pixels, without the pixels.
        let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        bomb.extend_from_slice(&60_000u32.to_be_bytes());
        bomb.extend_from_slice(&60_000u32.to_be_bytes());
        bomb.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc = crc32(&bomb[12..]);
        bomb.extend_from_slice(&crc.to_be_bytes());
        let refused = reencode(FileKind::Png, &bomb).unwrap_err();
        assert!(refused.starts_with("Ảnh quá lớn"), "{refused}");
        // Documents pass through untouched.
        assert_eq!(reencode(FileKind::Pdf, b"%PDF-1.4").unwrap(), b"%PDF-1.4");
    }

    /// CRC-32 of a PNG chunk (type and data).
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
