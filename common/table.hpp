#pragma once
// A small typed table that every command prints the same three ways: aligned
// text for people, CSV for scripts, JSON for tools. Column order is fixed by
// the caller, so output is stable across runs.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace nasaic {

enum class OutputFormat { text, csv, json };

// Throws InputError listing the valid names.
OutputFormat parse_output_format(const std::string& name);

using Cell = std::variant<std::int64_t, double, std::string>;

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;

  void add_row(std::vector<Cell> row);
  std::string to_text() const;
  std::string to_csv() const;
  std::string to_json() const;  // an array of objects, one per row
  std::string render(OutputFormat format) const;
};

std::string format_cell(const Cell& cell);

}  // namespace nasaic
