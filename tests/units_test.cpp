#include <gtest/gtest.h>

#include "common/config_node.hpp"
#include "common/error.hpp"
#include "common/table.hpp"
#include "common/units.hpp"

namespace nasaic {
namespace {

TEST(Units, ParsesEachKindIntoBaseUnits) {
  EXPECT_DOUBLE_EQ(parse_quantity("64 KiB", {UnitKind::bytes}).value, 65536);
  EXPECT_DOUBLE_EQ(parse_quantity("64kB", {UnitKind::bytes}).value, 64000);
  EXPECT_DOUBLE_EQ(parse_quantity("25.6 GB/s", {UnitKind::bandwidth}).value, 25.6e9);
  EXPECT_DOUBLE_EQ(parse_quantity("800 MHz", {UnitKind::frequency}).value, 800e6);
  EXPECT_DOUBLE_EQ(parse_quantity("100 ns", {UnitKind::time}).value, 100e-9);
  EXPECT_DOUBLE_EQ(parse_quantity("0.3 pJ", {UnitKind::energy}).value, 0.3);
  EXPECT_DOUBLE_EQ(parse_quantity("1.5 mm2", {UnitKind::area}).value, 1.5e6);
  EXPECT_DOUBLE_EQ(parse_quantity("278 mW", {UnitKind::power}).value, 0.278);
  const Quantity per_cycle = parse_quantity("16 B/cycle", {UnitKind::bandwidth, UnitKind::bandwidth_per_cycle});
  EXPECT_EQ(per_cycle.kind, UnitKind::bandwidth_per_cycle);
  EXPECT_DOUBLE_EQ(per_cycle.value, 16);
}

TEST(Units, RejectsMissingWrongAmbiguousAndUnknownUnits) {
  EXPECT_THROW(parse_quantity("64", {UnitKind::bytes}), InputError);
  EXPECT_THROW(parse_quantity("1 GHz", {UnitKind::bytes}), InputError);
  EXPECT_THROW(parse_quantity("64 KB", {UnitKind::bytes}), InputError);
  EXPECT_THROW(parse_quantity("64 furlongs", {UnitKind::bytes}), InputError);
  EXPECT_THROW(parse_quantity("278 pJ", {UnitKind::power}), InputError);
  EXPECT_THROW(parse_quantity("lots KiB", {UnitKind::bytes}), InputError);
  try {
    parse_quantity("1000", {UnitKind::frequency});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("has no unit"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("MHz"), std::string::npos) << e.what();
  }
}

TEST(Units, FormatsBytesWithExactBinaryPrefixes) {
  EXPECT_EQ(format_bytes(65536), "64 KiB");
  EXPECT_EQ(format_bytes(3 * 1024 * 1024), "3 MiB");
  EXPECT_EQ(format_bytes(1000), "1000 B");
}

TEST(ConfigNode, ErrorsNameFileLineAndKeyPath) {
  const ConfigNode root = ConfigNode::load_string("a:\n  b: 3\n  c: x\n", "test.yaml");
  const ConfigNode a = root.required("a");
  EXPECT_EQ(a.required("b").as_int(1), 3);
  try {
    a.required("c").as_int(0);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "test.yaml");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.key(), "a.c");
  }
  try {
    a.expect_map({"b"});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "a.c");
    EXPECT_EQ(e.line(), 3);
    EXPECT_NE(e.message().find("unknown key"), std::string::npos);
  }
  EXPECT_THROW(a.required("missing"), InputError);
}

TEST(ConfigNode, SyntaxErrorsCarryTheLine) {
  try {
    ConfigNode::load_string("a: 1\nb: [1, 2\n", "broken.yaml");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "broken.yaml");
    EXPECT_GT(e.line(), 0);
  }
}

TEST(InputError, KeepsToOneLineWhateverTheMessage) {
  const InputError error("f.csv", 2, "key", std::string("bad\nvalue\r\x01"));
  EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos);
  EXPECT_EQ(std::string(error.what()), "f.csv:2: key: bad?value??");
}

TEST(Table, RendersTextCsvAndJson) {
  Table table;
  table.columns = {"name", "count", "ratio"};
  table.add_row({std::string("a,b"), std::int64_t{3}, 0.5});
  EXPECT_EQ(table.to_csv(), "name,count,ratio\n\"a,b\",3,0.5\n");
  EXPECT_EQ(table.to_text(), "name  count  ratio\na,b       3    0.5\n");
  EXPECT_NE(table.to_json().find("\"count\": 3"), std::string::npos);
  EXPECT_THROW(parse_output_format("xml"), InputError);
}

}  // namespace
}  // namespace nasaic
