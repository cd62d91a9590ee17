#include "models/scalesim_topology.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <vector>

#include "common/error.hpp"
#include "common/text_file.hpp"

namespace nasaic {
namespace {

std::string trim(std::string text) {
  const auto not_space = [](unsigned char ch) { return !std::isspace(ch); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

// SCALE-Sim reads a row as row.split(',')[:-1]: whatever follows the last
// comma is dropped, so a trailing comment there is legal and a row without a
// trailing comma loses its last value. `dropped` receives that tail.
std::vector<std::string> split_row(const std::string& line, std::string* dropped = nullptr) {
  std::vector<std::string> fields;
  const std::size_t last_comma = line.rfind(',');
  if (dropped) *dropped = trim(last_comma == std::string::npos ? line : line.substr(last_comma + 1));
  if (last_comma == std::string::npos) return fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma - start)));
    if (comma == last_comma) break;
    start = comma + 1;
  }
  return fields;
}

// Lower case with runs of blanks made one space: "Num  Filter" = "num filter".
std::string column_key(const std::string& text) {
  std::string key;
  for (unsigned char ch : text) {
    if (std::isspace(ch)) {
      if (!key.empty() && key.back() != ' ') key += ' ';
    } else {
      key += static_cast<char>(std::tolower(ch));
    }
  }
  if (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

}  // namespace

Network parse_scalesim_topology(const std::string& text, const std::string& label, const std::string& name) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  if (lines.empty() || trim(lines[0]).empty()) throw InputError(label, 1, "header", "empty file, expected a SCALE-Sim header");

  static const char* const conv_columns[] = {"Layer name", "IFMAP Height", "IFMAP Width", "Filter Height",
                                             "Filter Width", "Channels",   "Num Filter",  "Strides",
                                             "Horizontal stride"};
  static const char* const gemm_columns[] = {"Layer", "M", "N", "K"};
  const std::vector<std::string> header = split_row(lines[0]);
  const bool gemm = header.size() == 4 && column_key(header[1]) == "m";
  const bool conv = header.size() >= 8 && header.size() <= 9 && column_key(header[1]) == "ifmap height";
  if (!gemm && !conv) {
    throw InputError(label, 1, "header",
                     "not a SCALE-Sim topology header; expected 'Layer name, IFMAP Height, IFMAP Width, Filter "
                     "Height, Filter Width, Channels, Num Filter, Strides,' or 'Layer, M, N, K,'");
  }
  // Columns are read by position, as SCALE-Sim does; a renamed or swapped
  // header means the file does not say what SCALE-Sim would read.
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string expected = gemm ? gemm_columns[i] : conv_columns[i];
    const std::string found = column_key(header[i]);
    const bool name_column_ok = i == 0 && (found == "layer" || found == "layer name");
    if (!name_column_ok && found != column_key(expected)) {
      throw InputError(label, 1, "header",
                       "column " + std::to_string(i + 1) + " is " + excerpt(header[i]) + ", expected '" + expected +
                           "' (SCALE-Sim reads the columns by position)");
    }
  }

  Network network(name, name);
  for (std::size_t row = 1; row < lines.size(); ++row) {
    const int line_number = static_cast<int>(row + 1);
    if (trim(lines[row]).empty()) continue;
    std::string dropped;
    const std::vector<std::string> fields = split_row(lines[row], &dropped);
    const std::size_t min_fields = gemm ? 4 : 8, max_fields = gemm ? 4 : 9;
    if (fields.size() < min_fields || fields.size() > max_fields) {
      throw InputError(label, line_number, "row",
                       "expected " + std::to_string(min_fields) +
                           (min_fields == max_fields ? "" : " or " + std::to_string(max_fields)) + " fields, got " +
                           std::to_string(fields.size()) +
                           (dropped.empty() ? ""
                                            : " before the last comma; SCALE-Sim ignores what follows it (" +
                                                  excerpt(dropped) + "), so end every row with a comma"));
    }
    if (fields[0].empty()) throw InputError(label, line_number, gemm ? "Layer" : "Layer name", "empty layer name");
    std::vector<std::int64_t> values;
    for (std::size_t i = 1; i < fields.size(); ++i) {
      const char* column = gemm ? gemm_columns[i] : conv_columns[i];
      std::int64_t value = 0;
      const auto [end, error] = std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), value);
      if (error == std::errc::result_out_of_range) {
        throw InputError(label, line_number, column, excerpt(fields[i]) + " is too large");
      }
      if (error != std::errc() || end != fields[i].data() + fields[i].size()) {
        throw InputError(label, line_number, column, excerpt(fields[i]) + " is not an integer");
      }
      if (value <= 0) throw InputError(label, line_number, column, "must be positive, got " + excerpt(fields[i]));
      if (value > kMaxLayerDimension) {
        throw InputError(label, line_number, column,
                         excerpt(fields[i]) + " is too large; at most " + std::to_string(kMaxLayerDimension));
      }
      values.push_back(value);
    }

    Layer layer;
    layer.name = fields[0];
    if (network.size() > 0) layer.after = {network.layers().back().name};
    if (gemm) {
      layer.type = LayerType::gemm;
      layer.H = values[0];  // M
      layer.K = values[1];  // N
      layer.C = values[2];  // K
    } else {
      layer.H = values[0];
      layer.W = values[1];
      layer.R = values[2];
      layer.S = values[3];
      layer.C = values[4];
      layer.K = values[5];
      layer.stride_h = values[6];
      layer.stride_w = values.size() > 7 ? values[7] : values[6];
      layer.padding = {0, layer.stride_h - 1, 0, layer.stride_w - 1};
      if (layer.name.find("DP") != std::string::npos) {
        layer.type = LayerType::dwconv;
        layer.groups = layer.C;
        layer.K = layer.C * layer.K;
      }
      if (layer.R > layer.H) {
        throw InputError(label, line_number, "Filter Height",
                         "filter height " + std::to_string(layer.R) + " is larger than the ifmap height " +
                             std::to_string(layer.H));
      }
      if (layer.S > layer.W) {
        throw InputError(label, line_number, "Filter Width",
                         "filter width " + std::to_string(layer.S) + " is larger than the ifmap width " +
                             std::to_string(layer.W));
      }
    }
    const std::string problem = layer.validate();
    if (!problem.empty()) throw InputError(label, line_number, layer.name, problem);
    if (network.find(layer.name) >= 0) {
      // SCALE-Sim allows repeated names; keep them apart here with the row.
      layer.name += "@" + std::to_string(line_number);
    }
    network.add(std::move(layer));
  }
  if (network.size() == 0) throw InputError(label, 0, "", "no layers after the header");
  return network;
}

