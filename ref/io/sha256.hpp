// sha256: SHA-256 of bytes and of files, as lowercase hex (checkpoint and ROM provenance,
// ROM manifests, the trainer's state file).
#pragma once
#include <cstddef>
#include <string>

namespace flimgru {

// SHA-256 of a file's bytes as lowercase hex.
std::string sha256_file(const std::string& path);
std::string sha256_bytes(const void* data, size_t size);

}  // namespace flimgru
