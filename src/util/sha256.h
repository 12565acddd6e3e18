// SHA-256 digests, as lowercase hex. Used for input, output and audit-entry identity.
#pragma once

#include <string>
#include <string_view>

namespace kaif {

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace kaif
