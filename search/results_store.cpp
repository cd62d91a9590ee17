#include "search/results_store.hpp"

#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "common/error.hpp"

namespace nasaic {
namespace {

// Bump when the tables change, so an older folder is refused, not misread.
constexpr const char* kSchemaVersion = "nasaic-search-db-4";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK) statement_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return statement_; }
  explicit operator bool() const { return statement_ != nullptr; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

std::string column_text(sqlite3_stmt* statement, int column) {
  const unsigned char* text = sqlite3_column_text(statement, column);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

}  // namespace

ResultsStore::ResultsStore(const std::string& path, const StoreIdentity& identity) : path_(path) {
  // A constructor that throws runs no destructor: the handle is closed here.
  try {
    open(identity);
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

void ResultsStore::open(const StoreIdentity& identity) {
  const std::string& path = path_;
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK) {
    fail("cannot be opened");
  }
  sqlite3_busy_timeout(db_, 5000);
  // WAL with synchronous=NORMAL: a commit survives the process being killed
  // (the SIGKILL) without an fsync per evaluation.
  execute("PRAGMA journal_mode=WAL");
  execute("PRAGMA synchronous=NORMAL");
  execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  execute(
      "CREATE TABLE IF NOT EXISTS evaluations (id INTEGER PRIMARY KEY, round INTEGER NOT NULL, genome TEXT NOT NULL, "
      "architecture TEXT NOT NULL, hardware TEXT NOT NULL, legal INTEGER NOT NULL, meets_specs INTEGER NOT NULL, "
      "reason TEXT NOT NULL, makespan_s REAL, energy_pj REAL, area_um2 REAL, weighted_accuracy REAL, "
      "violation REAL NOT NULL, reward REAL NOT NULL, objectives TEXT NOT NULL, row TEXT NOT NULL)");
  execute(
      "CREATE TABLE IF NOT EXISTS simulations (id INTEGER PRIMARY KEY, ok INTEGER NOT NULL, failure TEXT NOT NULL, "
      "makespan_s REAL, energy_pj REAL, area_um2 REAL, task_latency TEXT NOT NULL, meets_specs INTEGER NOT NULL, "
      "reason TEXT NOT NULL, surrogate_makespan_s REAL NOT NULL)");
  execute(
      "CREATE TABLE IF NOT EXISTS simulated_layers (id INTEGER NOT NULL, position INTEGER NOT NULL, network TEXT NOT NULL, "
      "layer TEXT NOT NULL, sub_accelerator TEXT NOT NULL, start_cycle INTEGER NOT NULL, end_cycle INTEGER NOT NULL, "
      "dependency_stall_cycles INTEGER NOT NULL, PRIMARY KEY (id, position))");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"schema", kSchemaVersion},
      {"spec_name", identity.spec_name},
      {"spec_hash", identity.spec_hash},
      {"seed", std::to_string(identity.seed)}};
  Statement read(db_, "SELECT value FROM meta WHERE key = ?");
  if (!read) fail("is not a nasaic results database");
  for (const auto& [key, value] : expected) {
    sqlite3_reset(read.get());
    sqlite3_bind_text(read.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(read.get()) == SQLITE_ROW) {
      const std::string stored = column_text(read.get(), 0);
      if (stored != value) {
        throw InputError(path_, 0, key,
                         "holds a search with " + key + " '" + stored + "', not '" + value +
                             "': use another results folder for this spec");
      }
    } else {
      Statement write(db_, "INSERT INTO meta (key, value) VALUES (?, ?)");
      sqlite3_bind_text(write.get(), 1, key.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(write.get(), 2, value.c_str(), -1, SQLITE_TRANSIENT);
      if (sqlite3_step(write.get()) != SQLITE_DONE) fail("cannot be written");
    }
  }
}

ResultsStore::~ResultsStore() { sqlite3_close(db_); }

void ResultsStore::execute(const std::string& sql) const {
  // fail() adds SQLite's own message.
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) fail("cannot be used as a nasaic results database");
}

void ResultsStore::fail(const std::string& what) const {
  const char* detail = db_ != nullptr ? sqlite3_errmsg(db_) : "";
  throw InputError(path_, 0, "", what + (detail != nullptr && *detail != 0 ? std::string(": ") + detail : ""));
}

