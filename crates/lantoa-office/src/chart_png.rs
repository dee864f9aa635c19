//! Charts for Word documents: the SVG the pages show, rasterised to PNG (Word takes no
//! SVG). Text is set in the system's Times-compatible serif (Debian's `fonts-liberation2`
//! gives the Vietnamese glyphs); the fonts are read once per process.

use crate::export::ExportError;
use resvg::{tiny_skia, usvg};
use std::sync::{Arc, OnceLock};

/// The fonts of the system, read on first use.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            db.set_serif_family("Liberation Serif");
            Arc::new(db)
        })
        .clone()
}

/// A PNG of the chart at twice its drawn size (sharp when printed), and that size in pixels.
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Rasterises an SVG chart; its text in Times New Roman or the closest serif there is.
pub fn chart_png(svg: &str) -> Result<Png, ExportError> {
    let with_font = svg.replacen(
        "<svg ",
        "<svg font-family=\"Times New Roman, Liberation Serif, serif\" ",
        1,
    );
    let options = usvg::Options {
        fontdb: fonts(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(&with_font, &options)
        .map_err(|e| ExportError::new(format!("biểu đồ không đọc được: {e}")))?;
    let size = tree.size().to_int_size();
    let scale = 2.0;
    let (width, height) = (size.width() * 2, size.height() * 2);
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| ExportError::new("biểu đồ rỗng".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let bytes = pixmap
        .encode_png()
        .map_err(|e| ExportError::new(e.to_string()))?;
    Ok(Png {
        bytes,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_becomes_a_png_of_twice_its_size() {
        let svg = "<svg viewBox=\"0 0 300 100\" xmlns=\"http://www.w3.org/2000/svg\">\
                   <rect x=\"10\" y=\"10\" width=\"200\" height=\"30\" fill=\"#a4161a\"/>\
                   <text x=\"10\" y=\"80\" font-size=\"14\">Tuyên truyền</text></svg>";
        let png = chart_png(svg).unwrap();
        assert!(png.bytes.starts_with(&[137, 80, 78, 71]));
        assert_eq!((png.width, png.height), (600, 200));
        assert!(chart_png("<svg").is_err());
    }
}
