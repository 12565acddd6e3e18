// The style of an answer, as style control reads it: its length and its markdown.
//   tokens:  approximate length in tokens, UTF-8 bytes / 4 (kaif's models have different
//            tokenizers; style control uses normalised differences, so one common
//            measure matters more than any model's own count);
//   headers: lines that are markdown headers ("# ", "## ", ... "###### ");
//   lists:   list items ("- ", "* ", "+ ", "1. ");
//   bold:    bold spans ("**x**" or "__x__").
#pragma once

#include <string_view>

#include "arena/battles.h"

namespace kaif::arena {

AnswerStyle StyleOf(std::string_view answer);

}  // namespace kaif::arena
