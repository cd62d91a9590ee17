// The input contract, end to end through the binary: every mistaken or
// hostile file gets exit status 2 and one line naming the file, the line and
// the key; every quirky but valid file is read the way its format's owner
// reads it; every file nasaic writes for reading back reads back. One test per
// class of failure that issue 9 found.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "tests/support/scalesim_fixtures.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

using testing::run_nasaic;
using testing::TempDir;

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Exit 2, nothing on stdout, one line on stderr that starts with the error
// prefix and holds every fragment (typically "file:line:" and the key).
void expect_refused(const std::string& arguments, const std::vector<std::string>& fragments) {
  const auto result = run_nasaic(arguments);
  EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.err;
  EXPECT_EQ(count_lines(result.err), 1u) << result.err;
  EXPECT_EQ(result.err.rfind("nasaic: error: ", 0), 0u) << result.err;
  EXPECT_EQ(result.out, "") << arguments;
  for (const auto& fragment : fragments) EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
}

const std::string kChip =
    "name: c\n"                                                            // 1
    "clock: 1 GHz\n"                                                       // 2
    "technology: built-in\n"                                               // 3
    "dram: {bandwidth: 16 GB/s, latency: 100 cycles, burst: 64 B}\n"       // 4
    "interconnect: {arbitration: round-robin, link_width: 32 B/cycle}\n"  // 5
    "sub_accelerators:\n"                                                  // 6
    "  - name: a\n"                                                        // 7
    "    dataflow: nvdla\n"                                                // 8
    "    pe_array: {rows: 16, cols: 16}\n"                                 // 9
    "    bandwidth_share: 0.5\n"                                           // 10
    "    buffers: {ifmap: {capacity: 64 KiB}, filter: {capacity: 64 KiB}, ofmap: {capacity: 64 KiB}}\n";  // 11

const std::string kNetwork =
    "name: n\n"                                                                         // 1
    "layers:\n"                                                                         // 2
    "  - {name: c1, type: conv, C: 3, H: 8, W: 8, K: 4, R: 3, S: 3, padding: 1}\n"     // 3
    "  - {name: fc, type: fc, C: 256, K: 10}\n";                                        // 4

const std::string kHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("fixture lacks '" + from + "'");
  return text.replace(at, from.size(), to);
}

// One edit of `base` per case, written to `dir/name` and run as
// `command_prefix FILE command_suffix`: refused with FILE followed by the
// case's fragment.
using Edits = std::vector<std::tuple<std::string, std::string, std::string>>;
void expect_each_refused(const TempDir& dir, const std::string& name, const std::string& base, const Edits& cases,
                         const std::string& command_prefix, const std::string& command_suffix = "") {
  for (const auto& [from, to, fragment] : cases) {
    SCOPED_TRACE(to);
    const std::string path = dir.write(name, replaced(base, from, to));
    expect_refused(command_prefix + path + command_suffix, {path + fragment});
  }
}

// --- Crashes ---------------------------------------------------------------

TEST(InputContract, YamlNodesOfTheWrongKind) {
  TempDir dir;
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"clock: 1 GHz", "clock: [1 GHz]", ":2: clock: expected a single value"},
      {"clock: 1 GHz", "clock: {value: 1 GHz}", ":2: clock: expected a single value"},
      {"pe_array: {rows: 16, cols: 16}", "pe_array: 16", ":9: sub_accelerators[0].pe_array: expected a map"},
      {"clock: 1 GHz", "[clock]: 1 GHz", ":2: ?: a key must be a plain name"},
      {"name: a\n", "name: a\n    ? [x, y]\n    : 1\n", ":8: sub_accelerators[0].?: a key must be a plain name"},
  };
  expect_each_refused(dir, "chip.yaml", kChip, cases, "hw show ");
  const std::string map = dir.write("map.yaml", kChip.substr(0, kChip.find("sub_accelerators")) + "sub_accelerators: {a: 1}\n");
  expect_refused("hw show " + map, {map + ":6: sub_accelerators: expected a list"});
  const std::string net = dir.write("net.yaml", replaced(kNetwork, "K: 10", "K: [10]"));
  expect_refused("models show " + net, {net + ":4: layers[1].K: expected a single value"});
  const std::string inputs = dir.write("inputs.yaml", replaced(kNetwork, "K: 10}", "K: 10, inputs: {a: c1}}"));
  expect_refused("models show " + inputs, {inputs + ":4: layers[1].inputs: expected a list"});
}

