#include "program/signing_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/file.h"
#include "util/hex.h"

namespace kaif::program {
namespace {

constexpr char kKeyPrefix[] = "kaif-ed25519-secret-key ";

bool SodiumReady() {
  // sodium_init is idempotent and thread-safe; it returns 1 when already initialised.
  return sodium_init() >= 0;
}

}  // namespace

Result<SigningKey> SigningKey::FromSeedHex(const std::string& seed_hex) {
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  std::string seed;
  if (!FromHex(seed_hex, seed) || seed.size() != crypto_sign_SEEDBYTES) {
    return Status::InvalidInput("the key's seed must be 64 hex digits");
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
  SigningKey key;
  key.secret_key_.assign(reinterpret_cast<char*>(sk), sizeof sk);
  key.public_key_hex_ = ToHex(std::string(reinterpret_cast<char*>(pk), sizeof pk));
  sodium_memzero(sk, sizeof sk);
  return key;
}

Result<SigningKey> SigningKey::Load(const std::filesystem::path& path) {
  KAIF_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.rfind(kKeyPrefix, 0) != 0) {
    return Status::InvalidInput(path.string() + ": not a kaif signing key (expected a line \"" +
                                std::string(kKeyPrefix) + "<64 hex digits>\"; make one with kaif audit keygen)");
  }
  Result<SigningKey> key = FromSeedHex(text.substr(std::strlen(kKeyPrefix)));
  if (!key.ok()) return key.status().WithContext(path.string());
  return key;
}

Result<SigningKey> SigningKey::Generate(const std::filesystem::path& path) {
  if (!SodiumReady()) return Status::Internal("libsodium failed to initialise");
  unsigned char seed[crypto_sign_SEEDBYTES];
  randombytes_buf(seed, sizeof seed);
  std::string seed_hex = ToHex(std::string(reinterpret_cast<char*>(seed), sizeof seed));
  sodium_memzero(seed, sizeof seed);
  // O_EXCL: never overwrite a key, which would orphan every signature made with it.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::InvalidInput(path.string() + ": already exists; refusing to overwrite a key");
    return Status::IoError(path.string() + ": cannot create: " + std::strerror(errno));
  }
  std::string line = kKeyPrefix + seed_hex + "\n";
  bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) return Status::IoError(path.string() + ": write failed");
  return FromSeedHex(seed_hex);
}

std::string SigningKey::SignHex(const std::string& message) const {
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       reinterpret_cast<const unsigned char*>(secret_key_.data()));
  return ToHex(std::string(reinterpret_cast<char*>(signature), sizeof signature));
}

bool VerifySignature(const std::string& message, const std::string& signature_hex, const std::string& public_key_hex) {
  if (!SodiumReady()) return false;
  std::string signature, public_key;
  if (!FromHex(signature_hex, signature) || signature.size() != crypto_sign_BYTES) return false;
  if (!FromHex(public_key_hex, public_key) || public_key.size() != crypto_sign_PUBLICKEYBYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                     reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

}  // namespace kaif::program