std::vector<StoredEvaluation> ResultsStore::load() const {
  Statement select(db_,
                   "SELECT id, round, genome, architecture, hardware, legal, meets_specs, reason, makespan_s, energy_pj, "
                   "area_um2, weighted_accuracy, violation, reward, objectives, row FROM evaluations ORDER BY id");
  if (!select) fail("is not a nasaic results database");
  std::vector<StoredEvaluation> rows;
  int status = 0;
  while ((status = sqlite3_step(select.get())) == SQLITE_ROW) {
    StoredEvaluation row;
    sqlite3_stmt* s = select.get();
    row.id = sqlite3_column_int64(s, 0);
    if (row.id != static_cast<std::int64_t>(rows.size())) fail("misses evaluation " + std::to_string(rows.size()));
    row.round = sqlite3_column_int64(s, 1);
    try {
      row.genes = nlohmann::json::parse(column_text(s, 2)).get<Genome>();
      row.outcome.objectives = nlohmann::json::parse(column_text(s, 14)).get<std::vector<double>>();
    } catch (const nlohmann::json::exception&) {
      fail("holds a damaged row " + std::to_string(row.id));
    }
    row.architecture_json = column_text(s, 3);
    row.hardware_json = column_text(s, 4);
    row.legal = sqlite3_column_int(s, 5) != 0;
    row.outcome.feasible = sqlite3_column_int(s, 6) != 0;
    row.reason = column_text(s, 7);
    row.makespan_seconds = sqlite3_column_double(s, 8);
    row.energy_pj = sqlite3_column_double(s, 9);
    row.area_um2 = sqlite3_column_double(s, 10);
    row.weighted_accuracy = sqlite3_column_double(s, 11);
    row.outcome.violation = sqlite3_column_double(s, 12);
    row.outcome.reward = sqlite3_column_double(s, 13);
    row.row_json = column_text(s, 15);
    rows.push_back(std::move(row));
  }
  if (status != SQLITE_DONE) fail("cannot be read");
  return rows;
}

