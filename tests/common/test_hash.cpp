// The stable hashes name candidates in checkpoints and weights in the accuracy cache: their values
// must not change between versions.
#include <doctest/doctest.h>

#include "common/hash.h"

using namespace imc::common;

TEST_CASE("hash: FNV-1a reference values and the finalized hash") {
  // Published FNV-1a 64-bit test vectors.
  CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a64("foobar") == 0x85944171f73967e8ULL);
  CHECK(hash64("a") != fnv1a64("a"));
  // Pinned: the value of the hash search checkpoints were written with.
  CHECK(hash64("design-1") == 0xe635fd60f8e908c5ULL);
  CHECK(hash64("design-1") != hash64("design-2"));
  CHECK(hash_hex(0x1234) == "0000000000001234");
  CHECK(hash_hex(hash64("")) == "f52a15e9a9b5e89b");
}
