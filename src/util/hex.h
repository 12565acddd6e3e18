// Lowercase hexadecimal text of bytes, and back.
#pragma once

#include <string>
#include <string_view>

namespace kaif {

std::string ToHex(std::string_view bytes);
// False on odd length or a character that is not a hex digit.
bool FromHex(std::string_view hex, std::string& bytes);

}  // namespace kaif
