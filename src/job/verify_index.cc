#include "job/verify_index.h"

#include <algorithm>

#include "verify/checkpoint_tensors.h"

namespace kaif::job {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuffix = ".fingerprint.safetensors";

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool HoldsSafetensors(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".safetensors" && !EndsWith(e.path().filename().string(), kSuffix)) return true;
  }
  return false;
}

// The newest modification among a checkpoint's files.
fs::file_time_type NewestFile(const fs::path& checkpoint) {
  std::error_code ec;
  if (!fs::is_directory(checkpoint)) return fs::last_write_time(checkpoint, ec);
  fs::file_time_type newest = fs::file_time_type::min();
  for (const auto& e : fs::directory_iterator(checkpoint, ec)) {
    if (e.is_regular_file()) newest = std::max(newest, e.last_write_time(ec));
  }
  return newest;
}

std::vector<fs::path> FingerprintsIn(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && EndsWith(e.path().filename().string(), kSuffix)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::pair<std::string, fs::path>> CheckpointsIn(const fs::path& dir) {
  std::vector<std::pair<std::string, fs::path>> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const fs::path& p = e.path();
    const std::string name = p.filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (e.is_directory() && HoldsSafetensors(p)) {
      out.emplace_back(name, p);
    } else if (e.is_regular_file() && (p.extension() == ".gguf" || p.extension() == ".safetensors") &&
               !EndsWith(name, kSuffix)) {
      out.emplace_back(p.stem().string(), p);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<IndexOutcome> RunIndex(const IndexJob& job) {
  if (!fs::is_directory(job.models)) return Status::NotFound(job.models.string() + ": not a folder of models");
  IndexOutcome out;
  out.library = job.library.empty() ? job.models / ".kaif-index" : job.library;
  std::error_code ec;
  fs::create_directories(out.library, ec);
  if (ec) return Status::IoError(out.library.string() + ": " + ec.message());
  const auto checkpoints = CheckpointsIn(job.models);
  if (checkpoints.empty()) return Status::NotFound(job.models.string() + ": no checkpoint in this folder");
  for (const auto& [name, path] : checkpoints) {
    const fs::path file = out.library / (name + kSuffix);
    if (!job.force && fs::exists(file) && fs::last_write_time(file, ec) >= NewestFile(path)) {
      out.up_to_date.push_back(file);
      continue;
    }
    Result<std::unique_ptr<verify::CheckpointTensors>> checkpoint = verify::CheckpointTensors::Open(path);
    Result<verify::Fingerprint> f = checkpoint.ok() ? verify::TakeFingerprint(**checkpoint, job.options)
                                                    : Result<verify::Fingerprint>(checkpoint.status());
    Status saved = f.ok() ? verify::SaveFingerprint(*f, file) : f.status();
    if (!saved.ok()) {
      out.failed.emplace_back(path, saved);
      continue;
    }
    out.written.push_back(file);
  }
  return out;
}

Result<std::vector<ReferenceSource>> ExpandReferences(const std::vector<fs::path>& against) {
  std::vector<ReferenceSource> out;
  for (const fs::path& p : against) {
    if (!fs::exists(p)) return Status::NotFound(p.string() + ": no such reference");
    if (EndsWith(p.filename().string(), kSuffix)) {
      out.push_back({p, true});
      continue;
    }
    if (fs::is_directory(p) && !HoldsSafetensors(p)) {
      std::vector<fs::path> prints = FingerprintsIn(p);
      if (prints.empty() && fs::is_directory(p / ".kaif-index")) prints = FingerprintsIn(p / ".kaif-index");
      if (prints.empty()) {
        return Status::NotFound(p.string() + ": neither a checkpoint nor a library of fingerprints (kaif verify index)");
      }
      for (const fs::path& f : prints) out.push_back({f, true});
      continue;
    }
    out.push_back({p, false});
  }
  return out;
}

}  // namespace kaif::job
