#include "util/sha256.h"

#include <openssl/evp.h>

#include "util/hex.h"
#include "util/status.h"

namespace kaif {


std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  KAIF_CHECK(EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) == 1);
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) { KAIF_CHECK(EVP_DigestInit_ex(context_, EVP_sha256(), nullptr) == 1); }

Sha256::~Sha256() { EVP_MD_CTX_free(context_); }

void Sha256::Update(const void* data, size_t size) { KAIF_CHECK(EVP_DigestUpdate(context_, data, size) == 1); }

std::string Sha256::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  KAIF_CHECK(EVP_DigestFinal_ex(context_, digest, &length) == 1);
  return ToHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace kaif
