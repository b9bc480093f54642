//! The charts of `cargo xtask bench`, drawn from `report.json` with
//! plotters into a pixel buffer and written as PNG by sc-patches.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::Value;

type Res = Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing a chart: {e:?}")
}

/// Registers a system TrueType font as plotters' "sans-serif" (plotters
/// renders text with ab_glyph and ships no font).
pub fn register_font() -> Res {
    const FONTS: [&str; 4] = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ];
    let bytes = FONTS
        .iter()
        .find_map(|p| std::fs::read(p).ok())
        .ok_or("no TrueType font found for the charts (Debian: apt install fonts-dejavu-core)")?;
    plotters::style::register_font("sans-serif", FontStyle::Normal, Box::leak(bytes.into_boxed_slice()))
        .map_err(|_| "the font could not be read".to_string())
}

/// Writes an RGB buffer as a PNG.
fn write_png(path: &Path, buf: &[u8], w: usize, h: usize) -> Res {
    let img = sc_patches::image::Image::new(w, h, 3, buf.iter().map(|&v| v as f64).collect()).map_err(|e| e.to_string())?;
    sc_patches::image::write_image(path, &img, sc_patches::image::Scale::Byte, sc_patches::image::BitDepth::Eight)
        .map_err(|e| e.to_string())
}

fn median(v: &Value) -> Option<f64> {
    v.get("median").and_then(Value::as_f64)
}

/// One bar of the ratio chart: a workload, and the speed-up against each
/// anchor that ran it.
struct Row {
    label: String,
    ratios: Vec<(usize, f64)>,
    seconds: f64,
}

const ANCHORS: [(&str, &str, RGBColor); 4] = [
    ("spams", "vs SPAMS", RGBColor(31, 119, 180)),
    ("sklearn", "vs scikit-learn", RGBColor(255, 127, 14)),
    ("bm3d", "vs BM3D", RGBColor(44, 160, 44)),
    // No anchor measured: the bar is our own time.
    ("ours", "sparsecode, seconds", RGBColor(214, 39, 40)),
];
/// The index of "ours" in [`ANCHORS`].
const OURS: usize = 3;

fn rows(report: &Value) -> Vec<Row> {
    let mut out = Vec::new();
    for section in ["coding", "learning", "denoising"] {
        for r in report[section].as_array().into_iter().flatten() {
            let Some(ours) = median(&r["ours"]) else { continue };
            let mut label = r["label"].as_str().unwrap_or("?").to_string();
            if let Some(p) = r.get("precision").and_then(Value::as_str) {
                label = format!("{label} ({p})");
            }
            let label = label.split(" (2000 patches").next().unwrap_or(&label).to_string();
            let ratios = ANCHORS[..OURS]
                .iter()
                .enumerate()
                .filter_map(|(i, (key, _, _))| r.get(*key).and_then(median).map(|t| (i, t / ours)))
                .collect();
            out.push(Row { label, ratios, seconds: ours });
        }
    }
    // Without any anchor (no Python), the chart shows our times instead.
    if out.iter().all(|r| r.ratios.is_empty()) {
        for r in &mut out {
            r.ratios = vec![(OURS, r.seconds)];
        }
    }
    out
}

/// `ratios.png`: how many times faster than each anchor, per workload, on
/// a log scale with the 1× line (left of it, the anchor is faster).
pub fn ratios(report: &Value, path: &Path) -> Res {
    let rows = rows(report);
    let (w, h) = (1500usize, 160 + 34 * rows.len());
    let mut buf = vec![255u8; w * h * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let alone = rows.iter().any(|r| r.ratios.iter().any(|x| x.0 == OURS));
        let values = || rows.iter().flat_map(|r| r.ratios.iter().map(|x| x.1));
        let (lo, max) = if alone {
            (values().fold(f64::MAX, f64::min) / 3.0, values().fold(0.0, f64::max) * 3.0)
        } else {
            (0.3, values().fold(10.0f64, f64::max) * 2.0)
        };
        // Bars start at the 1× line, or at the left edge for times.
        let base = if alone { lo } else { 1.0 };
        let n = rows.len() as f64;
        let date = report["date"].as_str().unwrap_or("");
        let cpu = report["machine"]["cpu"].as_str().unwrap_or("?");
        let (title, xdesc) = if alone {
            ("sparsecode: seconds per workload (no anchors measured)", "seconds, log scale")
        } else {
            (
                "sparsecode: times faster than the anchor",
                "speed-up, log scale (1× = as fast as the anchor; right of the line, sparsecode is faster)",
            )
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("{title} ({date}, {cpu})"), ("sans-serif", 24))
            .margin(16)
            .x_label_area_size(50)
            .y_label_area_size(470)
            .build_cartesian_2d((lo..max).log_scale(), 0f64..n)
            .map_err(err)?;
        let unit = if alone { " s" } else { "×" };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(xdesc)
            .x_label_formatter(&|v| format!("{v}{unit}"))
            .label_style(("sans-serif", 16))
            .axis_desc_style(("sans-serif", 17))
            .draw()
            .map_err(err)?;
        for (a, (_, name, color)) in ANCHORS.iter().enumerate() {
            let bars: Vec<_> = rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let k = r.ratios.len().max(1) as f64;
                    let slot = r.ratios.iter().position(|x| x.0 == a)?;
                    let ratio = r.ratios[slot].1;
                    let top = n - i as f64 - 0.1 - 0.8 * slot as f64 / k;
                    Some(Rectangle::new([(base, top), (ratio, top - 0.8 / k)], color.filled()))
                })
                .collect();
            if bars.is_empty() {
                continue;
            }
            let color = *color;
            chart
                .draw_series(bars)
                .map_err(err)?
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
        }
        if !alone {
            chart.draw_series(LineSeries::new([(1.0, 0.0), (1.0, n)], BLACK.stroke_width(2))).map_err(err)?;
        }
        let font = ("sans-serif", 16).into_font().color(&BLACK);
        for (i, r) in rows.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(lo, n - i as f64 - 0.5));
            let style = font.clone().pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(r.label.clone(), (px - 8, py), style)).map_err(err)?;
            for &(slot_anchor, ratio) in &r.ratios {
                let k = r.ratios.len().max(1) as f64;
                let slot = r.ratios.iter().position(|x| x.0 == slot_anchor).unwrap_or(0) as f64;
                let y = n - i as f64 - 0.1 - 0.8 * (slot + 0.5) / k;
                let (bx, by) = chart.backend_coord(&(ratio.max(base), y));
                let style = ("sans-serif", 13).into_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
                let text = if alone { format!("{ratio:.3} s") } else { format!("{ratio:.1}×") };
                root.draw(&Text::new(text, (bx + 4, by), style)).map_err(err)?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .label_font(("sans-serif", 16))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    write_png(path, &buf, w, h)
}

