// Search-space TOML: genes, fixed genes, conditions, genome encode/decode, and error messages.
#include <doctest/doctest.h>

#include <string>

#include "common/config.h"
#include "nas/space.h"

using imc::common::ConfigNode;
using imc::common::InputError;
using namespace imc::nas;

namespace {

SearchSpace parse(const std::string& text) {
  return SearchSpace::from_config(ConfigNode::parse_string(text, "space.toml"));
}

// The message of the InputError thrown by parsing `text` ("" if none).
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const char* kSpace = R"(conditions = [
  "hardware.bits_per_cell <= network.weight_bits",
  "hardware.cols_per_adc <= hardware.xbar_cols",
  'hardware.cell != "sram"',
]
[network]
depth = { lo = 2, hi = 6 }
width = { lo = 16, hi = 64, step = 16 }
weight_bits = [2, 4, 8]
activation = ["relu", "gelu"]
[network.stem]
kernel = { values = [3, 5, 7], fixed = 5, doc = "first conv kernel" }
[hardware]
cell = ["rram", "pcm", "sram"]
bits_per_cell = [1, 2, 4]
xbar_cols = [64, 128]
cols_per_adc = [8, 64, 128]
voltage_v = [0.8, 0.9]
clock_mhz = 1000
)";

}  // namespace

TEST_CASE("space: genes, domains and fixed genes") {
  SearchSpace s = parse(kSpace);
  REQUIRE(s.size() == 11);
  CHECK(s.genes()[0].name == "network.depth");
  CHECK(s.genes()[0].values.size() == 5);
  CHECK(s.genes()[1].values.size() == 4);
  CHECK(s.genes()[1].values[3].to_string() == "64");
  CHECK(s.genes()[3].values[1].as_string() == "gelu");
  const Gene* k = s.find("network.stem.kernel");
  REQUIRE(k != nullptr);
  CHECK(k->fixed);
  CHECK(k->values.size() == 1);
  CHECK(k->values[0].to_string() == "5");
  CHECK(k->doc == "first conv kernel");
  CHECK(s.find("hardware.clock_mhz")->fixed);
  CHECK(s.find("hardware.voltage_v")->values[0].to_string() == "0.8");
  CHECK(s.genes()[0].line == 7);
  CHECK(s.free_genes() == 9);
  CHECK(s.cardinalities() == std::vector<std::size_t>{5, 4, 3, 2, 1, 3, 3, 2, 3, 2, 1});
  CHECK(s.conditions().size() == 3);
  CHECK(s.conditions()[1].line == 3);
}

