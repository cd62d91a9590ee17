#pragma once
// NASAIC's comparison (Yang et al., DAC 2020): the co-search against
// `successive` design, which first searches the networks for accuracy alone
// and then a chip for those networks under the specs. (The other baseline,
// `hw-fixed`, searches the networks for a given chip: a spec whose hardware
// is `{chip: FILE}`.)
#include <functional>
#include <memory>

#include "search/search_run.hpp"

namespace nasaic {

// The two derived searches: the networks alone (the base chip stands in for
// the hardware, no specs, weighted accuracy), and the hardware alone for
// fixed networks (the spec's hardware space and specs, shortest makespan).
SearchSpec accuracy_only_spec(const SearchSpec& spec);
SearchSpec hardware_only_spec(const SearchSpec& spec, const std::vector<Architecture>& architectures);

struct SuccessiveResult {
  SearchRunSummary networks, hardware;  // the two searches
  // The chosen networks on the chosen chip, judged under the whole spec; its
  // chip is the hardware search's best within the specs, or the closest to
  // them when none met them.
  Evaluation design;
  std::string design_json;  // as a candidates.jsonl row
};

using ControllerFactory = std::function<std::unique_ptr<Controller>(const DesignSpace& space)>;

// Runs both searches into options.out_dir/networks and .../hardware.
SuccessiveResult run_successive(const SearchSpec& spec, const AccuracyOracle& accuracy, const ControllerFactory& make,
                                const SearchRunOptions& options);

// NASAIC's table: the co-search's best design (or, with none within the
// specs, the closest) beside the successive design, with latency, energy,
// area, accuracy and each spec's verdict, as Markdown.
std::string comparison_markdown(const SearchSpec& spec, const Evaluation& cosearch, const SuccessiveResult& successive);

}  // namespace nasaic
