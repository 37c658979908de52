// sha256: SHA-256 through OpenSSL's EVP interface (see sha256.hpp).
#include "sha256.hpp"

#include <openssl/evp.h>

#include <iomanip>
#include <sstream>

#include "error.hpp"
#include "files.hpp"

namespace flimgru {

std::string sha256_bytes(const void* data, size_t size) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_Digest(data, size, md, &len, EVP_sha256(), nullptr)) throw Error("SHA-256 failed");
  std::ostringstream s;
  for (unsigned i = 0; i < len; ++i) s << std::hex << std::setw(2) << std::setfill('0') << int(md[i]);
  return s.str();
}

std::string sha256_file(const std::string& path) {
  const std::string b = read_file_bytes(path);
  return sha256_bytes(b.data(), b.size());
}

}  // namespace flimgru
