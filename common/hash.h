// Stable 64-bit hashes of text keys: the same on every run and platform, so they can name things in
// reports, checkpoints and cache directories (search candidates, co-search finalists, networks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace imc::common {

// Plain 64-bit FNV-1a. Its low bits mix poorly; it stays for keys already stored under it (the
// accuracy weight cache, the seeds of exported ONNX weights).
std::uint64_t fnv1a64(std::string_view key);
// FNV-1a with a splitmix64 finalizer: the hash for new keys.
std::uint64_t hash64(std::string_view key);
// 16 lowercase hex digits.
std::string hash_hex(std::uint64_t h);

}  // namespace imc::common
