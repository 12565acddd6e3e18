// A streaming JSON writer: appends to a string with two-space indentation, keys in the
// order written, numbers in their shortest round-trip form (NaN and infinity as null).
// Used for large outputs such as decision.json, where building a tree first costs more
// than the decision itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kaif {

class JsonWriter {
 public:
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // Key of the next value; REQUIRES: inside an object.
  void Key(std::string_view key);

  void String(std::string_view value);
  void Number(double value);
  void Integer(long long value);
  void Bool(bool value);
  void Null();

  // key + value shorthands
  void Field(std::string_view key, std::string_view value) { Key(key), String(value); }
  void Field(std::string_view key, const char* value) { Key(key), String(value); }
  void Field(std::string_view key, double value) { Key(key), Number(value); }
  void Field(std::string_view key, int value) { Key(key), Integer(value); }
  void Field(std::string_view key, bool value) { Key(key), Bool(value); }
  void Field(std::string_view key, const std::vector<std::string>& values);

  // The document, with a trailing newline. REQUIRES: every object and array closed.
  std::string Finish();

 private:
  void BeforeValue();
  void Open(char bracket);
  void Close(char bracket);
  void Newline();
  void AppendQuoted(std::string_view value);

  std::string out_;
  std::vector<bool> has_items_;  // per open container: whether it holds an item yet
  bool after_key_ = false;
};

}  // namespace kaif
