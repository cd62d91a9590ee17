#include "common/table.hpp"
#include "common/json_input.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace nasaic {

OutputFormat parse_output_format(const std::string& name) {
  if (name == "text" || name == "table") return OutputFormat::text;
  if (name == "csv") return OutputFormat::csv;
  if (name == "json") return OutputFormat::json;
  throw InputError("", 0, "--format", "unknown format '" + name + "'; known: text, csv, json");
}

std::string format_cell(const Cell& cell) {
  if (const auto* integer = std::get_if<std::int64_t>(&cell)) return std::to_string(*integer);
  if (const auto* real = std::get_if<double>(&cell)) {
    // Inputs are bounded so that every figure is finite; "nan" in a report
    // would be our bug passed on as a result.
    if (!std::isfinite(*real)) throw std::logic_error("a non-finite number in an output table");
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g", *real);
    return buffer;
  }
  return std::get<std::string>(cell);
}

void Table::add_row(std::vector<Cell> row) {
  NASAIC_CHECK(row.size() == columns.size(), "row width differs from the column count");
  rows.push_back(std::move(row));
}

std::string Table::to_text() const {
  std::vector<std::size_t> widths(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) widths[c] = columns[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], format_cell(row[c]).size());
  }
  auto line = [&](auto cell_text, auto right_align) {
    std::string out;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::string text = cell_text(c);
      const std::string pad(widths[c] - text.size(), ' ');
      out += (c ? "  " : "") + (right_align(c) ? pad + text : text + pad);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line([&](std::size_t c) { return columns[c]; }, [](std::size_t) { return false; });
  for (const auto& row : rows) {
    out += line([&](std::size_t c) { return format_cell(row[c]); },
                [&](std::size_t c) { return !std::holds_alternative<std::string>(row[c]); });
  }
  return out;
}

std::string Table::to_csv() const {
  auto quote = [](const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return quoted + "\"";
  };
  std::string out;
  for (std::size_t c = 0; c < columns.size(); ++c) out += (c ? "," : "") + quote(columns[c]);
  out += "\n";
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + quote(format_cell(row[c]));
    out += "\n";
  }
  return out;
}

std::string Table::to_json() const {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& row : rows) {
    nlohmann::ordered_json object;
    for (std::size_t c = 0; c < row.size(); ++c) {
      std::visit([&](const auto& value) { object[columns[c]] = value; }, row[c]);
    }
    array.push_back(std::move(object));
  }
  return dump_json(array, 2) + "\n";
}

std::string Table::render(OutputFormat format) const {
  switch (format) {
    case OutputFormat::text: return to_text();
    case OutputFormat::csv: return to_csv();
    case OutputFormat::json: return to_json();
  }
  return {};
}

}  // namespace nasaic
