// How fast a stage decision is at national-program-and-beyond scale: 1,000 teams x 50
// benchmarks (plus arena, expert, safety, independence results per team).
//   build-bench/bench/round_bench                Google Benchmark timings
//   build-bench/bench/round_bench --dataset DIR  writes the files, for timing `kaif round`
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <fmt/format.h>

#include "job/round_job.h"
#include "program/program_file.h"
#include "program/results_file.h"
#include "program/round.h"
#include "util/file.h"

namespace {

using namespace kaif;
using namespace kaif::program;

constexpr int kTeams = 1000;
constexpr int kBenchmarks = 50;

std::string ProgramText() {
  std::string t = R"(schema = "kaif.program/1"
[program]
name = "Scale test"
start_date = 2025-01-01
open_source_levels = ["open", "closed"]
[[stages]]
evaluation_date = 2025-12-31
period_start = 2026-01-01
period_end = 2026-06-30
survivors = 600
gpu_pool = { H100 = 400000, B200 = 200000 }
[gpu_types.H100]
h100_equivalent = 1.0
per_team_cap = 1024
[gpu_types.B200]
h100_equivalent = 2.0
per_team_cap = 512
[allocation.gpu]
method = "rank_priority"
base_h100e = 512
rank_multipliers = [2.0, 1.5, 1.0]
team_cap_h100e = 1024
[allocation.data]
per_team_cap_per_year = 2_800_000_000
team_pool_per_year = 1_000_000_000_000
[allocation.talent]
per_team_per_year_max = 2_000_000_000
pool_per_year = 1_000_000_000_000
continues_until = 2027-12-31
[allocation.self_pay]
open = { large = 0.2, sme = 0.1, startup = 0.05 }
closed = { large = 0.5, sme = 0.4, startup = 0.3 }
[gates.independence]
kind = "independence"
on_fail = "exclude"
[gates.safety]
kind = "safety_minimum"
minimum = 0.9
on_fail = "exclude"
[axes.bench]
weight = 40
source = "benchmarks"
method = "mean_score"
benchmark_groups = ["g"]
[axes.frontier]
weight = 20
source = "benchmarks"
method = "frontier_ratio"
benchmark_groups = ["g"]
[axes.users]
weight = 20
source = "arena"
method = "win_probability"
pool = "public"
anchor = "team_mean"
[axes.expert]
weight = 20
source = "expert"
method = "expert_mean"
pool = "review"
trim = 1
[frontier]
benchmarks = [)";
  for (int b = 0; b < kBenchmarks; ++b) t += fmt::format("{}\"b{}\"", b ? ", " : "", b);
  t += "]\n[frontier.models.f]\nreleased = 2025-10-01\nscores = {";
  for (int b = 0; b < kBenchmarks; ++b) t += fmt::format("{}b{} = 90.0", b ? ", " : "", b);
  t += "}\n";
  for (int b = 0; b < kBenchmarks; ++b) t += fmt::format("[benchmarks.b{}]\ngroup = \"g\"\n", b);
  for (int i = 0; i < kTeams; ++i) {
    t += fmt::format(
        "[teams.t{0}]\nname = \"Team {0}\"\ncompany_size = \"sme\"\nopen_source_level = \"open\"\n"
        "request = {{ gpu_types = [\"B200\", \"H100\"], gpus_h100e = 1024, data_money_per_year = 2e9, "
        "talent_money_per_year = 1e9 }}\n",
        i);
  }
  return t;
}

std::vector<std::pair<std::string, std::string>> ResultsFiles() {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::pair<std::string, std::string>> files;
  for (int i = 0; i < kTeams; ++i) {
    std::string head = fmt::format(R"({{"schema": "kaif.results/1", "team": "t{}", "stage": 1, )", i);
    std::string bench = head + R"("kind": "benchmarks", "benchmarks": {)";
    for (int b = 0; b < kBenchmarks; ++b) {
      bench += fmt::format(R"({}"b{}": {{"score": {:.2f}, "stderr": 0.5, "n": 1000}})", b ? ", " : "", b, 50 + 40 * u(rng));
    }
    files.push_back({fmt::format("t{}.benchmarks.json", i), bench + "}}"});
    files.push_back({fmt::format("t{}.arena.json", i),
                     head + fmt::format(R"("kind": "arena", "arena": {{"pool": "public", "rating": {:.1f}, "stderr": 8}}}})",
                                        900 + 200 * u(rng))});
    std::string scores;
    for (int e = 0; e < 10; ++e) scores += fmt::format("{}{:.1f}", e ? ", " : "", 20 + 15 * u(rng));
    files.push_back({fmt::format("t{}.expert.json", i),
                     head + R"("kind": "expert", "expert": {"panel": "review", "max_score": 35, "scores": [)" + scores +
                         "]}}"});
    files.push_back({fmt::format("t{}.safety.json", i),
                     head + fmt::format(R"("kind": "safety", "safety": {{"categories": {{"all": {{"items": 20000, "passed": {}}}}}}}}})",
                                        18000 + static_cast<int>(2000 * u(rng)))});
    files.push_back({fmt::format("t{}.independence.json", i),
                     head + fmt::format(R"("kind": "independence", "independence": {{"verdict": "{}"}}}})",
                                        u(rng) < 0.05 ? "derived" : "independent")});
  }
  return files;
}

struct Dataset {
  std::filesystem::path dir;
  Dataset() {
    dir = std::filesystem::temp_directory_path() / "kaif-round-bench";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "results");
    KAIF_CHECK(WriteFileAtomic(dir / "program.toml", ProgramText()).ok());
    for (const auto& [name, text] : ResultsFiles()) KAIF_CHECK(WriteFileAtomic(dir / "results" / name, text).ok());
  }
  ~Dataset() { std::filesystem::remove_all(dir); }
};

