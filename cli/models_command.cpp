#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "common/error.hpp"
#include "common/json_input.hpp"
#include "common/table.hpp"
#include "common/text_file.hpp"
#include "models/network_yaml.hpp"
#include "models/scalesim_topology.hpp"
#include "models/zoo.hpp"

namespace nasaic::cli {
namespace {

Table layer_table(const Network& network) {
  Table table;
  table.columns = {"layer", "type", "inputs", "N", "C", "H", "W", "K", "R", "S", "P", "Q", "stride_h", "stride_w",
                   "pad_top", "pad_bottom", "pad_left", "pad_right", "groups", "bits", "macs", "ifmap_bytes",
                   "filter_bytes", "ofmap_bytes"};
  for (const auto& l : network.layers()) {
    table.add_row({l.name, std::string(layer_type_name(l.type)), join(l.inputs, " "), l.N, l.C, l.H, l.W, l.K, l.R,
                   l.S, l.P(), l.Q(), l.stride_h, l.stride_w, l.padding.top, l.padding.bottom, l.padding.left,
                   l.padding.right, l.groups, std::int64_t{l.bits}, l.macs(), l.ifmap_bytes(), l.filter_bytes(),
                   l.ofmap_bytes()});
  }
  return table;
}

std::string render_network(const Network& network, const std::string& format) {
  if (format == "yaml") return network_to_yaml(network);
  if (format == "scalesim") return export_scalesim_topology(network);
  const OutputFormat output = parse_output_format(format);
  const Table table = layer_table(network);
  const std::int64_t filter_bytes = network.total_filter_bytes();
  std::int64_t ops = 0;
  for (const auto& layer : network.layers()) ops += layer.ops();
  switch (output) {
    case OutputFormat::csv: return table.to_csv();
    case OutputFormat::json: {
      nlohmann::ordered_json json;
      json["name"] = network.name();
      json["task"] = network.task();
      json["layer_count"] = network.size();
      json["total_macs"] = network.total_macs();
      json["total_ops"] = ops;
      json["total_filter_bytes"] = filter_bytes;
      json["layers"] = nlohmann::ordered_json::parse(table.to_json());
      return dump_json(json, 2) + "\n";
    }
    case OutputFormat::text:
      return "network " + network.name() + " (task " + network.task() + ")\n" + table.to_text() + "total: " +
             std::to_string(network.size()) + " layers, " + std::to_string(network.total_macs()) + " MACs, " +
             std::to_string(filter_bytes) + " filter bytes\n";
  }
  return {};
}

}  // namespace

void add_models_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners) {
  CLI::App* models = app.add_subcommand("models", "List, show and import networks");
  models->require_subcommand(1);

  CLI::App* list = models->add_subcommand("list", "List the built-in model zoo");
  auto list_format = std::make_shared<std::string>("text");
  list->add_option("--format", *list_format, "text, csv or json")->capture_default_str();
  list->footer(std::string(kExitStatusHelp) + "Example:\n  nasaic models list --format csv");
  runners.emplace_back(list, [list_format] {
    Table table;
    table.columns = {"name",    "task",           "layers",      "macs",  "published_macs",
                     "weights", "published_weights", "description", "source"};
    for (const auto& entry : zoo_entries()) {
      const Network network = zoo_model(entry.name);
      std::int64_t weights = 0;
      for (const auto& layer : network.layers()) weights += layer.filter_elements();
      table.add_row({entry.name, network.task(), static_cast<std::int64_t>(network.size()), network.total_macs(),
                     static_cast<std::int64_t>(entry.published_macs), weights,
                     static_cast<std::int64_t>(entry.published_weights), entry.description, entry.published_source});
    }
    std::cout << table.render(parse_output_format(*list_format));
    return 0;
  });

  CLI::App* show = models->add_subcommand("show", "Print a network's layers: shape, MACs, bytes");
  auto show_model = std::make_shared<std::string>();
  auto show_format = std::make_shared<std::string>("text");
  show->add_option("model", *show_model, "zoo name, SCALE-Sim topology (.csv) or nasaic YAML (.yaml)")->required();
  show->add_option("--format", *show_format, "text, csv, json, yaml or scalesim (a SCALE-Sim topology CSV)")->capture_default_str();
  show->footer(std::string(kExitStatusHelp) + 
      "Examples:\n  nasaic models show resnet50 --format csv\n  nasaic models show my_net.yaml\n"
      "  nasaic models show mobilenet_v2 --format scalesim > mobilenet_v2.csv   # for SCALE-Sim");
  runners.emplace_back(show, [show_model, show_format] {
    std::cout << render_network(load_model(*show_model), *show_format);
    return 0;
  });

  CLI::App* import = models->add_subcommand("import", "Read a SCALE-Sim topology or YAML network");
  auto import_file = std::make_shared<std::string>();
  auto import_out = std::make_shared<std::string>();
  auto import_format = std::make_shared<std::string>("text");
  import->add_option("file", *import_file, "SCALE-Sim topology CSV (conv or gemm) or nasaic YAML")->required();
  import->add_option("--out", *import_out, "write the network in nasaic's YAML format to this file");
  import->add_option("--format", *import_format, "text, csv, json, yaml or scalesim (a SCALE-Sim topology CSV)")->capture_default_str();
  import->footer(std::string(kExitStatusHelp) + "Example:\n  nasaic models import Resnet18.csv --out resnet18.yaml");
  runners.emplace_back(import, [import_file, import_out, import_format] {
    const Network network = load_model(*import_file);
    if (!import_out->empty()) write_text_file(*import_out, network_to_yaml(network));
    std::cout << render_network(network, *import_format);
    return 0;
  });
}

}  // namespace nasaic::cli
