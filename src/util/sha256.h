// SHA-256 digests, as lowercase hex. Used for input, output and audit-entry identity.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace kaif {

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Incremental SHA-256, for inputs too large to hold at once (checkpoint weights).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(const void* data, size_t size);
  void Update(std::string_view text) { Update(text.data(), text.size()); }
  std::string FinishHex();  // REQUIRES: called once

 private:
  ::evp_md_ctx_st* context_;  // owned
};

}  // namespace kaif