/// A curve of the scaling chart: name, points, colour, drawn solid.
type Series = (String, Vec<(f64, f64)>, RGBColor, bool);

/// `scaling.png`: coding time (OMP, 8 atoms) against the number of signals
/// (1 and 2 threads) and against the number of atoms, ours and SPAMS's,
/// both axes logarithmic.
pub fn scaling(report: &Value, path: &Path) -> Res {
    let pts = |axis: &str, who: &str, threads: Option<u64>| -> Vec<(f64, f64)> {
        report["scaling"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["axis"] == axis && threads.is_none_or(|t| r["threads"].as_u64() == Some(t)))
            .filter_map(|r| Some((r[if axis == "signals" { "signals" } else { "atoms" }].as_f64()?, median(&r[who])?)))
            .collect()
    };
    let (w, h) = (1400usize, 620usize);
    let mut buf = vec![255u8; w * h * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (left, right) = root.split_horizontally(w as u32 / 2);
        let panels = [
            (left, "signals", "number of signals (log)", "Time against signals (256 atoms)"),
            (right, "atoms", "number of atoms (log)", "Time against atoms (2 threads)"),
        ];
        for (area, axis, xdesc, title) in panels {
            let series: Vec<Series> = if axis == "signals" {
                vec![
                    ("sparsecode, 1 thread".into(), pts(axis, "ours", Some(1)), RGBColor(214, 39, 40), false),
                    ("sparsecode, 2 threads".into(), pts(axis, "ours", Some(2)), RGBColor(214, 39, 40), true),
                    ("SPAMS, 1 thread".into(), pts(axis, "spams", Some(1)), ANCHORS[0].2, false),
                    ("SPAMS, 2 threads".into(), pts(axis, "spams", Some(2)), ANCHORS[0].2, true),
                ]
            } else {
                vec![
                    ("sparsecode".into(), pts(axis, "ours", None), RGBColor(214, 39, 40), true),
                    ("SPAMS".into(), pts(axis, "spams", None), ANCHORS[0].2, true),
                ]
            };
            let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.1.iter().copied()).collect();
            if all.is_empty() {
                continue;
            }
            let (x0, x1) = all.iter().fold((f64::MAX, 0f64), |(a, b), p| (a.min(p.0), b.max(p.0)));
            let (y0, y1) = all.iter().fold((f64::MAX, 0f64), |(a, b), p| (a.min(p.1), b.max(p.1)));
            let mut chart = ChartBuilder::on(&area)
                .caption(title, ("sans-serif", 22))
                .margin(16)
                .x_label_area_size(50)
                .y_label_area_size(80)
                .build_cartesian_2d((x0 / 1.5..x1 * 1.5).log_scale(), (y0 / 2.0..y1 * 2.0).log_scale())
                .map_err(err)?;
            chart
                .configure_mesh()
                .x_desc(xdesc)
                .y_desc("seconds (log)")
                .x_labels(if axis == "signals" { 12 } else { 5 })
                .y_labels(12)
                .x_label_formatter(&|v| format!("{v:.0}"))
                .y_label_formatter(&|v| format!("{v:.3}"))
                .label_style(("sans-serif", 15))
                .axis_desc_style(("sans-serif", 16))
                .draw()
                .map_err(err)?;
            for (name, data, color, solid) in series {
                if data.is_empty() {
                    continue;
                }
                let style = if solid { color.stroke_width(3) } else { color.mix(0.55).stroke_width(2) };
                chart
                    .draw_series(LineSeries::new(data.clone(), style))
                    .map_err(err)?
                    .label(name)
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
                chart.draw_series(data.iter().map(|&p| Circle::new(p, 4, color.filled()))).map_err(err)?;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .label_font(("sans-serif", 15))
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    write_png(path, &buf, w, h)
}