void ResultsStore::append(const StoredEvaluation& row) {
  Statement insert(db_,
                   "INSERT INTO evaluations (id, round, genome, architecture, hardware, legal, meets_specs, reason, "
                   "makespan_s, energy_pj, area_um2, weighted_accuracy, violation, reward, objectives, row) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) fail("cannot be written");
  sqlite3_stmt* s = insert.get();
  const std::string genome = nlohmann::json(row.genes).dump();
  const std::string objectives = nlohmann::json(row.outcome.objectives).dump();
  sqlite3_bind_int64(s, 1, row.id);
  sqlite3_bind_int64(s, 2, row.round);
  sqlite3_bind_text(s, 3, genome.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, row.architecture_json.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 5, row.hardware_json.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 6, row.legal ? 1 : 0);
  sqlite3_bind_int(s, 7, row.outcome.feasible ? 1 : 0);
  sqlite3_bind_text(s, 8, row.reason.c_str(), -1, SQLITE_TRANSIENT);
  if (row.legal) {
    sqlite3_bind_double(s, 9, row.makespan_seconds);
    sqlite3_bind_double(s, 10, row.energy_pj);
    sqlite3_bind_double(s, 11, row.area_um2);
  } else {
    sqlite3_bind_null(s, 9);
    sqlite3_bind_null(s, 10);
    sqlite3_bind_null(s, 11);
  }
  sqlite3_bind_double(s, 12, row.weighted_accuracy);
  sqlite3_bind_double(s, 13, row.outcome.violation);
  sqlite3_bind_double(s, 14, row.outcome.reward);
  sqlite3_bind_text(s, 15, objectives.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 16, row.row_json.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot be written");
}

std::map<std::int64_t, StoredSimulation> ResultsStore::load_simulations() const {
  Statement select(db_,
                   "SELECT id, ok, failure, makespan_s, energy_pj, area_um2, task_latency, meets_specs, reason, "
                   "surrogate_makespan_s FROM simulations ORDER BY id");
  if (!select) fail("is not a nasaic results database");
  std::map<std::int64_t, StoredSimulation> simulations;
  int status = 0;
  while ((status = sqlite3_step(select.get())) == SQLITE_ROW) {
    sqlite3_stmt* s = select.get();
    StoredSimulation simulation;
    simulation.id = sqlite3_column_int64(s, 0);
    simulation.ok = sqlite3_column_int(s, 1) != 0;
    simulation.failure = column_text(s, 2);
    simulation.makespan_seconds = sqlite3_column_double(s, 3);
    simulation.energy_pj = sqlite3_column_double(s, 4);
    simulation.area_um2 = sqlite3_column_double(s, 5);
    try {
      simulation.task_latency_seconds = nlohmann::json::parse(column_text(s, 6)).get<std::vector<double>>();
    } catch (const nlohmann::json::exception&) {
      fail("holds a damaged simulation of evaluation " + std::to_string(simulation.id));
    }
    simulation.meets_specs = sqlite3_column_int(s, 7) != 0;
    simulation.reason = column_text(s, 8);
    simulation.surrogate_makespan_seconds = sqlite3_column_double(s, 9);
    simulations[simulation.id] = std::move(simulation);
  }
  if (status != SQLITE_DONE) fail("cannot be read");
  Statement layers(db_,
                   "SELECT id, network, layer, sub_accelerator, start_cycle, end_cycle, dependency_stall_cycles "
                   "FROM simulated_layers "
                   "ORDER BY id, position");
  if (!layers) fail("is not a nasaic results database");
  while ((status = sqlite3_step(layers.get())) == SQLITE_ROW) {
    sqlite3_stmt* s = layers.get();
    const auto found = simulations.find(sqlite3_column_int64(s, 0));
    if (found == simulations.end()) fail("holds layers of a simulation it does not record");
    found->second.layers.push_back(
        {column_text(s, 1), column_text(s, 2), column_text(s, 3), sqlite3_column_int64(s, 4), sqlite3_column_int64(s, 5),
         sqlite3_column_int64(s, 6)});
  }
  if (status != SQLITE_DONE) fail("cannot be read");
  return simulations;
}

void ResultsStore::append_simulation(const StoredSimulation& simulation) {
  Statement insert(db_,
                   "INSERT INTO simulations (id, ok, failure, makespan_s, energy_pj, area_um2, task_latency, meets_specs, "
                   "reason, surrogate_makespan_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) fail("cannot be written");
  sqlite3_stmt* s = insert.get();
  const std::string latency = nlohmann::json(simulation.task_latency_seconds).dump();
  sqlite3_bind_int64(s, 1, simulation.id);
  sqlite3_bind_int(s, 2, simulation.ok ? 1 : 0);
  sqlite3_bind_text(s, 3, simulation.failure.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 4, simulation.makespan_seconds);
  sqlite3_bind_double(s, 5, simulation.energy_pj);
  sqlite3_bind_double(s, 6, simulation.area_um2);
  sqlite3_bind_text(s, 7, latency.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 8, simulation.meets_specs ? 1 : 0);
  sqlite3_bind_text(s, 9, simulation.reason.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 10, simulation.surrogate_makespan_seconds);
  // The simulation and its layers commit together: a resumed run never
  // finds one without the other.
  execute("BEGIN");
  if (sqlite3_step(s) != SQLITE_DONE) fail("cannot be written");
  Statement layer(db_,
                  "INSERT INTO simulated_layers (id, position, network, layer, sub_accelerator, start_cycle, end_cycle, "
                  "dependency_stall_cycles) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!layer) fail("cannot be written");
  for (std::size_t i = 0; i < simulation.layers.size(); ++i) {
    const StoredSimulation::Layer& row = simulation.layers[i];
    sqlite3_reset(layer.get());
    sqlite3_bind_int64(layer.get(), 1, simulation.id);
    sqlite3_bind_int64(layer.get(), 2, static_cast<std::int64_t>(i));
    sqlite3_bind_text(layer.get(), 3, row.network.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(layer.get(), 4, row.layer.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(layer.get(), 5, row.sub_accelerator.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(layer.get(), 6, row.start_cycle);
    sqlite3_bind_int64(layer.get(), 7, row.end_cycle);
    sqlite3_bind_int64(layer.get(), 8, row.dependency_stall_cycles);
    if (sqlite3_step(layer.get()) != SQLITE_DONE) fail("cannot be written");
  }
  execute("COMMIT");
}

}  // namespace nasaic
