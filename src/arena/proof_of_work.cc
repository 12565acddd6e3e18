#include "arena/proof_of_work.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

#include "util/hex.h"
#include "util/status.h"

namespace kaif::arena {
namespace {

constexpr size_t kMaxNonceDigits = 32;

bool IsNonce(const std::string& nonce) {
  if (nonce.empty() || nonce.size() > kMaxNonceDigits) return false;
  for (char c : nonce) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int WorkBits(const std::string& challenge, const std::string& nonce) {
  const std::string text = challenge + ":" + nonce;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  KAIF_CHECK(EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) == 1);
  return LeadingZeroBits(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace

int LeadingZeroBits(std::string_view bytes) {
  int bits = 0;
  for (unsigned char c : bytes) {
    if (c == 0) {
      bits += 8;
      continue;
    }
    for (unsigned char mask = 0x80; (c & mask) == 0; mask >>= 1) ++bits;
    break;
  }
  return bits;
}

std::string PowChallenge(const std::string& secret, int64_t battle_id) {
  const std::string message = "battle:" + std::to_string(battle_id);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // OpenSSL wants a non-null key even when it is empty.
  static constexpr unsigned char kEmpty[1] = {0};
  const void* key = secret.empty() ? static_cast<const void*>(kEmpty) : static_cast<const void*>(secret.data());
  KAIF_CHECK(secret.size() <= static_cast<size_t>(INT_MAX));
  KAIF_CHECK(HMAC(EVP_sha256(), key, static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(message.data()),
                  message.size(), mac, &length) != nullptr);
  return ToHex(std::string_view(reinterpret_cast<const char*>(mac), length));
}

bool PowChallengeValid(const std::string& secret, int64_t battle_id, const std::string& challenge) {
  const std::string expected = PowChallenge(secret, battle_id);
  // The length is public (always 64); the bytes are compared without an early exit, so
  // the time taken does not tell how much of a guessed challenge was right.
  return challenge.size() == expected.size() && CRYPTO_memcmp(challenge.data(), expected.data(), expected.size()) == 0;
}

bool PowSatisfied(const std::string& challenge, const std::string& nonce, int bits) {
  if (bits <= 0) return true;
  if (bits > 256 || !IsNonce(nonce)) return false;
  return WorkBits(challenge, nonce) >= bits;
}

std::optional<std::string> SolvePow(const std::string& challenge, int bits, uint64_t max_tries) {
  if (bits <= 0) return "0";
  if (bits > 256) return std::nullopt;
  for (uint64_t nonce = 0; nonce < max_tries; ++nonce) {
    std::string text = std::to_string(nonce);
    if (WorkBits(challenge, text) >= bits) return text;
    if (nonce == UINT64_MAX - 1) break;  // 20 digits: still a valid nonce, but the last
  }
  return std::nullopt;
}

}  // namespace kaif::arena