// The whole `kaif round` path short of rendering: read and check the program and 5,000
// results files, then decide.
void BM_RoundFromFiles(benchmark::State& state) {
  Dataset data;
  for (auto _ : state) {
    std::string text = ReadFile(data.dir / "program.toml").value();
    Result<Program> program = ParseProgram(text, "program.toml");
    Result<ResultsSet> results = LoadResultsDirectory(data.dir / "results");
    RoundInputs inputs;
    inputs.program = &*program;
    inputs.results = &*results;
    KAIF_CHECK(SetParticipants(*program, 1, nullptr, inputs).ok());
    Result<StageDecision> d = DecideRound(inputs);
    KAIF_CHECK(d.ok());
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_RoundFromFiles)->Unit(benchmark::kMillisecond);

// What `kaif round` does end to end: read, decide, render decision.json, report.html and
// the CSV tables, write them (no audit log).
void BM_RoundJob(benchmark::State& state) {
  Dataset data;
  job::RoundOptions options;
  options.program = data.dir / "program.toml";
  options.results = data.dir / "results";
  options.out = data.dir / "out";
  for (auto _ : state) {
    Result<job::RoundOutput> out = job::RunRound(options);
    KAIF_CHECK(out.ok());
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_RoundJob)->Unit(benchmark::kMillisecond);

// The decision alone, inputs already in memory.
void BM_DecideRound(benchmark::State& state) {
  Result<Program> program = ParseProgram(ProgramText(), "program.toml");
  ResultsSet results;
  for (const auto& [name, text] : ResultsFiles()) KAIF_CHECK(results.Add(ParseResultsDocument(text, name).value()).ok());
  RoundInputs inputs;
  inputs.program = &*program;
  inputs.results = &results;
  KAIF_CHECK(SetParticipants(*program, 1, nullptr, inputs).ok());
  for (auto _ : state) {
    Result<StageDecision> d = DecideRound(inputs);
    KAIF_CHECK(d.ok());
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_DecideRound)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--dataset") {
    std::filesystem::path dir = argv[2];
    std::filesystem::create_directories(dir / "results");
    KAIF_CHECK(WriteFileAtomic(dir / "program.toml", ProgramText()).ok());
    for (const auto& [name, text] : ResultsFiles()) KAIF_CHECK(WriteFileAtomic(dir / "results" / name, text).ok());
    std::printf("wrote %s/program.toml and %d results files\n", dir.c_str(), kTeams * 5);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
