// IFEval's verifiable instructions, checked natively: each instruction id of a prompt
// (keywords:existence, length_constraints:number_words, detectable_format:title, ...)
// with its arguments, against a response, strictly or loosely (lm-evaluation-harness's
// loose variants: the first and/or last line removed, asterisks removed).
//
// The checks follow lm-evaluation-harness's ifeval/instructions.py rule for rule, with
// three approximations where it calls other libraries: language detection (langdetect)
// is by script (Hangul for ko, Latin letters for en, ...), NLTK's word_tokenize (for
// capital_word_frequency) is a regex tokenizer, and Python's case tests cover ASCII
// letters.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace kaif::eval {

// Whether `response` follows instruction `id` with arguments `args` (its kwargs object;
// null values are absent arguments). `prompt` is the document's prompt (repeat_prompt
// needs it). InvalidInput for an unknown id or missing arguments.
Result<bool> FollowsInstruction(const std::string& id, const nlohmann::json& args, const std::string& response,
                                const std::string& prompt, bool loose);

// Splits text into sentences the way IFEval's instructions_util.split_into_sentences does.
std::vector<std::string> SplitIntoSentences(const std::string& text);

}  // namespace kaif::eval
