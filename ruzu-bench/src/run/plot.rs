//! The two pictures of a run, as SVG and PNG: RSS over time of every size and step on one
//! chart (the bound holding, or not), and a bar chart of rows/s with min–max whiskers.
//!
//! Text is drawn with plotters' `ttf` feature, which finds fonts through fontconfig
//! (`sans-serif`; DejaVu on the development machine). No network is needed.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::results::{BenchResults, StepResult, System};
use crate::error::{BenchError, Result};

/// Pixels of every chart.
const CHART_SIZE: (u32, u32) = (1100, 650);

/// The files [`plot_all`] writes.
pub const PLOT_FILES: [&str; 4] = ["rss.svg", "rss.png", "throughput.svg", "throughput.png"];

/// Writes `rss.{svg,png}` and `throughput.{svg,png}` into `dir`; returns their paths.
///
/// # Errors
///
/// [`BenchError::Plot`] when a chart cannot be drawn or written.
pub fn plot_all(results: &BenchResults, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for name in PLOT_FILES {
        let path = dir.join(name);
        let rss = name.starts_with("rss");
        let drawn = if name.ends_with(".svg") {
            let root = SVGBackend::new(&path, CHART_SIZE).into_drawing_area();
            draw(results, &root, rss)
        } else {
            let root = BitMapBackend::new(&path, CHART_SIZE).into_drawing_area();
            draw(results, &root, rss)
        };
        drawn.map_err(|message| BenchError::Plot {
            path: path.clone(),
            message,
        })?;
        written.push(path);
    }
    Ok(written)
}

fn draw<DB: DrawingBackend>(
    results: &BenchResults,
    root: &DrawingArea<DB, Shift>,
    rss: bool,
) -> Result<(), String> {
    let text = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(text)?;
    if rss {
        draw_rss(results, root).map_err(text)?;
    } else {
        draw_throughput(results, root).map_err(text)?;
    }
    root.present().map_err(text)
}

/// The label of a step on a chart: `100mb person`, with the system when peers ran.
fn label(step: &StepResult, with_system: bool) -> String {
    if with_system {
        format!("{} {} {}", step.system, step.size, step.step)
    } else {
        format!("{} {}", step.size, step.step)
    }
}

fn with_peers(results: &BenchResults) -> bool {
    results.steps.iter().any(|s| s.system != System::Ruzu)
}

/// One line per step: the RSS series of its median run, in MB over seconds since spawn.
fn draw_rss<DB: DrawingBackend>(
    results: &BenchResults,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let series: Vec<(String, Vec<(f64, f64)>)> = results
        .steps
        .iter()
        .filter_map(|step| {
            let run = step.median_run()?;
            let points = run
                .rss_series
                .iter()
                .map(|&[ms, bytes]| (ms as f64 / 1000.0, bytes as f64 / 1e6))
                .collect();
            Some((label(step, with_peers(results)), points))
        })
        .collect();
    let max_x = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(x, _)| x))
        .fold(0.1, f64::max);
    let max_y = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, y)| y))
        .fold(1.0, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption(
            "Peak memory: RSS over time of each import (median run)",
            ("sans-serif", 24),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..max_x * 1.02, 0.0..max_y * 1.15)?;
    chart
        .configure_mesh()
        .x_desc("seconds since the child started")
        .y_desc("RSS (MB)")
        .label_style(("sans-serif", 15))
        .draw()?;
    for (i, (name, points)) in series.into_iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()
}

/// One bar per step with good runs: median rows/s, whiskers from min to max.
fn draw_throughput<DB: DrawingBackend>(
    results: &BenchResults,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let bars: Vec<(String, System, f64, f64, f64)> = results
        .steps
        .iter()
        .filter_map(|step| {
            let rate = step.rows_per_s()?;
            Some((
                label(step, with_peers(results)),
                step.system,
                rate.min / 1e6,
                rate.median / 1e6,
                rate.max / 1e6,
            ))
        })
        .collect();
    let max_y = bars.iter().map(|b| b.4).fold(0.1, f64::max);
    let count = bars.len().max(1);
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let mut chart = ChartBuilder::on(root)
        .caption(
            "Throughput until durable (median, min–max)",
            ("sans-serif", 24),
        )
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        // plotters ranges of integers are inclusive: `0..=count - 1` are `count` segments.
        .build_cartesian_2d((0..count - 1).into_segmented(), 0.0..max_y * 1.15)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(count)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_desc("M rows/s")
        .label_style(("sans-serif", 14))
        .draw()?;
    for (i, (_, system, min, median, max)) in bars.iter().enumerate() {
        let color = match system {
            System::Ruzu => RGBColor(31, 119, 180),
            System::Kuzu => RGBColor(255, 127, 14),
            System::Duckdb => RGBColor(44, 160, 44),
        };
        let mut bar = Rectangle::new(
            [
                (SegmentValue::Exact(i), 0.0),
                (SegmentValue::Exact(i + 1), *median),
            ],
            color.mix(0.8).filled(),
        );
        bar.set_margin(0, 0, 12, 12);
        chart.draw_series([bar])?;
        // The whisker: min to max of the runs (the `errorbar` feature is not enabled).
        chart.draw_series([PathElement::new(
            [
                (SegmentValue::CenterOf(i), *min),
                (SegmentValue::CenterOf(i), *max),
            ],
            BLACK.stroke_width(2),
        )])?;
        chart.draw_series([Text::new(
            format!("{median:.2} M"),
            (SegmentValue::CenterOf(i), max + max_y * 0.01),
            ("sans-serif", 14)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Bottom)),
        )])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::results::tests::record;
    use crate::run::results::{Machine, Step};

    #[test]
    fn both_charts_are_written_as_svg_and_png() {
        let dir = tempfile::tempdir().expect("temp dir");
        let step = |size: &str, step, rss| StepResult {
            system: System::Ruzu,
            size: size.into(),
            persons: 1,
            step,
            file: PathBuf::from("f.csv"),
            file_bytes: 1,
            runs: vec![record(1, 2e6, rss), record(2, 3e6, rss + 1)],
        };
        let results = BenchResults {
            runs_per_step: 2,
            machine: Machine::current(),
            steps: vec![
                step("100mb", Step::Person, 90_000_000),
                step("100mb", Step::Knows, 80_000_000),
            ],
            notes: Vec::new(),
        };
        let written = plot_all(&results, dir.path()).expect("plots");
        assert_eq!(written.len(), 4);
        let svg = std::fs::read_to_string(dir.path().join("rss.svg")).expect("svg");
        assert!(
            svg.contains("<svg") && svg.contains("100mb knows"),
            "labels in the svg"
        );
        let png = std::fs::read(dir.path().join("throughput.png")).expect("png");
        assert_eq!(&png[1..4], b"PNG");
    }
}
