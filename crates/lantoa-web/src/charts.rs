//! Charts drawn on the server as SVG, so that they show without JavaScript and print:
//! horizontal bars (per unit, channel, sector) and columns (per month). Colours are
//! attributes, not styles, so the pages' Content-Security-Policy holds. Every bar carries
//! its value as text, and the chart its title, for readers who cannot see the picture.

use lantoa_domain::format::number;
use std::fmt::Write;

/// A bar: its label, its value and where it leads.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub href: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Cuts a label to `max` characters with "…".
fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

const BAR_COLOUR: &str = "#a4161a";
const TEXT_COLOUR: &str = "#1f2430";

/// Horizontal bars, one row each, labels on the left and values at the bar's end; nothing
/// when every value is zero.
pub fn bars(title: &str, items: &[Bar]) -> String {
    if items.iter().all(|b| b.value == 0) {
        return String::new();
    }
    let row = 26;
    let height = 10 + row * items.len().max(1);
    let (label_w, bar_w) = (230.0, 300.0);
    let max = items.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 600 {height}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    );
    for (i, b) in items.iter().enumerate() {
        let y = 5 + i * row;
        let w = (b.value as f64 / max * bar_w).max(if b.value > 0 { 2.0 } else { 0.0 });
        let mut bar = format!(
            "<text x=\"{x}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\" fill=\"{TEXT_COLOUR}\">{label}</text>\
             <rect x=\"{bx}\" y=\"{y}\" width=\"{w:.1}\" height=\"18\" fill=\"{BAR_COLOUR}\"><title>{full}: {v}</title></rect>\
             <text x=\"{vx:.1}\" y=\"{ty}\" font-size=\"13\" fill=\"{TEXT_COLOUR}\">{v}</text>",
            x = label_w - 6.0,
            ty = y + 14,
            label = escape(&short(&b.label, 30)),
            bx = label_w,
            full = escape(&b.label),
            v = number(b.value),
            vx = label_w + w + 4.0,
        );
        if let Some(href) = &b.href {
            bar = format!("<a href=\"{}\">{bar}</a>", escape(href));
        }
        svg.push_str(&bar);
    }
    svg.push_str("</svg>");
    svg
}

/// Columns side by side with their labels below (months: "T1"…"T12"); nothing when every
/// value is zero.
pub fn columns(title: &str, items: &[Bar]) -> String {
    if items.iter().all(|b| b.value == 0) {
        return String::new();
    }
    let (width, height, base) = (600.0, 200.0, 170.0);
    let slot = width / items.len().max(1) as f64;
    let max = items.iter().map(|b| b.value).max().unwrap_or(0).max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{t}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    );
    for (i, b) in items.iter().enumerate() {
        let h = b.value as f64 / max * (base - 20.0);
        let x = i as f64 * slot + slot * 0.15;
        let w = slot * 0.7;
        let mut col = format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{BAR_COLOUR}\"><title>{label}: {v}</title></rect>\
             <text x=\"{cx:.1}\" y=\"{vy:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{TEXT_COLOUR}\">{v}</text>\
             <text x=\"{cx:.1}\" y=\"{ly}\" text-anchor=\"middle\" font-size=\"12\" fill=\"{TEXT_COLOUR}\">{label}</text>",
            y = base - h,
            cx = x + w / 2.0,
            vy = base - h - 4.0,
            ly = base + 18.0,
            label = escape(&b.label),
            v = number(b.value),
        );
        if let Some(href) = &b.href {
            col = format!("<a href=\"{}\">{col}</a>", escape(href));
        }
        svg.push_str(&col);
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_values_and_links_escaped() {
        let svg = bars(
            "Theo đơn vị",
            &[
                Bar {
                    label: "Đảng bộ <Phường 1>".into(),
                    value: 16_742,
                    href: Some("/quan-ly/x?a=1&b=2".into()),
                },
                Bar {
                    label: "Phường 2".into(),
                    value: 0,
                    href: None,
                },
            ],
        );
        assert!(svg.contains("16.742"));
        assert!(svg.contains("Đảng bộ &lt;Phường 1&gt;"));
        assert!(svg.contains("href=\"/quan-ly/x?a=1&amp;b=2\""));
        assert!(!svg.contains("style="));
        assert!(columns("Theo tháng", &[]).is_empty());
        let months = columns(
            "Theo tháng",
            &[Bar {
                label: "T1".into(),
                value: 3,
                href: None,
            }],
        );
        assert!(months.starts_with("<svg") && months.ends_with("</svg>"));
    }
}