Network import_scalesim_topology(const std::string& path) {
  const std::string text = read_text_file(path);
  // The network is named after the file, and names must be UTF-8.
  const std::string name = std::filesystem::path(path).stem().string();
  if (invalid_utf8_offset(name) != std::string::npos) {
    throw InputError(path, 0, "", "the file name is not UTF-8, and the network is named after it; rename the file");
  }
  return parse_scalesim_topology(text, path, name);
}

std::string export_scalesim_topology(const Network& network) {
  bool gemm_only = true;
  for (const auto& layer : network.layers()) gemm_only = gemm_only && layer.type == LayerType::gemm;
  std::string out = gemm_only ? "Layer, M, N, K,\n"
                              : "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
                                "Filter, Strides,\n";
  for (const auto& layer : network.layers()) {
    if (layer.name.find_first_of(",\r\n") != std::string::npos || layer.name != trim(layer.name)) {
      throw InputError("", 0, layer.name,
                       "a SCALE-Sim topology cannot hold this layer name (a comma, a line break or surrounding "
                       "blanks); rename the layer");
    }
    if (gemm_only) {
      out += layer.name + ", " + std::to_string(layer.gemm_M()) + ", " + std::to_string(layer.gemm_N()) + ", " +
             std::to_string(layer.gemm_K()) + ",\n";
      continue;
    }
    const bool expressible = layer.type == LayerType::conv || layer.type == LayerType::fc ||
                             layer.type == LayerType::gemm || layer.type == LayerType::dwconv;
    if (!expressible || (layer.type == LayerType::conv && layer.groups != 1) || layer.N != 1) {
      throw InputError("", 0, layer.name,
                       std::string("a ") + layer_type_name(layer.type) +
                           " layer with these groups/batch has no SCALE-Sim topology equivalent");
    }
    // SCALE-Sim's output rule needs (H' - R) divisible by the stride to match
    // ours exactly; we trim the padded size so the row count agrees.
    const std::int64_t H = (layer.P() - 1) * layer.stride_h + layer.R;
    const std::int64_t W = (layer.Q() - 1) * layer.stride_w + layer.S;
    std::string name = layer.name;
    const bool depthwise = layer.type == LayerType::dwconv;
    if (depthwise && name.find("DP") == std::string::npos) name += "_DP";
    const std::int64_t filters = depthwise ? layer.K / layer.C : layer.K;
    out += name + ", " + std::to_string(H) + ", " + std::to_string(W) + ", " + std::to_string(layer.R) + ", " +
           std::to_string(layer.S) + ", " + std::to_string(layer.C) + ", " + std::to_string(filters) + ", " +
           std::to_string(layer.stride_h) + ", ";
    if (layer.stride_w != layer.stride_h) out += std::to_string(layer.stride_w) + ", ";
    out += "\n";
  }
  return out;
}

}  // namespace nasaic
