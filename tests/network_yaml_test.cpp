#include <gtest/gtest.h>

#include "common/error.hpp"
#include "models/network_yaml.hpp"
#include "models/zoo.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

TEST(NetworkYaml, EveryZooModelRoundTrips) {
  for (const auto& entry : zoo_entries()) {
    SCOPED_TRACE(entry.name);
    const Network original = zoo_model(entry.name);
    const std::string yaml = network_to_yaml(original);
    const Network loaded = parse_network_yaml(ConfigNode::load_string(yaml, entry.name + ".yaml"));
    ASSERT_EQ(loaded.size(), original.size());
    EXPECT_EQ(loaded.total_macs(), original.total_macs());
    for (std::size_t i = 0; i < original.size(); ++i) {
      const Layer& a = original.layer(i);
      const Layer& b = loaded.layer(i);
      EXPECT_EQ(a.name, b.name);
      EXPECT_EQ(a.type, b.type);
      EXPECT_EQ(a.inputs, b.inputs);
      EXPECT_EQ(a.output_shape(), b.output_shape()) << a.name;
      EXPECT_EQ(a.padding, b.padding) << a.name;
      EXPECT_EQ(a.groups, b.groups) << a.name;
    }
    EXPECT_EQ(network_to_yaml(loaded), yaml);
  }
}

TEST(NetworkYaml, TheShippedExampleLoads) {
  const Network net = load_network_yaml(testing::source_path("configs/models/tiny-resnet.yaml"));
  EXPECT_EQ(net.name(), "tiny-resnet");
  EXPECT_EQ(net.task(), "cifar10");
  EXPECT_EQ(net.size(), 6u);
  EXPECT_EQ(net.layer(1).inputs, std::vector<std::string>{"stem"});  // omitted inputs: previous layer
  EXPECT_TRUE(net.layer(0).inputs.empty());
}

TEST(NetworkYaml, GemmUsesMNK) {
  const Network net = parse_network_yaml(ConfigNode::load_string(
      "name: g\nlayers:\n  - {name: mm, type: gemm, M: 128, N: 64, K: 256}\n", "g.yaml"));
  EXPECT_EQ(net.layer(0).gemm_M(), 128);
  EXPECT_EQ(net.layer(0).gemm_N(), 64);
  EXPECT_EQ(net.layer(0).gemm_K(), 256);
  EXPECT_EQ(net.task(), "g");
}

void expect_error(const std::string& yaml, int line, const std::string& key, const std::string& fragment) {
  try {
    parse_network_yaml(ConfigNode::load_string(yaml, "net.yaml"));
    FAIL() << "accepted:\n" << yaml;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "net.yaml");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
  }
}

const std::string kHead = "name: n\nlayers:\n";

TEST(NetworkYaml, ReportsBadLayersWithLineAndKey) {
  expect_error(kHead + "  - {name: a, type: conv, C: 3, H: 8, W: 8, K: 4, R: 3, S: 3, colour: red}\n", 3,
               "layers[0].colour", "unknown key");
  expect_error(kHead + "  - {name: a, type: conv, C: 3, H: 8, W: 8, K: 4, R: 9, S: 3}\n", 3, "layers[0].R",
               "larger than the padded input");
  expect_error(kHead + "  - {name: a, type: conv, C: 0, H: 8, W: 8, K: 4, R: 3, S: 3}\n", 3, "layers[0].C",
               "out of range");
  expect_error(kHead + "  - {name: a, type: conv, C: three, H: 8, W: 8, K: 4, R: 3, S: 3}\n", 3, "layers[0].C",
               "is not an integer");
  expect_error(kHead + "  - {name: a, type: deconv, C: 3, H: 8, W: 8, K: 4, R: 3, S: 3}\n", 3, "layers[0].type",
               "unknown layer type");
  expect_error(kHead + "  - {name: a, type: conv, H: 8, W: 8, K: 4, R: 3, S: 3}\n", 3, "layers[0].C",
               "missing required key");
}

TEST(NetworkYaml, ReportsGraphErrorsAtTheLayer) {
  const std::string layer = ", type: conv, C: 4, H: 8, W: 8, K: 4, R: 3, S: 3, padding: 1";
  expect_error(kHead + "  - {name: a" + layer + ", inputs: [c]}\n  - {name: b" + layer + "}\n  - {name: c" + layer +
                   "}\n",
               3, "layers[0].inputs", "cycle");
  expect_error(kHead + "  - {name: a" + layer + "}\n  - {name: b" + layer + ", inputs: [ghost]}\n", 4,
               "layers[1].inputs", "unknown input 'ghost'");
  expect_error(kHead + "  - {name: a" + layer + "}\n  - {name: b, type: conv, C: 5, H: 8, W: 8, K: 4, R: 3, S: 3}\n",
               4, "layers[1].C", "differs from what its inputs produce");
  expect_error(kHead + "  - {name: a" + layer + "}\n  - {name: a" + layer + "}\n", 4, "layers[1].name",
               "duplicate layer name");
}

TEST(NetworkYaml, ModelArgumentAcceptsZooNamesCsvAndYaml) {
  testing::TempDir dir;
  EXPECT_EQ(load_model("resnet18").name(), "resnet18");
  const std::string csv = dir.write("t.csv", "Layer, M, N, K,\nG, 4, 4, 4,\n");
  EXPECT_EQ(load_model(csv).size(), 1u);
  const std::string yaml = dir.write("t.yaml", network_to_yaml(zoo_model("resnet20")));
  EXPECT_EQ(load_model(yaml).name(), "resnet20");
  EXPECT_THROW(load_model("resnet-eighteen"), InputError);
  EXPECT_THROW(load_model(dir.write("t.txt", "x")), InputError);
  EXPECT_THROW(load_model((dir.path() / "missing.yaml").string()), InputError);
}

}  // namespace
}  // namespace nasaic