TEST(InputContract, NamesThatAreNotUtf8AreRefusedWithTheirLine) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", replaced(kChip, "name: a\n", "name: caf\xe9\n"));
  expect_refused("hw show " + chip + " --format json", {chip + ":7:", "0xE9 is not UTF-8"});
  const std::string net = dir.write("net.yaml", replaced(kNetwork, "name: fc", "name: f\xc3\x28"));
  expect_refused("models show " + net + " --format json", {net + ":4:", "0xC3 is not UTF-8"});
  const std::string csv = dir.write("t.csv", kHeader + "Conv\xe9, 8, 8, 3, 3, 3, 4, 1,\n");
  expect_refused("models show " + csv + " --format json", {csv + ":2:", "not UTF-8"});
  // Overlong encodings and UTF-16 surrogates are not UTF-8 either.
  const std::string overlong = dir.write("o.yaml", replaced(kNetwork, "name: n", "name: \xc0\xaf"));
  expect_refused("models show " + overlong, {overlong + ":1:", "0xC0 is not UTF-8"});
  const std::string surrogate = dir.write("s.yaml", replaced(kNetwork, "name: n", "name: \xed\xa0\x80"));
  expect_refused("models show " + surrogate, {surrogate + ":1:", "0xED is not UTF-8"});
  // A topology names its network after the file.
  const std::string latin1_name = dir.write("r\xe9seau.csv", kHeader + "C, 8, 8, 3, 3, 3, 4, 1,\n");
  expect_refused("models show '" + latin1_name + "' --format json", {"file name is not UTF-8"});
  // Valid UTF-8 names pass through to JSON unchanged.
  const std::string utf8 = dir.write("u.yaml", replaced(kNetwork, "name: n", "name: r\xc3\xa9seau-\xe2\x9c\x93"));
  const auto shown = run_nasaic("models show " + utf8 + " --format json");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(nlohmann::json::parse(shown.out)["name"], "r\xc3\xa9seau-\xe2\x9c\x93");
}

TEST(InputContract, DeepNestingIsRefusedWithTheLimit) {
  TempDir dir;
  for (const std::string& deep : {kChip + "zz: " + std::string(100, '[') + std::string(100, ']') + "\n",
                                  kChip + "zz: " + std::string(5000, '{'),
                                  std::string("name: ") + std::string(100000, '['),
                                  [] {
                                    std::string text;
                                    for (int i = 0; i < 300; ++i) text += "- ";
                                    return text + "x\n";
                                  }()}) {
    const std::string chip = dir.write("deep.yaml", deep);
    expect_refused("hw show " + chip, {chip + ":", "nested more than 32 levels"});
  }
  // Nesting at the limit's edge that a config really uses is fine.
  const std::string ok = dir.write("ok.yaml", kChip);
  EXPECT_EQ(run_nasaic("hw show " + ok).exit_code, 0);
}

TEST(InputContract, UnwritableOutputPathsAreRefusedBeforeTheRun) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", kChip);
  const std::string file = dir.write("plain-file", "x");
  const std::string run = "simulate --hw " + chip + " --model resnet20 --quiet";
  expect_refused(run + " --vcd " + file + "/t.vcd", {"--vcd", "cannot create folder"});
  expect_refused(run + " --timeline " + file + "/t.json", {"--timeline", "cannot create folder"});
  expect_refused(run + " --out " + file + "/out", {"--out", "cannot create folder"});
  expect_refused(run + " --out " + file, {"--out", "cannot create folder"});
  expect_refused(run + " --vcd " + dir.path().string(), {"--vcd", "is a folder"});
  expect_refused("estimate --hw " + chip + " --model resnet20 --out " + file + "/x", {"--out", "cannot create folder"});
  expect_refused("models import " + dir.write("t.csv", kHeader + "C, 8, 8, 3, 3, 3, 4, 1,\n") + " --out " + file +
                     "/n.yaml",
                 {"cannot create folder"});
}

