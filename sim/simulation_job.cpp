#include "sim/simulation_job.hpp"

#include "common/error.hpp"
#include "common/json_input.hpp"
#include "common/text_file.hpp"
#include "dataflows/technology.hpp"
#include "models/network_yaml.hpp"

namespace nasaic {

std::vector<std::string> write_simulation_job(const SimulationJob& job, const std::filesystem::path& folder,
                                              const std::string& stem) {
  const std::string prefix = (folder / stem).string();
  ChipSpec chip = job.chip;
  // A table given by path is relative to the chip it came with; the copy
  // beside the written chip is the table the job was built with.
  if (chip.technology_file != "built-in" || !job.technology_yaml.empty()) {
    chip.technology_file = stem + "_technology.yaml";
    write_text_file(prefix + "_technology.yaml",
                    job.technology_yaml.empty() ? technology_to_yaml(chip.technology) : job.technology_yaml);
  }
  write_text_file(prefix + "_chip.yaml", chip_spec_to_yaml(chip));
  std::vector<std::string> arguments = {"simulate", "--hw", prefix + "_chip.yaml"};
  for (std::size_t n = 0; n < job.workload.networks.size(); ++n) {
    const std::string path = prefix + "_network" + std::to_string(n) + ".yaml";
    write_text_file(path, network_to_yaml(job.workload.networks[n]));
    arguments.insert(arguments.end(), {"--model", path});
  }
  write_text_file(prefix + "_schedule.yaml", schedule_to_yaml(job.schedule, job.workload, job.chip));
  arguments.insert(arguments.end(), {"--schedule", prefix + "_schedule.yaml", "--format", "json", "--quiet"});
  return arguments;
}

SimulationJobResult read_simulation_result(const std::string& report, const std::string& what) {
  const JsonValue root = parse_json(report, what, 0);
  SimulationJobResult result;
  const NumberRange cycles = NumberRange::closed(0, 9e18), energy = NumberRange::closed(0, 1e300);
  result.makespan_cycles = static_cast<std::int64_t>(root.at("makespan_cycles").as_number(cycles));
  result.energy_pj = root.at("energy_pJ").as_number(energy);
  result.area_um2 = root.at("area_um2").as_number(energy);
  if (!root.at("completed").as_bool()) {
    result.failure = root.has("failure") ? root.at("failure").as_string() : "the simulation did not complete";
    return result;
  }
  for (const JsonValue& row : root.at("layers").elements()) {
    SimulatedLayer layer;
    layer.network = row.at("network").as_string();
    layer.layer = row.at("layer").as_string();
    layer.sub_accelerator = row.at("sub_accelerator").as_string();
    layer.start_cycle = static_cast<std::int64_t>(row.at("start_cycle").as_number(cycles));
    layer.end_cycle = static_cast<std::int64_t>(row.at("end_cycle").as_number(cycles));
    if (layer.end_cycle < layer.start_cycle) row.at("end_cycle").fail("ends before it starts");
    layer.stall_dependency_cycles = static_cast<std::int64_t>(row.at("stall_dependency_cycles").as_number(cycles));
    layer.energy_pj = row.at("energy_pJ").as_number(energy);
    result.layers.push_back(std::move(layer));
  }
  result.ok = true;
  return result;
}

SimulationRunner::SimulationRunner(std::string executable, int parallel, double timeout_seconds)
    : runner_(std::move(executable), parallel, timeout_seconds) {}

JobRunner::JobId SimulationRunner::submit(const SimulationJob& job) {
  // Ids count up from 0, so the next one names the files before the job exists.
  const std::string stem = "job" + std::to_string(runner_.submitted());
  return runner_.submit(write_simulation_job(job, runner_.scratch(), stem));
}

SimulationJobResult SimulationRunner::result(JobRunner::JobId job) const {
  const JobOutcome& outcome = runner_.outcome(job);
  const std::string what = "the simulation report of job " + std::to_string(job);
  SimulationJobResult result;
  // An incomplete simulation exits with status 3, its reason on stderr.
  if (outcome.ok) {
    try {
      return read_simulation_result(outcome.out, what);
    } catch (const InputError& error) {
      result.failure = std::string("unusable simulation report: ") + error.what();
      return result;
    }
  }
  std::string reason = outcome.err.empty() ? "exit status " + std::to_string(outcome.exit_code) : outcome.err;
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();
  result.failure = "simulation failed: " + reason;
  return result;
}

SimulationJobResult SimulationRunner::wait(JobRunner::JobId job) {
  runner_.wait(job);
  return result(job);
}

}  // namespace nasaic
