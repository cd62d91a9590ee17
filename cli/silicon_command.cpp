#include "cli/silicon_command.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/gnuplot.hpp"
#include "common/error.hpp"
#include "common/json_input.hpp"
#include "common/table.hpp"
#include "common/text_file.hpp"
#include "dataflows/silicon_validation.hpp"
#include "sim/calibration.hpp"

namespace nasaic::cli {
namespace {

// Four significant digits for people; CSV and JSON keep every digit.
double rounded(double value) {
  if (value == 0) return 0;
  const double scale = std::pow(10.0, 3 - std::floor(std::log10(std::abs(value))));
  return std::round(value * scale) / scale;
}

// Figures in metric-major order: one metric's rows read as a range ("0.99 to
// 1.44x"), which is how the comparison is discussed.
std::vector<const SiliconFigure*> by_metric(const SiliconValidation& v) {
  std::vector<const SiliconFigure*> order;
  for (const auto& metric : v.metrics) {
    for (const auto& figure : v.figures) {
      if (figure.metric == metric) order.push_back(&figure);
    }
  }
  return order;
}

Table figure_table(const SiliconValidation& v, bool round) {
  Table table;
  table.columns = {"row", "metric", "unit", "paper", "nasaic", "ratio"};
  const auto r = [round](double x) { return round ? rounded(x) : x; };
  for (const SiliconFigure* f : by_metric(v)) {
    table.add_row({f->row, f->metric, f->unit, r(f->paper), r(f->nasaic), r(f->ratio())});
  }
  return table;
}

// Per metric, across the rows (layers or configurations, not the total): does
// nasaic order them as the paper does, and how far off is it at worst.
Table rank_table(const SiliconValidation& v, bool round) {
  Table table;
  table.columns = {"metric", "rows", "spearman", "kendall", "min_ratio", "max_ratio"};
  const auto r = [round](double x) { return round ? rounded(x) : x; };
  for (const auto& metric : v.metrics) {
    std::vector<double> paper, nasaic;
    double low = INFINITY, high = 0;
    for (const SiliconFigure* f : v.per_row(metric)) {
      paper.push_back(f->paper);
      nasaic.push_back(f->nasaic);
      low = std::min(low, f->ratio());
      high = std::max(high, f->ratio());
    }
    const ErrorSummary summary = summarize_errors(nasaic, paper);
    table.add_row(
        {metric, static_cast<std::int64_t>(paper.size()), r(summary.spearman), r(summary.kendall), r(low), r(high)});
  }
  return table;
}

nlohmann::ordered_json to_json(const SiliconValidation& v) {
  nlohmann::ordered_json json;
  json["name"] = v.name;
  json["source"] = v.source;
  json["kind"] = v.kind;
  json["figures"] = nlohmann::ordered_json::parse(figure_table(v, false).to_json());
  json["rank_correlation"] = nlohmann::ordered_json::parse(rank_table(v, false).to_json());
  json["notes"] = v.notes;
  return json;
}

// The ratio of every figure, one line per metric across the rows, on a log
// axis around y = 1 (the paper).
void write_plot(const std::string& dir, const SiliconValidation& v) {
  std::string data, plots;
  int block = 0;
  for (const auto& metric : v.metrics) {
    data += "# " + metric + ": row index, nasaic / paper, row\n";
    int index = 0;
    for (const auto& figure : v.figures) {
      if (figure.metric != metric) continue;
      char line[256];
      std::snprintf(line, sizeof line, "%d %.6g \"%s\"\n", index++, figure.ratio(), figure.row.c_str());
      data += line;
    }
    data += "\n\n";
    plots += std::string(plots.empty() ? "" : ", ") + "'ratios.dat' index " + std::to_string(block++) +
             " using 1:2:xtic(3) with linespoints pt 7 title '" + metric + "'";
  }
  write_text_file(dir + "/ratios.dat", data);
  render_gnuplot(dir, [&](const std::string& extension) {
    // noenhanced: metric names keep their underscores instead of subscripts.
    return "set output 'ratios." + extension + "'\nset termoption noenhanced\nset title 'nasaic / paper: " + v.name +
           "'\nset ylabel 'nasaic / paper'\nset logscale y\nset grid\nset key outside right\nset xtics rotate by -45\n"
           "plot " +
           plots + ", 1 with lines lw 2 lc rgb 'black' title 'paper'\nunset logscale\n";
  });
}

}  // namespace

void add_silicon_options(CLI::App* validate, SiliconOptions& options) {
  validate->add_option("--silicon", options.file,
                       "a published chip's table (configs/validation/*.yaml): compare nasaic with it per layer or "
                       "configuration; --calibration is then optional");
  options.format_option =
      validate->add_option("--format", options.format, "with --silicon: text, csv or json")->capture_default_str();
}

int run_silicon_validate(const SiliconOptions& options, const std::string& calibration, const std::string& out) {
  const OutputFormat format = parse_output_format(options.format);
  check_writable_folder(out, "--out");
  const SiliconValidation v = run_silicon_validation(options.file, calibration);
  if (!out.empty()) {
    write_text_file(out + "/silicon.csv", figure_table(v, false).to_csv());
    write_text_file(out + "/summary.json", dump_json(to_json(v), 2) + "\n");
    write_plot(std::filesystem::absolute(out).string(), v);
  }
  switch (format) {
    case OutputFormat::csv:
      std::cout << figure_table(v, false).to_csv();
      break;
    case OutputFormat::json:
      std::cout << dump_json(to_json(v), 2) << "\n";
      break;
    case OutputFormat::text:
      std::cout << v.name << ": " << v.source << "\n"
                << (calibration.empty() ? "nasaic: the uncalibrated surrogate" : "nasaic: calibrated by " + calibration)
                << "; ratio = nasaic / paper\n\n"
                << figure_table(v, true).to_text() << "\nrank correlation across "
                << (v.kind == "layers" ? "layers" : "configurations") << " (total excluded):\n"
                << rank_table(v, true).to_text() << "\nhow each figure is derived:\n";
      for (const auto& note : v.notes) std::cout << "  " << note << "\n";
      if (!out.empty())
        std::cout << "\nsilicon.csv, summary.json, ratios plot (PNG, SVG) and its gnuplot script in " << out << "\n";
      break;
  }
  return 0;
}

}  // namespace nasaic::cli