TEST(InputContract, FailedWritesAreDetected) {
  TempDir dir;
  const std::string csv = dir.write("t.csv", kHeader + "C, 8, 8, 3, 3, 3, 4, 1,\n");
  expect_refused("models import " + csv + " --out /dev/full", {"/dev/full", "write failed"});
  // Standard output on a full device: the result is lost, so it is an error.
  const std::string err = (dir.path() / "err").string();
  const int status = std::system((std::string(NASAIC_BINARY) + " models show resnet50 --format csv >/dev/full 2>" + err).c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(testing::slurp(err), "nasaic: error: standard output: write failed\n");
}

TEST(InputContract, EndlessDevicesAndWrappingOptionsAreRefused) {
  // /dev/zero has no size and no end: read up to the input cap, then refused.
  expect_refused("hw show /dev/zero", {"/dev/zero", "larger than the"});
  expect_refused("models show /dev/zero.yaml", {"/dev/zero.yaml", "cannot open"});
  // A negative seed would wrap to 2^64 - 1.
  expect_refused("simulate --model resnet20 --hw " + testing::source_path("configs/chips/hetero-2.yaml") +
                     " --functional --seed -1",
                 {"--seed"});
}

// --- The hang and silent overflow -------------------------------------------

TEST(InputContract, LayersWhoseCountsOverflowAreRefusedWithTheirKey) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", kChip);
  // M·N·K = 2^96: wrapped to garbage before, and a simulation that never ended.
  const std::string gemm = dir.write(
      "gemm.yaml", "name: g\nlayers:\n  - {name: g, type: gemm, M: 4294967296, N: 4294967296, K: 4294967296}\n");
  expect_refused("simulate --hw " + chip + " --model " + gemm + " --quiet",
                 {gemm + ":3: layers[0].", "too large; at most 16777216"});
  const std::string macs = dir.write(
      "macs.yaml", "name: g\nlayers:\n  - {name: g, type: gemm, M: 1000000, N: 1000, K: 16777216}\n");
  expect_refused("estimate --hw " + chip + " --model " + macs, {macs + ":3: layers[0].K:", "operations, more than the limit"});
  const std::string conv = dir.write(
      "conv.yaml", "name: c\nlayers:\n  - {name: c, type: conv, N: 1000, C: 16777216, H: 4096, W: 4096, K: 1, R: 1, S: 1}\n");
  expect_refused("models show " + conv, {conv + ":3: layers[0].C:", "elements, more than the limit"});
  const std::string csv = dir.write("t.csv", kHeader + "C, 16777216, 16777216, 1, 1, 16777216, 4, 1,\n");
  expect_refused("models show " + csv, {csv + ":2:", "elements, more than the limit"});
  const std::string huge = dir.write("h.csv", kHeader + "C, 8, 8, 3, 3, 99999999999999999999, 4, 1,\n");
  expect_refused("models show " + huge, {huge + ":2: Channels:", "is too large"});
  const std::string depthwise = dir.write("d.csv", kHeader + "C_DP, 8, 8, 3, 3, 16777216, 16777216, 1,\n");
  expect_refused("models show " + depthwise, {depthwise + ":2:"});
}

