// The checked JSON reader: every refusal names the file, the line and the key
// path, and nothing nlohmann would throw, assert or recurse on gets through.
#include "common/json_input.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "common/error.hpp"
#include "common/table.hpp"

namespace nasaic {
namespace {

// The error parse_json or `read` raises, or a failure if there is none.
template <class F>
InputError error_of(F&& read) {
  try {
    read();
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError";
  return InputError("none");
}

InputError parse_error(const std::string& text, int first_line = 1) {
  return error_of([&] { parse_json(text, "in.json", first_line); });
}

TEST(JsonInput, MissingKeyNamesTheKeyPathAndTheLine) {
  const JsonValue root = parse_json("{\n  \"splits\": {\n    \"training\": 3\n  }\n}\n", "c.json");
  const InputError e = error_of([&] { root.at("splits").at("holdout_indices"); });
  EXPECT_EQ(e.file(), "c.json");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.key(), "splits.holdout_indices");
  EXPECT_NE(e.message().find("missing"), std::string::npos) << e.message();
  EXPECT_TRUE(root.at("splits").has("training"));
  EXPECT_FALSE(root.at("splits").find("holdout_indices").has_value());
}

TEST(JsonInput, WrongTypesAreRefusedWithWhatWasFound) {
  const JsonValue root = parse_json(R"({"splits": {"holdout_indices": [0, 1, 2, "3"]}, "points": 5})", "c.json", 4);
  const auto indices = root.at("splits").at("holdout_indices").elements();
  ASSERT_EQ(indices.size(), 4u);
  EXPECT_EQ(indices[2].as_int(0, 10), 2);
  InputError e = error_of([&] { indices[3].as_int(0, 10); });
  EXPECT_EQ(e.line(), 4);
  EXPECT_EQ(e.key(), "splits.holdout_indices[3]");
  EXPECT_NE(e.message().find("the string '3'"), std::string::npos) << e.message();
  e = error_of([&] { root.at("points").elements(); });
  EXPECT_EQ(e.key(), "points");
  EXPECT_NE(e.message().find("expected an array, got a number (5)"), std::string::npos) << e.message();
  e = error_of([&] { root.at("splits").as_string(); });
  EXPECT_NE(e.message().find("expected a string, got an object"), std::string::npos) << e.message();
  e = error_of([&] { root.at("splits").at("holdout_indices").elements(3); });
  EXPECT_NE(e.message().find("expected 3 elements, got 4"), std::string::npos) << e.message();
  e = error_of([&] { parse_json("true", "b.json").as_number(); });
  EXPECT_NE(e.message().find("expected a number, got a boolean"), std::string::npos) << e.message();
}

TEST(JsonInput, IntegersMustBeWholeAndInRange) {
  const JsonValue root =
      parse_json(R"({"a": 3.0, "b": 2.5, "c": -1, "d": 18446744073709551615, "e": 1e30, "f": 7})", "i.json");
  EXPECT_EQ(root.at("a").as_int(0, 10), 3);
  EXPECT_EQ(root.at("f").as_int(7, 7), 7);
  EXPECT_NE(error_of([&] { root.at("b").as_int(0, 10); }).message().find("whole number, got 2.5"), std::string::npos);
  EXPECT_NE(error_of([&] { root.at("c").as_int(0, 10); }).message().find("[0, 10], got -1"), std::string::npos);
  // nlohmann reads 7 as unsigned: the lower bound holds for it too.
  EXPECT_NE(error_of([&] { root.at("f").as_int(8, 10); }).message().find("[8, 10], got 7"), std::string::npos);
  EXPECT_NE(error_of([&] { root.at("d").as_int(0, 10); }).message().find("[0, 10]"), std::string::npos);
  EXPECT_NE(error_of([&] { root.at("e").as_int(0, INT64_MAX); }).message().find("got 1e+30"), std::string::npos);
}

TEST(JsonInput, NumbersMustBeFiniteAndInTheirRange) {
  const JsonValue root = parse_json(R"({"dram_efficiency": -1, "overlap": 1, "x": 0})", "p.json");
  const InputError e = error_of([&] { root.at("dram_efficiency").as_number(NumberRange::above(0, 2)); });
  EXPECT_EQ(e.key(), "dram_efficiency");
  EXPECT_NE(e.message().find("must be in (0, 2], got -1"), std::string::npos) << e.message();
  EXPECT_EQ(root.at("overlap").as_number(NumberRange::closed(0, 1)), 1.0);
  EXPECT_THROW(root.at("x").as_number(NumberRange::above(0, 2)), InputError);
  EXPECT_EQ(root.at("x").as_number(NumberRange::closed(0, 2)), 0.0);

  // Beyond double range, nlohmann stops parsing; the error names the value's key.
  const InputError overflow = parse_error("{\"a\": {\"b\": [1, 1e400]}}", 9);
  EXPECT_EQ(overflow.file(), "in.json");
  EXPECT_EQ(overflow.line(), 9);
  EXPECT_EQ(overflow.key(), "a.b[1]");
  EXPECT_NE(overflow.message().find("1e400 is beyond the range of a double"), std::string::npos) << overflow.message();
}

TEST(JsonInput, DuplicateKeysAreRefusedByName) {
  const InputError e = parse_error("{\"a\": 1,\n \"splits\": {\"b\": [{\"c\": 1, \"c\": 2}]}}");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.key(), "splits.b[0].c");
  EXPECT_NE(e.message().find("duplicate key"), std::string::npos) << e.message();
  // The same key in two objects is fine.
  EXPECT_NO_THROW(parse_json(R"([{"c": 1}, {"c": 2}])", "ok.json"));
}

TEST(JsonInput, NestingIsBoundedBeforeItCanOverflowTheStack) {
  const auto nested = [](int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
  };
  EXPECT_NO_THROW(parse_json(nested(kMaxJsonDepth), "deep.json"));
  const InputError e = parse_error(nested(kMaxJsonDepth + 1));
  EXPECT_NE(e.message().find("nested deeper than 64 levels"), std::string::npos) << e.message();
  // A 100,000-deep document (unterminated, as a fuzzer would write it) is refused, not recursed into.
  const InputError deep = parse_error(std::string(100000, '['));
  EXPECT_NE(deep.message().find("nested deeper"), std::string::npos) << deep.message();
  EXPECT_NE(parse_error(std::string(100000, '[') + std::string(100000, ']')).message().find("nested deeper"),
            std::string::npos);
}

TEST(JsonInput, SyntaxErrorsNameTheLineAndColumn) {
  InputError e = parse_error("{\n  \"a\": 1,\n  \"b\": tru\n}\n");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.key(), "b");
  EXPECT_NE(e.message().find("JSON syntax error at column"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("invalid literal"), std::string::npos) << e.message();
  // A row of a JSON-lines file reports the row's line.
  e = parse_error("{\"a\": 1,}", 12);
  EXPECT_EQ(e.line(), 12);
  EXPECT_NE(e.message().find("column 9"), std::string::npos) << e.message();
  EXPECT_NE(parse_error("").message().find("syntax error"), std::string::npos);
  EXPECT_NE(parse_error("{} {}").message().find("syntax error"), std::string::npos);
}

TEST(JsonInput, EachValueKnowsItsLine) {
  const JsonValue root =
      parse_json("{\n  \"a\": 1,\n  \"b\": [\n    10,\n    20\n  ],\n  \"c\":\n    \"x\"\n}\n", "lines.json");
  EXPECT_EQ(root.line(), 1);
  EXPECT_EQ(root.at("a").line(), 2);
  EXPECT_EQ(root.at("b").line(), 3);
  EXPECT_EQ(root.at("b").elements()[0].line(), 4);
  // A number is only known to end when the newline after it has been read.
  EXPECT_EQ(root.at("b").elements()[1].line(), 5);
  EXPECT_EQ(root.at("c").line(), 7);  // a member is where its key is
  EXPECT_EQ(root.at("b").elements()[1].path(), "b[1]");
  // Lines mean nothing in a child's output.
  EXPECT_EQ(parse_json("{\n\"a\": 1}", "child", 0).at("a").line(), 0);
}

TEST(JsonInput, UnknownKeysAreNamed) {
  const JsonValue root = parse_json("{\"parameters\": {},\n \"paramters\": {}}", "p.json");
  const InputError e = error_of([&] { root.expect_keys({"parameters", "splits"}); });
  EXPECT_EQ(e.key(), "paramters");
  EXPECT_EQ(e.line(), 2);
  EXPECT_NE(e.message().find("known: parameters, splits"), std::string::npos) << e.message();
}

TEST(JsonInput, TextThatIsNotUtf8NeverReachesDumpAsAnException) {
  // The parser refuses it in input...
  EXPECT_NE(parse_error("{\"name\": \"a\xff\"}").message().find("UTF-8"), std::string::npos);
  // ...and text from elsewhere (a child's stderr, a path) is dumped with a replacement.
  nlohmann::ordered_json record = {{"failure", std::string("bad \xc3 byte")}};
  std::string dumped;
  ASSERT_NO_THROW(dumped = dump_json(record));
  EXPECT_NE(dumped.find("\xef\xbf\xbd"), std::string::npos) << dumped;
  EXPECT_EQ(dump_json({{"a", 1}}, 2), "{\n  \"a\": 1\n}");
}

TEST(JsonOutput, NonFiniteFiguresAreOurBugNotNull) {
  nlohmann::ordered_json json = {{"makespan_cycles", 10.0}, {"layers", {{{"energy_pJ", 1.5}}}}};
  EXPECT_EQ(dump_json(json), R"({"makespan_cycles":10.0,"layers":[{"energy_pJ":1.5}]})");
  json["layers"][0]["energy_pJ"] = std::numeric_limits<double>::infinity();
  try {
    dump_json(json);
    FAIL() << "printed an infinite figure";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("layers[0].energy_pJ"), std::string::npos) << e.what();
  }
  Table table;
  table.columns = {"cycles"};
  table.add_row({std::nan("")});
  EXPECT_THROW(table.to_csv(), std::logic_error);
  EXPECT_THROW(table.to_json(), std::logic_error);
}

}  // namespace
}  // namespace nasaic
