// Paths of the example program and scratch folders for tests.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "util/file.h"

namespace kaif::testing {

inline std::filesystem::path ExampleDir() { return std::filesystem::path(KAIF_SOURCE_DIR) / "examples" / "k-ai-2025"; }

inline std::string ExampleProgramText() { return ReadFile(ExampleDir() / "program.toml").value(); }

// A fresh, empty folder under the system temp dir, removed when the object dies.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    // The process id and a count: ctest runs tests as parallel processes, whose objects
    // can sit at the same address (ASan lays memory out the same way in each).
    static std::atomic<int> count{0};
    path_ = std::filesystem::temp_directory_path() /
            ("kaif-test-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(count++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kaif::testing