TEST(InputContract, ChipValuesBeyondTheirRangeAreRefusedWhateverTheFormat) {
  TempDir dir;
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"latency: 100 cycles", "latency: 1e19 cycles", ":4: dram.latency: 1e+19 cycles is out of range"},
      {"latency: 100 cycles", "latency: 1e300 s", ":4: dram.latency: an infinite value"},
      {"clock: 1 GHz", "clock: 1e305 GHz", ":2: clock: '1e305 GHz' is too large to represent"},
      {"clock: 1 GHz", "clock: 99999999999999999999 GHz", ":2: clock: 1e+29 Hz is out of range"},
      {"burst: 64 B", "burst: 64.9 B", ":4: dram.burst: '64.9 B' must be a whole number of bytes"},
      {"ifmap: {capacity: 64 KiB}", "ifmap: {capacity: 1.5 B}", ":11: sub_accelerators[0].buffers.ifmap.capacity"},
      {"{rows: 16, cols: 16}", "{rows: 100000, cols: 16}", ":9: sub_accelerators[0].pe_array.rows: 100000 PEs is out"},
      {"{rows: 16, cols: 16}", "{rows: 65536, cols: 65536}", ":9: sub_accelerators[0].pe_array: 65536x65536"},
      {"ifmap: {capacity: 64 KiB}", "ifmap: {capacity: 1 TiB}", ":11: sub_accelerators[0].buffers.ifmap.capacity"},
      {"ifmap: {capacity: 64 KiB}", "ifmap: {capacity: 64 KiB, banks: 2000}", ":11: sub_accelerators[0].buffers.ifmap.banks"},
      {"bandwidth: 16 GB/s", "bandwidth: 1e-300 GB/s", ":4: dram.bandwidth"},
  };
  expect_each_refused(dir, "chip.yaml", kChip, cases, "estimate --hw ", " --model resnet20");
  // The technology table: energies that become infinite, or absurd.
  const std::string technology =
      replaced(testing::slurp(testing::source_path("configs/technology/default-45nm.yaml")), "energy_per_byte: 64 pJ",
               "energy_per_byte: 1e305 uJ");
  dir.write("tech.yaml", technology);
  const std::string chip = dir.write("tchip.yaml", replaced(kChip, "technology: built-in", "technology: tech.yaml"));
  expect_refused("estimate --hw " + chip + " --model resnet20", {"tech.yaml:", "energy_per_byte", "too large"});
  // The same limits hold for a SCALE-Sim .cfg.
  const std::string cfg = testing::scalesim_cfg(32, 32, "ws");
  const std::vector<std::tuple<std::string, std::string, std::string>> cfg_cases = {
      {"ArrayHeight: 32", "ArrayHeight: 100000", ":4: architecture_presets.ArrayHeight: 100000 PEs is out of range"},
      {"IfmapSramSzkB: 64", "IfmapSramSzkB: 10000000000000000", ":6: architecture_presets.IfmapSramSzkB: at most"},
      {"IfmapSramSzkB: 64", "IfmapSramSzkB: 99999999999999999999", ":6: architecture_presets.IfmapSramSzkB: "
                                                                   "'99999999999999999999' is too large"},
      {"MemoryBanks: 1", "MemoryBanks: 1000000000000", ":14: architecture_presets.MemoryBanks: at most 1024 banks"},
      {"MemoryBanks: 1", "MemoryBanks: 3", ":14: architecture_presets.MemoryBanks: 3 banks must divide"},
  };
  expect_each_refused(dir, "s.cfg", cfg, cfg_cases, "hw show --scalesim-config ");
}

// --- Duplicates, documents, fractions, headers -------------------------------

TEST(InputContract, DuplicateKeysNameBothLines) {
  TempDir dir;
  const std::string chip =
      dir.write("chip.yaml", kChip + "dram: {bandwidth: 8 GB/s, latency: 100 cycles, burst: 64 B}\n");
  expect_refused("hw show " + chip, {chip + ":12: dram: duplicate key; first given on line 4"});
  const std::string net = dir.write("net.yaml", replaced(kNetwork, "K: 10}", "K: 10, K: 12}"));
  expect_refused("models show " + net, {net + ":4: layers[1].K: duplicate key; first given on line 4"});
  const std::string cfg =
      dir.write("s.cfg", replaced(testing::scalesim_cfg(32, 32, "ws"), "ArrayWidth: 32", "ArrayWidth: 32\narrayheight: 8"));
  expect_refused("hw show --scalesim-config " + cfg,
                 {cfg + ":6: architecture_presets.arrayheight: duplicate key; first given on line 4"});
}

TEST(InputContract, OnlyOneYamlDocumentPerFile) {
  TempDir dir;
  const std::string broken = dir.write("chip.yaml", kChip + "---\nname: [unclosed\n");
  expect_refused("hw show " + broken, {broken + ":", "YAML syntax error"});
  const std::string second = dir.write("chip2.yaml", kChip + "---\nname: other\n");
  expect_refused("hw show " + second, {second + ":12:", "a second YAML document"});
  // yaml-cpp's LoadAll never returns on a stray ',' at the start (found by fuzzing).
  for (const char* stray : {", su", ",!onakic :", ","}) {
    const std::string path = dir.write("stray.yaml", stray);
    expect_refused("hw show " + path, {path + ":1: YAML syntax error"});
  }
  // A leading '---' and a closing '...' are one document.
  const std::string framed = dir.write("chip3.yaml", "---\n" + kChip + "...\n");
  EXPECT_EQ(run_nasaic("hw show " + framed).exit_code, 0);
}

