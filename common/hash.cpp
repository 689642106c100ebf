#include "common/hash.h"

#include <fmt/format.h>

namespace imc::common {

std::uint64_t fnv1a64(std::string_view key) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  for (unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ULL;  // FNV-1a prime
  }
  return h;
}

std::uint64_t hash64(std::string_view key) {
  std::uint64_t h = fnv1a64(key);
  // splitmix64 finalizer: FNV's low bits mix poorly.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

std::string hash_hex(std::uint64_t h) {
  return fmt::format("{:016x}", h);
}

}  // namespace imc::common
