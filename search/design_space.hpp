#pragma once
// What a controller sees of a co-search: a fixed sequence of decisions, each
// with a number of options, and candidates as one option index per decision
// (a genome). The networks of every task and the chip are one sequence, so a
// controller never needs to know which decision builds what (NASAIC's
// controller emits networks and hardware as one token stream).
#include <cstdint>
#include <string>
#include <vector>

namespace nasaic {

struct Choice {
  std::string name;  // e.g. "fashion.stage1.channels", "hw.sub0.template"
  int options = 1;
};

using Genome = std::vector<int>;  // option index per choice, in the space's order

struct DesignSpace {
  std::vector<Choice> choices;

  // Genomes the space holds (a double: spaces grow past 2^64).
  double size() const {
    double n = 1;
    for (const Choice& choice : choices) n *= choice.options;
    return n;
  }
  // Genomes numbered in mixed radix, the last choice fastest: the k-th
  // genome of an enumeration, and back.
  Genome genome_at(std::uint64_t index) const {
    Genome genes(choices.size());
    for (std::size_t i = genes.size(); i-- > 0;) {
      const auto options = static_cast<std::uint64_t>(choices[i].options);
      genes[i] = static_cast<int>(index % options);
      index /= options;
    }
    return genes;
  }
  std::uint64_t index_of(const Genome& genes) const {
    std::uint64_t index = 0;
    for (std::size_t i = 0; i < genes.size(); ++i)
      index = index * static_cast<std::uint64_t>(choices[i].options) + static_cast<std::uint64_t>(genes[i]);
    return index;
  }
  bool contains(const Genome& genome) const {
    if (genome.size() != choices.size()) return false;
    for (std::size_t i = 0; i < genome.size(); ++i)
      if (genome[i] < 0 || genome[i] >= choices[i].options) return false;
    return true;
  }
};

}  // namespace nasaic