TEST_CASE("space: encode, decode, key") {
  SearchSpace s = parse(kSpace);
  Genome g = {1, 3, 2, 0, 0, 1, 1, 1, 0, 1, 0};
  Decoded d = s.decode(g);
  CHECK(d.at("network.depth").to_string() == "3");
  CHECK(d.at("network.width").to_string() == "64");
  CHECK(d.at("hardware.cell").as_string() == "pcm");
  CHECK(d.at("hardware.clock_mhz").as_number() == 1000);
  CHECK(s.encode(d) == g);
  CHECK(
      s.key(g) ==
      "network.depth=3;network.width=64;network.weight_bits=8;network.activation=relu;network.stem.kernel=5;"
      "hardware.cell=pcm;hardware.bits_per_cell=2;hardware.xbar_cols=128;hardware.cols_per_adc=8;"
      "hardware.voltage_v=0.9;hardware.clock_mhz=1000");
  // Fixed genes may be left out; numbers match by value.
  d.erase("hardware.clock_mhz");
  d["network.weight_bits"] = GeneValue::number(8.0);
  CHECK(s.encode(d) == g);
  d["network.weight_bits"] = GeneValue::integer(3);
  CHECK_THROWS_WITH_AS(
      s.encode(d), doctest::Contains("gene 'network.weight_bits': value 3 is not allowed; allowed: 2, 4, 8"),
      InputError);
  d["network.weight_bits"] = GeneValue::integer(8);
  d["network.nope"] = GeneValue::integer(1);
  CHECK_THROWS_WITH_AS(s.encode(d), doctest::Contains("unknown gene 'network.nope'"), InputError);
  CHECK_THROWS_WITH_AS(s.validate({1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
                       doctest::Contains("gene 'network.width': index 4 is outside [0, 4)"), InputError);
  CHECK_THROWS_WITH_AS(s.validate({1, 2}), doctest::Contains("genome has 2 genes, the search space has 11"),
                       InputError);
}

TEST_CASE("space: conditions make genomes infeasible with a reason") {
  SearchSpace s = parse(kSpace);
  Genome ok = {1, 3, 2, 0, 0, 1, 1, 1, 0, 1, 0};  // bits 2 <= 8, adc 8 <= 128, pcm
  CHECK(s.check(ok).ok());
  CHECK(s.check(ok).reason.empty());
  Genome bad = ok;
  bad[2] = 0;  // weight_bits 2
  bad[6] = 2;  // bits_per_cell 4 > 2
  Feasibility f = s.check(bad);
  CHECK_FALSE(f.ok());
  CHECK(f.violation > 1.0);
  CHECK(f.violation < 2.0);
  CHECK(f.reason ==
        "condition 'hardware.bits_per_cell <= network.weight_bits' violated (hardware.bits_per_cell=4 <= "
        "network.weight_bits=2)");
  bad[5] = 2;  // sram
  bad[7] = 0;  // xbar 64
  bad[8] = 2;  // adc 128 > 64
  f = s.check(bad);
  CHECK(f.violation > 3.0);
  CHECK(f.reason.find("hardware.cell=sram != sram") != std::string::npos);
  CHECK(f.reason.find("hardware.cols_per_adc=128 <= hardware.xbar_cols=64") != std::string::npos);
  // A smaller gap gives a smaller violation (the optimizers follow it towards feasibility).
  SearchSpace t = parse("conditions = ['network.a <= 3']\n[network]\na = { lo = 1, hi = 10 }\n");
  CHECK(t.check({2}).ok());
  CHECK(t.check({3}).violation == doctest::Approx(1.0 + 1.0 / 7.0));
  CHECK(t.check({9}).violation == doctest::Approx(1.0 + 7.0 / 13.0));
}

TEST_CASE("space: condition parsing") {
  SearchSpace s = parse(kSpace);
  Condition c = parse_condition("hardware.xbar_cols>=64", s, "here");
  CHECK(c.op == CmpOp::kGe);
  CHECK(c.lhs.is_gene);
  CHECK_FALSE(c.rhs.is_gene);
  CHECK(c.rhs.literal.as_number() == 64);
  c = parse_condition("  8 > network.weight_bits ", s, "here");
  CHECK(c.op == CmpOp::kGt);
  CHECK(c.rhs.is_gene);
  CHECK(parse_condition("network.activation == 'relu'", s, "here").op == CmpOp::kEq);
  CHECK(parse_condition("hardware.voltage_v < 0.85", s, "here").op == CmpOp::kLt);
  CHECK(parse_condition("network.depth == network.weight_bits", s, "here").op == CmpOp::kEq);
  CHECK(parse_condition("network.depth != -1e3", s, "here").rhs.literal.as_number() == -1000);

  auto err = [&](const char* text) {
    try {
      parse_condition(text, s, "space.toml:2: key 'conditions[0]'");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(err("network.depth <=") ==
        "space.toml:2: key 'conditions[0]': cannot parse condition \"network.depth <=\": expected a gene "
        "name, a "
        "number or a quoted string after '<='");
  CHECK(err("network.dpth <= 3").find("unknown gene 'network.dpth'; genes declared so far: network.depth") !=
        std::string::npos);
  CHECK(err("network.depth 3").find("expected one of <= < >= > == != after the first operand") !=
        std::string::npos);
  CHECK(err("network.depth => 3").find("unexpected '=' at column 15") != std::string::npos);
  CHECK(err("network.depth <= 3 <= 4").find("unexpected '<='") != std::string::npos);
  CHECK(err("3 <= 4").find("must name at least one gene") != std::string::npos);
  CHECK(err("network.activation <= 'relu'").find("strings can only be compared with == or !=") !=
        std::string::npos);
  CHECK(err("network.activation == 3").find("compares a number with a string") != std::string::npos);
  CHECK(err("network.depth == 'x").find("unterminated string") != std::string::npos);
  CHECK(err("network.depth # 3").find("unexpected '#' at column 15") != std::string::npos);
  CHECK(err("").find("expected a gene name") != std::string::npos);
}

TEST_CASE("space: TOML errors name the file, line and gene") {
  CHECK(error_of("[network]\ndepth = { lo = 2, hi = 6, stp = 1 }\n") ==
        "space.toml:2: key 'network.depth.stp': unknown key; a gene table takes: values, lo, hi, step, "
        "fixed, doc");
  CHECK(error_of("[network]\nw = [1, \"a\"]\n") ==
        "space.toml:2: key 'network.w[1]': mixes numbers and strings; a gene's values are all numbers or all "
        "strings");
  CHECK(error_of("[network]\nw = []\n") ==
        "space.toml:2: key 'network.w': a gene needs at least one value; found an empty list");
  CHECK(error_of("[network]\nw = [1, 2, 1]\n") == "space.toml:2: key 'network.w[2]': value 1 appears twice");
  CHECK(error_of("[network]\nw = { lo = 1, hi = 8, step = 2 }\n") ==
        "space.toml:2: key 'network.w.hi': hi - lo (7) must be a multiple of step (2)");
  CHECK(error_of("[network]\nw = { lo = 8, hi = 1 }\n") ==
        "space.toml:2: key 'network.w.hi': hi (1) must be >= lo (8)");
  CHECK(error_of("[network]\nw = { lo = 1.5, hi = 8 }\n") ==
        "space.toml:2: key 'network.w.lo': a range takes integers (lo, hi, step); found float");
  CHECK(error_of("[network]\nw = { lo = 1, hi = 8, step = 0 }\n") ==
        "space.toml:2: key 'network.w.step': step must be a positive integer, found 0");
  CHECK(error_of("[network]\nw = { values = [1, 2], fixed = 3 }\n") ==
        "space.toml:2: key 'network.w.fixed': fixed value 3 is not in the gene's values [1, 2]");
  CHECK(error_of("[network]\nw = { values = [1, 2], lo = 1, hi = 2 }\n") ==
        "space.toml:2: key 'network.w': give either 'values' or a range ('lo', 'hi', 'step'), not both");
  CHECK(error_of("[network]\nw = { doc = \"x\" }\n") ==
        "space.toml:2: key 'network.w': a gene needs 'values', a range ('lo', 'hi'[, 'step']) or 'fixed'");
  CHECK(error_of("[network]\nw = true\n") ==
        "space.toml:2: key 'network.w': expected a number or a string, found boolean");
  CHECK(error_of("[network]\n[network.w]\n") ==
        "space.toml:2: key 'network.w': empty table: declare values, a range or a fixed value");
  CHECK(error_of("[netwrk]\nw = [1]\n") ==
        "space.toml:1: key 'netwrk': unknown key; allowed keys here: network, hardware, conditions");
  CHECK(error_of("conditions = \"a <= b\"\n") ==
        "space.toml:1: key 'conditions': expected a list of strings, found string");
  CHECK(error_of("conditions = [\"network.w <= 3\"]\n[network]\nv = [1]\n") ==
        "space.toml:1: key 'conditions[0]': cannot parse condition \"network.w <= 3\": unknown gene "
        "'network.w'; "
        "genes declared so far: network.v");
  CHECK(error_of("[network]\nw = [1,\n").find("space.toml:") == 0);  // TOML syntax error
  // Keys owned by another reader are skipped only when declared.
  auto doc = ConfigNode::parse_string("[optimizer]\nname = \"nsga2\"\n[network]\nw = [1, 2]\n", "s.toml");
  CHECK_THROWS_AS(SearchSpace::from_config(doc), InputError);
  CHECK(SearchSpace::from_config(doc, {"optimizer"}).size() == 1);
}

TEST_CASE("space: programmatic genes are checked") {
  SearchSpace s;
  Gene g;
  g.name = "widths";
  g.values = {GeneValue::integer(1)};
  CHECK_THROWS_WITH_AS(s.add_gene(g), doctest::Contains("a gene name starts with 'network.' or 'hardware.'"),
                       InputError);
  g.name = "network.w";
  s.add_gene(g);
  CHECK_THROWS_WITH_AS(s.add_gene(g), doctest::Contains("declared twice"), InputError);
  CHECK_THROWS_WITH_AS(s.add_condition("network.w <= hardware.x"),
                       doctest::Contains("unknown gene 'hardware.x'"), InputError);
}
