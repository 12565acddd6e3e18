#include "program/results.h"

namespace kaif::program {
namespace {
std::string Key(const std::string& team, ResultsKind kind, const std::string& pool) {
  return team + "/" + ToString(kind) + "/" + pool;
}
}  // namespace

Status ResultsSet::Add(ResultsDocument doc) {
  std::string key = Key(doc.team, doc.kind, doc.pool);
  auto [it, inserted] = index_.emplace(key, documents_.size());
  if (!inserted) {
    return Status::InvalidInput(doc.source + ": duplicate " + ToString(doc.kind) + " results for team '" +
                                doc.team + "'" + (doc.pool.empty() ? "" : " pool '" + doc.pool + "'") +
                                "; " + documents_[it->second].source +
                                " already has them. Keep one of the two files");
  }
  documents_.push_back(std::move(doc));
  return Status::Ok();
}

const ResultsDocument* ResultsSet::Find(const std::string& team, ResultsKind kind, const std::string& pool) const {
  auto it = index_.find(Key(team, kind, pool));
  return it == index_.end() ? nullptr : &documents_[it->second];
}

const char* ToString(ResultsKind kind) {
  switch (kind) {
    case ResultsKind::kBenchmarks: return "benchmarks";
    case ResultsKind::kSafety: return "safety";
    case ResultsKind::kArena: return "arena";
    case ResultsKind::kExpert: return "expert";
    case ResultsKind::kDerivatives: return "derivatives";
    case ResultsKind::kIndependence: return "independence";
  }
  return "?";
}

}  // namespace kaif::program