TEST(InputContract, UnitErrorsNameTheKindExpected) {
  TempDir dir;
  const std::vector<std::tuple<std::string, std::string, std::string>> cases = {
      {"clock: 1 GHz", "clock: 1 GB", "is a size; expected a frequency such as '1 GHz'"},
      {"latency: 100 cycles", "latency: 100 GHz", "expected a time or a cycle count such as '100 ns' or '100 cycles'"},
      {"bandwidth: 16 GB/s", "bandwidth: 16 GB", "expected a bandwidth or a bandwidth per cycle such as '25.6 GB/s'"},
      {"capacity: 64 KiB}, filter", "capacity: 64 ns}, filter", "expected a size such as '64 KiB'"},
      {"link_width: 32 B/cycle", "link_width: 32", "has no unit; expected a bandwidth per cycle such as '16 B/cycle'"},
  };
  for (const auto& [from, to, fragment] : cases) {
    SCOPED_TRACE(to);
    const std::string chip = dir.write("chip.yaml", replaced(kChip, from, to));
    expect_refused("hw show " + chip, {chip + ":", fragment});
  }
}

TEST(InputContract, TopologyHeadersAreCheckedByName) {
  TempDir dir;
  const std::string swapped = dir.write(
      "s.csv", "Layer name, IFMAP Height, IFMAP Width, Channels, Filter Width, Filter Height, Num Filter, Strides,\n"
               "C, 8, 8, 3, 3, 3, 4, 1,\n");
  expect_refused("models show " + swapped, {swapped + ":1: header: column 4 is 'Channels', expected 'Filter Height'"});
  const std::string renamed = dir.write("r.csv", "Layer, M, K, N,\nG, 4, 8, 16,\n");
  expect_refused("models show " + renamed, {renamed + ":1: header: column 3 is 'K', expected 'N'"});
  // Case and spacing are SCALE-Sim's own variations, and accepted.
  const std::string loose = dir.write("l.csv", "layer  NAME,ifmap height,IFMAP Width,Filter Height,Filter Width,"
                                               "Channels,Num Filter,Strides,\nC,8,8,3,3,3,4,1,\n");
  EXPECT_EQ(run_nasaic("models show " + loose).exit_code, 0);
}

TEST(InputContract, TopologyRowsAreReadAsScalesimReadsThem) {
  TempDir dir;
  // SCALE-Sim drops whatever follows a row's last comma: a comment there is legal.
  const std::string commented = dir.write("c.csv", kHeader + "C1, 8, 8, 3, 3, 3, 4, 1, first layer\n"
                                                             "C2, 6, 6, 3, 3, 4, 4, 1,   # the second\n");
  const auto shown = run_nasaic("models show " + commented + " --format json");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  const auto json = nlohmann::json::parse(shown.out);
  ASSERT_EQ(json["layers"].size(), 2u);
  EXPECT_EQ(json["layers"][1]["stride_h"], 1);
  // A row without its trailing comma loses its last value in SCALE-Sim.
  const std::string unterminated = dir.write("u.csv", kHeader + "C1, 8, 8, 3, 3, 3, 4, 1\n");
  expect_refused("models show " + unterminated,
                 {unterminated + ":2: row: expected 8 or 9 fields, got 7 before the last comma", "end every row with a comma"});
}

// --- Messages ----------------------------------------------------------------

TEST(InputContract, TechnologyThatIsAFolderNamesTheChipKey) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", replaced(kChip, "technology: built-in", "technology: ."));
  expect_refused("hw show " + chip, {chip + ":3: technology:", "is not a file"});
  const std::string missing = dir.write("chip2.yaml", replaced(kChip, "technology: built-in", "technology: none.yaml"));
  expect_refused("hw show " + missing, {missing + ":3: technology:", "does not exist"});
}

