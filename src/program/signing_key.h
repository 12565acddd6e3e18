// Ed25519 keys for signing audit entries (libsodium). A key file is one line:
//   kaif-ed25519-secret-key <64 hex digits: the 32-byte seed>
// written with mode 0600. The public key is derived from the seed.
#pragma once

#include <filesystem>
#include <string>

#include "util/status.h"

namespace kaif::program {

class SigningKey {
 public:
  // Reads a key file; InvalidInput naming the file if it is not one.
  static Result<SigningKey> Load(const std::filesystem::path& path);
  // Writes a new random key; refuses to overwrite an existing file.
  static Result<SigningKey> Generate(const std::filesystem::path& path);
  static Result<SigningKey> FromSeedHex(const std::string& seed_hex);

  const std::string& public_key_hex() const { return public_key_hex_; }
  // Detached signature over `message`, hex.
  std::string SignHex(const std::string& message) const;

 private:
  std::string secret_key_;  // 64 bytes: seed and public key, as libsodium wants
  std::string public_key_hex_;
};

// True if `signature_hex` is a valid Ed25519 signature of `message` by `public_key_hex`.
bool VerifySignature(const std::string& message, const std::string& signature_hex, const std::string& public_key_hex);

}  // namespace kaif::program
