// Lowercase hexadecimal text of bytes, and back.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace kaif {

std::string ToHex(std::string_view bytes);
// False on odd length or a character that is not a hex digit.
bool FromHex(std::string_view hex, std::string& bytes);

// `bytes` bytes from the system's secure random source (OpenSSL), as hex: tokens and
// secrets. Internal when the source fails.
Result<std::string> RandomHex(size_t bytes);

}  // namespace kaif