TEST(InputContract, ExitStatusesMeanTheSameInEveryCommand) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", kChip);
  const std::string net = dir.write("n.yaml", "name: a\nlayers:\n  - {name: fc0, type: fc, C: 64, K: 64}\n"
                                              "  - {name: fc1, type: fc, C: 64, K: 64}\n");
  const std::string deadlock = dir.write("d.yaml", "schedule:\n  - {sub_accelerator: a, layers: [a:fc1, a:fc0]}\n");
  const auto estimate = run_nasaic("estimate --hw " + chip + " --model " + net + " --schedule " + deadlock);
  EXPECT_EQ(estimate.exit_code, 3) << estimate.err;
  EXPECT_EQ(count_lines(estimate.err), 1u) << estimate.err;
  EXPECT_NE(estimate.err.find("deadlocks"), std::string::npos) << estimate.err;
  const auto simulate =
      run_nasaic("simulate --hw " + chip + " --model " + net + " --schedule " + deadlock + " --quiet --watchdog 1000");
  EXPECT_EQ(simulate.exit_code, 3) << simulate.err;
  for (const char* command : {"", "models show", "models import", "hw show", "estimate", "simulate", "calibrate",
                              "validate"}) {
    SCOPED_TRACE(command);
    const auto help = run_nasaic(std::string(command) + " --help");
    EXPECT_NE(help.out.find("Exit status: 0 done; 2 bad input"), std::string::npos);
    EXPECT_NE(help.out.find("3 the workload cannot complete"), std::string::npos);
    EXPECT_NE(help.out.find("70 internal error"), std::string::npos);
  }
}

// --- Valid input read rightly; files that read back ---------------------------

TEST(InputContract, NumericLookingNamesStayStrings) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", replaced(replaced(kChip, "name: c\n", "name: 0x10\n"), "name: a\n",
                                                           "name: '007'\n"));
  const auto json = run_nasaic("hw show " + chip + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["name"], "0x10");
  EXPECT_EQ(parsed["sub_accelerators"][0]["name"], "007");
  const auto yaml = run_nasaic("hw show " + chip);
  EXPECT_NE(yaml.out.find("name: \"0x10\""), std::string::npos) << yaml.out;
  EXPECT_NE(yaml.out.find("name: \"007\""), std::string::npos) << yaml.out;
  const std::string net = dir.write("net.yaml", replaced(kNetwork, "name: n", "name: 007"));
  const auto network = nlohmann::json::parse(run_nasaic("models show " + net + " --format json").out);
  EXPECT_EQ(network["name"], "007");
}

TEST(InputContract, HwShowOutputReloadsToTheSameChip) {
  TempDir dir;
  // The shipped chips name their technology relative to themselves: keep the
  // same layout.
  dir.write("technology/default-45nm.yaml", testing::slurp(testing::source_path("configs/technology/default-45nm.yaml")));
  for (const char* name : {"hetero-2", "hetero-3", "scalesim-32x32"}) {
    SCOPED_TRACE(name);
    const std::string original = testing::source_path(std::string("configs/chips/") + name + ".yaml");
    const auto first = run_nasaic("hw show " + original);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const std::string copy = dir.write(std::string("chips/") + name + ".yaml", first.out);
    const auto second = run_nasaic("hw show " + copy);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(second.out, first.out);
    EXPECT_EQ(run_nasaic("hw show " + copy + " --format json").out,
              run_nasaic("hw show " + original + " --format json").out);
  }
  const std::string cfg = dir.write("s.cfg", testing::scalesim_cfg(12, 14, "os", 108));
  const auto from_cfg = run_nasaic("hw show --scalesim-config " + cfg);
  ASSERT_EQ(from_cfg.exit_code, 0) << from_cfg.err;
  const std::string copy = dir.write("from-cfg.yaml", from_cfg.out);
  const auto again = run_nasaic("hw show " + copy);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, from_cfg.out);
}

