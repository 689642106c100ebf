#include <doctest/doctest.h>

#include "common/config.h"
#include "mapping/mapping.h"
#include "small_arch.h"

using namespace imc;

TEST_CASE("a weight matrix is cut into row blocks, column blocks and cell slices") {
  const arch::ArchSpec s = test::small_arch();
  // 300 x 40 weights, 8-bit over 2-bit cells, differential: 8 columns per weight, 16 weights per
  // crossbar row of columns -> 3 row blocks x 3 column blocks.
  const auto t = mapping::tile_matrix({300, 40, 1, 10}, s, 8, 8);
  CHECK(t.slices_per_weight == 4);
  CHECK(t.cols_per_weight == 8);
  CHECK(t.input_slices == 8);
  CHECK(t.row_blocks == 3);
  CHECK(t.col_blocks == 3);
  CHECK(t.crossbars == 9);
  CHECK(t.cells_used == 300 * 40 * 8);
}

TEST_CASE("offset scheme uses one column per cell slice") {
  arch::ArchSpec s = test::small_arch();
  s.crossbar.signed_scheme = arch::SignedScheme::Offset;
  const auto t = mapping::tile_matrix({128, 32, 1, 1}, s, 8, 8);
  CHECK(t.cols_per_weight == 4);
  CHECK(t.col_blocks == 1);
}

TEST_CASE("depthwise groups pack block-diagonally") {
  const arch::ArchSpec s = test::small_arch();
  // 64 groups of 9 x 1 (3x3 depthwise): each group 9 rows x 8 columns; min(128/9, 128/8) = 14 per crossbar.
  const auto t = mapping::tile_matrix({9, 1, 64, 100}, s, 8, 8);
  CHECK(t.groups_per_crossbar == 14);
  CHECK(t.group_sets == 5);
  CHECK(t.crossbars == 5);
}

TEST_CASE("a weight wider than a crossbar is an input error") {
  arch::ArchSpec s = test::small_arch();
  s.crossbar.cols = 4;
  s.adc.cols_per_adc = 4;
  CHECK_THROWS_AS(mapping::tile_matrix({16, 16, 1, 1}, s, 8, 8), common::InputError);
}
