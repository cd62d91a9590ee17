#include <unistd.h>

#include <filesystem>

#include "common/error.hpp"
#include "common/json_input.hpp"
#include "common/text_file.hpp"
#include "search/training.hpp"

namespace nasaic {

std::string default_cache_dir() {
  if (const char* dir = std::getenv("NASAIC_CACHE_DIR"); dir && *dir) return dir;
  if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir && *dir) return std::string(dir) + "/nasaic";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/nasaic";
  return ".nasaic-cache";
}

std::string training_result_json(const TrainingResult& result) {
  nlohmann::ordered_json json;
  json["key"] = result.key;
  json["method"] = accuracy_method_name(result.method);
  json["metric"] = metric_name(result.metric);
  json["test_metric"] = result.has_test_metric ? nlohmann::ordered_json(result.test_metric) : nullptr;
  json["validation_metric"] = result.validation_metric;
  json["validation_images"] = result.validation_images;
  json["macs"] = result.counts.macs;
  json["parameters"] = result.counts.parameters;
  json["seconds"] = result.seconds;
  json["images_per_second"] = result.images_per_second;
  json["threads"] = result.threads;
  json["from_cache"] = result.from_cache;
  nlohmann::ordered_json epochs = nlohmann::ordered_json::array();
  for (const EpochRecord& epoch : result.epochs)
    epochs.push_back({{"loss", epoch.loss}, {"validation_metric", epoch.validation_metric}});
  json["epochs"] = epochs;
  return dump_json(json, 2);
}

std::string result_cache_path(const std::string& cache_dir, const std::string& key) {
  return (std::filesystem::path(cache_dir) / "results" / (key + ".json")).string();
}

bool read_cached_result(const std::string& path, TrainingResult& result) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  TrainingResult cached = result;
  try {
    const JsonValue root = load_json_file(path);
    if (root.at("key").as_string() != result.key) return false;
    const JsonValue test = root.at("test_metric");
    cached.has_test_metric = !test.is_null();
    if (cached.has_test_metric) cached.test_metric = test.as_number(NumberRange::closed(0, 1));
    cached.validation_metric = root.at("validation_metric").as_number(NumberRange::closed(0, 1));
    cached.validation_images = root.at("validation_images").as_int(0, INT64_MAX);
    cached.seconds = root.at("seconds").as_number(NumberRange::closed(0, 1e12));
    cached.images_per_second = root.at("images_per_second").as_number(NumberRange::closed(0, 1e12));
    cached.epochs.clear();
    for (const JsonValue& epoch : root.at("epochs").elements())
      cached.epochs.push_back({epoch.at("loss").as_number(), epoch.at("validation_metric").as_number()});
  } catch (const InputError&) {
    return false;
  }
  cached.from_cache = true;
  result = cached;
  return true;
}

std::string temporary_path_for(const std::string& path) { return path + ".tmp" + std::to_string(::getpid()); }

void rename_into_place(const std::string& temporary, const std::string& path) {
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw InputError(path, 0, "", "cannot write the cache: " + error.message());
}

void write_cached_result(const std::string& path, const TrainingResult& result) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const std::string temporary = temporary_path_for(path);
  write_text_file(temporary, training_result_json(result) + "\n");
  rename_into_place(temporary, path);
}

}  // namespace nasaic
