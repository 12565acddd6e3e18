// Typed reads of config.json keys with messages naming the file and key. Internal to
// model/: shared by config_file.cc and the per-family files.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "model/architecture.h"
#include "util/status.h"

namespace kaif::model {

class ConfigReader {
 public:
  ConfigReader(const nlohmann::json& json, std::string source) : json_(json), source_(std::move(source)) {}

  const nlohmann::json& value() const { return json_; }
  bool Has(const std::string& key) const { return json_.contains(key) && !json_[key].is_null(); }
  Status Error(const std::string& key, const std::string& what) const;

  // The first present key of `keys` (configs of different families spell things differently).
  Status Int(std::initializer_list<const char*> keys, int& out, bool required = true) const;
  Status Number(std::initializer_list<const char*> keys, double& out, bool required = true) const;
  Status Bool(const char* key, bool& out) const;
  Status OptionalNumber(const char* key, std::optional<double>& out) const;
  Status String(const char* key, std::string& out) const;

 private:
  const nlohmann::json* Find(std::initializer_list<const char*> keys, const char** found) const;
  const nlohmann::json& json_;
  std::string source_;
};

// Reads rope settings from an object with rope_type/type, factor, rope_theta...
Status ReadRope(const ConfigReader& config, const nlohmann::json& rope, const std::string& key, Rope& out);

// Per-family settings beyond the common keys.
Status ApplyLlamaFamily(const ConfigReader& config, Architecture& arch);
Status ApplyGemmaFamily(const ConfigReader& config, Architecture& arch);
Status ApplyExaoneFamily(const ConfigReader& config, Architecture& arch);

}  // namespace kaif::model