TEST(InputContract, WrittenNetworksAndSchedulesReadBack) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", kChip + replaced(replaced(kChip.substr(kChip.find("  - name")),
                                                                           "name: a", "name: b"),
                                                                  "nvdla", "shidiannao"));
  // Names with ':', '#', quotes and numbers: everything YAML treats specially.
  const std::string net = dir.write(
      "net.yaml", "name: 'pnet:v2 #1'\nlayers:\n"
                  "  - {name: '007', type: conv, C: 3, H: 8, W: 8, K: 4, R: 3, S: 3, padding: 1}\n"
                  "  - {name: 'a: b', type: conv, C: 4, H: 8, W: 8, K: 4, R: 3, S: 3, padding: 1, inputs: ['007']}\n"
                  "  - {name: 'yes', type: add, C: 4, H: 8, W: 8, inputs: ['007', 'a: b']}\n");
  const std::string out = (dir.path() / "est").string();
  const auto estimate = run_nasaic("estimate --hw " + chip + " --model " + net + " --out " + out + " --format json");
  ASSERT_EQ(estimate.exit_code, 0) << estimate.err;
  const auto again = run_nasaic("estimate --hw " + chip + " --model " + net + " --schedule " + out +
                                "/schedule.yaml --format json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["makespan_cycles"], nlohmann::json::parse(estimate.out)["makespan_cycles"]);

  const std::string sim_out = (dir.path() / "sim").string();
  const auto simulated = run_nasaic("simulate --hw " + chip + " --model " + net + " --quiet --out " + sim_out);
  ASSERT_EQ(simulated.exit_code, 0) << simulated.err;
  EXPECT_EQ(run_nasaic("simulate --hw " + chip + " --model " + net + " --quiet --schedule " + sim_out + "/schedule.yaml")
                .exit_code,
            0);

  // models show --format yaml and import --out write files that load as the same network.
  const auto yaml = run_nasaic("models show " + net + " --format yaml");
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  const std::string written = dir.write("written.yaml", yaml.out);
  EXPECT_EQ(run_nasaic("models show " + written + " --format csv").out, run_nasaic("models show " + net + " --format csv").out);
  EXPECT_EQ(run_nasaic("models show " + written + " --format yaml").out, yaml.out);
  const std::string csv = dir.write("Resnet18.csv", testing::kResnet18Topology);
  const std::string imported = (dir.path() / "r18.yaml").string();
  ASSERT_EQ(run_nasaic("models import " + csv + " --out " + imported).exit_code, 0);
  EXPECT_EQ(run_nasaic("models show " + imported + " --format csv").out, run_nasaic("models show " + csv + " --format csv").out);
  // The SCALE-Sim export reads back, and refuses names it cannot hold.
  const auto exported = run_nasaic("models show " + imported + " --format scalesim");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string topology = dir.write("exported.csv", exported.out);
  EXPECT_EQ(run_nasaic("models show " + topology + " --format json").exit_code, 0);
  const std::string comma = dir.write("comma.yaml", replaced(kNetwork, "name: c1", "name: 'c,1'"));
  expect_refused("models show " + comma + " --format scalesim", {"c,1", "SCALE-Sim topology cannot hold"});
}

TEST(InputContract, QuirkyButValidFilesAreAccepted) {
  TempDir dir;
  // CRLF line ends, a byte-order mark, comments, flow and block style mixed,
  // quoted numbers-as-names, a document marker.
  std::string crlf;
  for (char ch : "\xEF\xBB\xBF---\n# a chip\n" + kChip) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  const std::string chip = dir.write("crlf.yaml", crlf);
  const auto shown = run_nasaic("hw show " + chip);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, run_nasaic("hw show " + dir.write("plain.yaml", kChip)).out);
  // A .cfg with '=' and ':' separators, comments, blank lines and any case.
  const std::string cfg = dir.write(
      "s.cfg", "; SCALE-Sim config\n[general]\nrun_name = \"quirky\"\n\n[ARCHITECTURE_PRESETS]\n# array\narrayheight = 8\n"
               "ArrayWidth: 8\nIfmapSramSzkB: 64\nFilterSramSzkB = 64\nOfmapSramSzkB: 64\nIfmapOffset: 0\n"
               "FilterOffset: 10000000\nOfmapOffset: 20000000\nDataflow: OS\nBandwidth: 10\n[run_presets]\n"
               "InterfaceBandwidth: calc\n");
  const auto from_cfg = run_nasaic("hw show --scalesim-config " + cfg + " --format json");
  ASSERT_EQ(from_cfg.exit_code, 0) << from_cfg.err;
  EXPECT_EQ(nlohmann::json::parse(from_cfg.out)["sub_accelerators"][0]["dataflow"], "systolic-os");
  // A topology with a BOM, CRLF, blank lines, padded fields and no final newline.
  const std::string csv = dir.write("q.csv", "\xEF\xBB\xBF" + replaced(kHeader, "\n", "\r\n") +
                                                 "\r\n  C1 , 8 ,8, 3,3 ,3, 4 , 1 ,\r\n\r\nC2,6,6,3,3,4,4,1,");
  const auto topology = run_nasaic("models show " + csv + " --format json");
  ASSERT_EQ(topology.exit_code, 0) << topology.err;
  EXPECT_EQ(nlohmann::json::parse(topology.out)["layers"].size(), 2u);
}

}  // namespace
}  // namespace nasaic
