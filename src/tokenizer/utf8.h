// UTF-8 helpers for the tokenizer: validation, code points, and the byte-to-character
// alphabet byte-level BPE uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kaif::tokenizer {

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// `text` with each ill-formed part replaced by U+FFFD, one per maximal invalid subpart (the
// rule of Rust's String::from_utf8_lossy, which Hugging Face tokenizers decode with).
std::string ToValidUtf8(std::string_view text);

// Python's len() of a UTF-8 string: its code points.
size_t CodePointCount(std::string_view text);

// The code point starting at text[i], advancing i past it (a stray or cut byte is one
// code point of its own value).
uint32_t NextCodePoint(std::string_view text, size_t& i);

// Length in bytes of the UTF-8 sequence starting with `lead` (1 for a stray byte).
int Utf8Length(unsigned char lead);

void AppendUtf8(uint32_t code_point, std::string& out);

// `text` with every occurrence of `from` (non-empty) replaced by `to`.
std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to);

// Byte-level BPE's alphabet (GPT-2): every byte maps to a printable character, so any byte
// string becomes a string of characters the vocabulary can hold. Printable ASCII and most
// of Latin-1 map to themselves; the rest to U+0100 upwards.
class ByteAlphabet {
 public:
  ByteAlphabet();
  // The UTF-8 text of the character standing for `byte`.
  const std::string& Encode(unsigned char byte) const { return encoded_[byte]; }
  // The byte a character stands for, or -1 if it is not in the alphabet.
  int Decode(uint32_t code_point) const;

 private:
  std::string encoded_[256];
  int decoded_[512];  // indexed by code point (all are below 512)
};

}  // namespace kaif::tokenizer
