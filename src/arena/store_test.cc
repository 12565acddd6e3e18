// ArenaStore and its SqlDatabase on both databases: SQLite always, PostgreSQL when
// KAIF_TEST_POSTGRES_URL names a server (tests/support/with_postgres.sh starts one; the
// ctest arena_store_postgres runs the "*Postgres*" cases under it). Each PostgreSQL case
// gets a schema of its own, dropped afterwards.
#include "arena/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "arena/sql_database.h"
#include "support/example_paths.h"

namespace kaif::arena {
namespace {

enum class Backend { kSqlite, kPostgres };

::testing::AssertionResult Says(const Status& s, const std::string& text) {
  if (!s.ok() && s.message().find(text) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected an error saying \"" << text << "\", got " << s.ToString();
}

std::string PostgresUrl() {
  const char* url = std::getenv("KAIF_TEST_POSTGRES_URL");
  return url ? url : "";
}

// A location of its own for each test: a file in a scratch folder, or a fresh schema on
// the PostgreSQL server (its URL sets search_path, so the store's tables land there).
class DatabaseTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kSqlite) {
      location_ = (dir_.path() / "arena.sqlite").string();
      return;
    }
    const std::string url = PostgresUrl();
    if (url.empty()) GTEST_SKIP() << "KAIF_TEST_POSTGRES_URL is not set; run under tests/support/with_postgres.sh";
    Result<std::unique_ptr<SqlDatabase>> admin = OpenSqlDatabase(url);
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    admin_ = std::move(admin).value();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    schema_ = "t" + std::to_string(getpid()) + "_" + std::to_string(std::hash<std::string>()(info->name()) % 1000000007);
    ASSERT_TRUE(admin_->Execute("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE").ok());
    ASSERT_TRUE(admin_->Execute("CREATE SCHEMA " + schema_).ok());
    location_ = url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-c%20search_path%3D" + schema_;
  }
  void TearDown() override {
    if (admin_) {
      EXPECT_TRUE(admin_->Execute("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE").ok());
    }
  }

  std::unique_ptr<ArenaStore> OpenStore() {
    Result<std::unique_ptr<ArenaStore>> store = ArenaStore::Open(location_);
    if (!store.ok()) {
      ADD_FAILURE() << "opening " << location_ << ": " << store.status().ToString();
      return nullptr;
    }
    return std::move(store).value();
  }

  kaif::testing::ScratchDir dir_{"arena-store"};
  std::string location_;
  std::string schema_;
  std::unique_ptr<SqlDatabase> admin_;
};

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "SQLite" : "Postgres";
}

using ArenaStoreTest = DatabaseTest;
using SqlDatabaseTest = DatabaseTest;
INSTANTIATE_TEST_SUITE_P(On, ArenaStoreTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);
INSTANTIATE_TEST_SUITE_P(On, SqlDatabaseTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres), BackendName);

NewBattle Pair(const std::string& a, const std::string& b, const std::string& token_hash = "hash-1",
               const std::string& mode = "public") {
  return NewBattle{a, b, mode, "voter-1", "203.0.113.0/24", token_hash};
}

// Both answers of a turn (or the one of a single battle) finished.
void Answer(ArenaStore& store, int64_t battle, int turn, bool single = false) {
  ASSERT_TRUE(store.FinishAnswer(battle, turn, 0, "answer A" + std::to_string(turn), {100, 1, 2, 3}).ok());
  if (!single) {
    ASSERT_TRUE(store.FinishAnswer(battle, turn, 1, "answer B" + std::to_string(turn), {50, 0, 1, 0}).ok());
  }
}

const RegisteredModel& Named(const std::vector<RegisteredModel>& models, const std::string& name) {
  auto it = std::find_if(models.begin(), models.end(), [&](const RegisteredModel& m) { return m.name == name; });
  if (it == models.end()) throw std::runtime_error("no model " + name + " in the list");
  return *it;
}

// Two registered models and one answered public battle between them.
int64_t AnsweredBattle(ArenaStore& store, const std::string& token_hash = "hash-1") {
  EXPECT_TRUE(store.RegisterModel("hanbit-7b", "sha256:aa", "hanbit").ok());
  EXPECT_TRUE(store.RegisterModel("gaon-32b", "endpoint:https://api.example/v1 gaon probe:1f2e", "gaon").ok());
  Result<int64_t> id = store.CreateBattle(Pair("hanbit-7b", "gaon-32b", token_hash), "What is the capital of Korea?");
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  if (!id.ok()) return 0;
  Answer(store, *id, 0);
  return *id;
}

TEST_P(ArenaStoreTest, ModelsArePinnedToTheirIdentity) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("hanbit-7b", "sha256:aa", "hanbit").ok());
  ASSERT_TRUE(store->RegisterModel("hanbit-7b", "sha256:aa", "hanbit").ok());  // the same again: fine
  EXPECT_TRUE(Says(store->RegisterModel("hanbit-7b", "sha256:bb", "hanbit"), "cannot be replaced under its name"));
  EXPECT_TRUE(Says(store->RegisterModel("", "sha256:cc"), "a name and an identity"));
  EXPECT_TRUE(Says(store->RegisterModel("nameless", ""), "a name and an identity"));
  // The team follows the config; the identity stays pinned.
  ASSERT_TRUE(store->RegisterModel("hanbit-7b", "sha256:aa", "hanbit-lab").ok());
  ASSERT_TRUE(store->RegisterModel("gaon-32b", "endpoint:gaon").ok());
  const auto models = store->Models().value();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_LE(models[0].registered_at, models[1].registered_at);  // in the order they came
  const RegisteredModel& hanbit = Named(models, "hanbit-7b");
  EXPECT_EQ(hanbit.identity, "sha256:aa");
  EXPECT_EQ(hanbit.team, "hanbit-lab");
  EXPECT_GT(hanbit.registered_at, 1600000000000);  // milliseconds
  EXPECT_FALSE(hanbit.withdrawn_at);
  EXPECT_EQ(Named(models, "gaon-32b").team, "");
}

TEST_P(ArenaStoreTest, WithdrawnModelsTakeNoBattlesAndKeepTheirVotes) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  const int64_t battle = AnsweredBattle(*store);
  ASSERT_TRUE(store->RecordVote(battle, "hash-1", Outcome::kModelA, "voter-1").ok());
  ASSERT_TRUE(store->WithdrawModel("hanbit-7b").ok());
  const std::optional<int64_t> withdrawn_at = Named(store->Models().value(), "hanbit-7b").withdrawn_at;
  ASSERT_TRUE(withdrawn_at);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_TRUE(store->WithdrawModel("hanbit-7b").ok());  // again: the first time stays
  EXPECT_EQ(Named(store->Models().value(), "hanbit-7b").withdrawn_at, withdrawn_at);
  EXPECT_FALSE(Named(store->Models().value(), "gaon-32b").withdrawn_at);
  EXPECT_EQ(store->WithdrawModel("nobody").code(), Status::Code::kNotFound);
  EXPECT_TRUE(Says(store->CreateBattle(Pair("hanbit-7b", "gaon-32b"), "hi").status(), "withdrawn"));
  EXPECT_TRUE(Says(store->CreateBattle(Pair("gaon-32b", "hanbit-7b"), "hi").status(), "withdrawn"));
  EXPECT_TRUE(Says(store->CreateAnsweredBattles("hanbit-7b", "gaon-32b", "h", 3).status(), "withdrawn"));
  auto voted = store->Battles("public", true).value();
  ASSERT_EQ(voted.size(), 1u);
  EXPECT_EQ(voted[0].model_a, "hanbit-7b");
  EXPECT_EQ(voted[0].vote->outcome, Outcome::kModelA);
  EXPECT_EQ(store->Models().value().size(), 2u);  // the public list keeps it
}

TEST_P(ArenaStoreTest, CreateBattleChecksModelsAndMode) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  EXPECT_TRUE(Says(store->CreateBattle(Pair("a", "a"), "p").status(), "cannot battle itself"));
  EXPECT_TRUE(Says(store->CreateBattle(Pair("a", "nobody"), "p").status(), "no registered model nobody"));
  EXPECT_TRUE(Says(store->CreateBattle(Pair("a", "b", "h", "secret"), "p").status(), "public, expert or single"));
  EXPECT_TRUE(Says(store->CreateBattle(Pair("a", "b", "h", "single"), "p").status(), "one model"));
  EXPECT_TRUE(Says(store->CreateBattle(Pair("a", "", "h", "expert"), "p").status(), "needs two models"));
  EXPECT_TRUE(Says(store->CreateBattle(Pair("a", "b", ""), "p").status(), "hash of its token"));
  const int64_t first = store->CreateBattle(Pair("a", "b"), "p").value();
  const int64_t second = store->CreateBattle(Pair("b", "a", "h2", "expert"), "q").value();
  EXPECT_GT(second, first);
  BattleRecord b = store->GetBattle(second).value();
  EXPECT_EQ(b.model_a, "b");
  EXPECT_EQ(b.model_b, "a");
  EXPECT_EQ(b.mode, "expert");
  EXPECT_EQ(b.client, "voter-1");
  EXPECT_EQ(b.network, "203.0.113.0/24");
  EXPECT_EQ(b.token_hash, "h2");
  EXPECT_GT(b.created_at, 1600000000000);
  ASSERT_EQ(b.turns.size(), 1u);
  EXPECT_EQ(b.turns[0].prompt, "q");
  EXPECT_FALSE(b.turns[0].finished[0] || b.turns[0].finished[1]);
  EXPECT_FALSE(b.answered());
  EXPECT_FALSE(b.vote);
  EXPECT_EQ(store->GetBattle(99999).status().code(), Status::Code::kNotFound);
}

TEST_P(ArenaStoreTest, VotesNeedTheBattlesToken) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  const int64_t battle = AnsweredBattle(*store, "right-hash");
  EXPECT_TRUE(Says(store->RecordVote(battle, "wrong-hash", Outcome::kModelA, "v"), "wrong token"));
  EXPECT_TRUE(Says(store->RecordVote(battle, "", Outcome::kModelA, "v"), "wrong token"));
  EXPECT_FALSE(store->GetBattle(battle)->vote);
  ASSERT_TRUE(store->RecordVote(battle, "right-hash", Outcome::kModelB, "voter-7").ok());
  const BattleRecord b = store->GetBattle(battle).value();
  ASSERT_TRUE(b.vote);
  EXPECT_EQ(b.vote->outcome, Outcome::kModelB);
  EXPECT_EQ(b.vote->voter, "voter-7");
  EXPECT_GT(b.vote->cast_at, 1600000000000);
  // A wrong token learns nothing: not even that the battle was voted on.
  EXPECT_TRUE(Says(store->RecordVote(battle, "wrong-hash", Outcome::kModelA, "v"), "wrong token"));
}

TEST_P(ArenaStoreTest, NoVoteBeforeEveryAnswerFinished) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t battle = store->CreateBattle(Pair("a", "b"), "p").value();
  EXPECT_TRUE(Says(store->RecordVote(battle, "hash-1", Outcome::kTie, "v"), "a vote before both answers finished is not counted"));
  ASSERT_TRUE(store->FinishAnswer(battle, 0, 0, "A", {310, 2, 3, 1}).ok());
  EXPECT_TRUE(Says(store->RecordVote(battle, "hash-1", Outcome::kTie, "v"), "a vote before both answers finished is not counted"));
  EXPECT_FALSE(store->GetBattle(battle)->answered());
  ASSERT_TRUE(store->FinishAnswer(battle, 0, 1, "B", {120, 0, 0, 0}).ok());
  EXPECT_TRUE(store->GetBattle(battle)->answered());
  EXPECT_TRUE(store->RecordVote(battle, "hash-1", Outcome::kBothBad, "v").ok());
  EXPECT_EQ(store->GetBattle(battle)->vote->outcome, Outcome::kBothBad);
}

// Votes queued together are written in one batch, each with its own outcome: refusals do
// not undo the others, and every caller hears back once, with the reveal.
TEST_P(ArenaStoreTest, QueuedVotesEachGetTheirOwnOutcome) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t first = store->CreateAnsweredBattles("a", "b", "h", 200).value();
  std::mutex mu;
  std::condition_variable answered;
  std::map<int64_t, std::vector<Status>> outcomes;  // GUARDED_BY(mu)
  std::map<int64_t, ArenaStore::Reveal> reveals;     // GUARDED_BY(mu)
  size_t calls = 0;                                   // GUARDED_BY(mu)
  auto done = [&](int64_t id) {
    return [&, id](Status s, ArenaStore::Reveal r) {
      std::lock_guard<std::mutex> lock(mu);
      if (s.ok()) reveals[id] = std::move(r);
      outcomes[id].push_back(std::move(s));
      ++calls;
      answered.notify_one();
    };
  };
  for (int64_t i = 0; i < 200; ++i) {
    const int64_t id = first + i;
    const std::string token = i % 10 == 3 ? "wrong" : "h";
    std::vector<RubricScore> rubric;
    if (i % 10 == 5) rubric = {{0, "accuracy", 4}};
    store->RecordVoteLater(id, token, Outcome::kModelA, "v", rubric, done(id));
    if (i % 10 == 7) store->RecordVoteLater(id, "h", Outcome::kModelB, "again", {}, done(id));  // a second vote
  }
  store->RecordVoteLater(first, "h", Outcome::kTie, "v", {{2, "accuracy", 1}}, done(-1));  // malformed: at once
  std::unique_lock<std::mutex> lock(mu);
  answered.wait(lock, [&] { return calls == 221; });
  EXPECT_TRUE(Says(outcomes[-1].at(0), "side 0 or 1"));
  for (int64_t i = 0; i < 200; ++i) {
    const std::vector<Status>& got = outcomes[first + i];
    ASSERT_EQ(got.size(), i % 10 == 7 ? 2u : 1u) << i;
    if (i % 10 == 3) {
      EXPECT_TRUE(Says(got[0], "wrong token")) << i;
      continue;
    }
    EXPECT_TRUE(got[0].ok()) << i << ": " << got[0].ToString();
    if (i % 10 == 7) EXPECT_TRUE(Says(got[1], "already has its vote")) << i;
    EXPECT_EQ(reveals[first + i].model_a, "a");
    EXPECT_EQ(reveals[first + i].model_b, "b");
  }
  lock.unlock();
  EXPECT_EQ(store->Battles("public", true)->size(), 180u);
  EXPECT_EQ(store->RubricScores("public")->size(), 20u);
}

TEST_P(ArenaStoreTest, OneVotePerBattle) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  const int64_t battle = AnsweredBattle(*store);
  ASSERT_TRUE(store->RecordVote(battle, "hash-1", Outcome::kModelA, "voter-1").ok());
  EXPECT_TRUE(Says(store->RecordVote(battle, "hash-1", Outcome::kModelB, "voter-2"), "already has its vote"));
  EXPECT_TRUE(Says(store->RecordVote(battle, "hash-1", Outcome::kModelB, "voter-2", {{0, "accuracy", 5}}),
                   "already has its vote"));
  EXPECT_TRUE(Says(store->RecordVote(99999, "hash-1", Outcome::kTie, "v"), "no battle 99999"));
  EXPECT_EQ(store->GetBattle(battle)->vote->voter, "voter-1");
  EXPECT_TRUE(store->RubricScores("public")->empty());
}

// Voters on one battle at once, from threads sharing a store and from a second store (as
// a second server process would hold): exactly one wins, every time.
TEST_P(ArenaStoreTest, ConcurrentVotersOnOneBattleOneWins) {
  auto store = OpenStore();
  auto other = OpenStore();
  ASSERT_TRUE(store && other);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t first = store->CreateAnsweredBattles("a", "b", "shared-hash", 20).value();
  constexpr int kVoters = 8;
  for (int64_t battle = first; battle < first + 20; ++battle) {
    std::latch start(kVoters);
    std::atomic<int> won{0}, lost{0};
    std::vector<std::thread> voters;
    for (int v = 0; v < kVoters; ++v) {
      voters.emplace_back([&, v] {
        ArenaStore& s = v % 2 ? *other : *store;
        start.arrive_and_wait();
        Status status = s.RecordVote(battle, "shared-hash", v % 3 ? Outcome::kModelA : Outcome::kModelB,
                                     "voter-" + std::to_string(v), v % 4 == 0 ? std::vector<RubricScore>{{0, "style", v}}
                                                                              : std::vector<RubricScore>{});
        if (status.ok()) {
          ++won;
        } else if (status.message().find("already has its vote") != std::string::npos) {
          ++lost;
        } else {
          ADD_FAILURE() << status.ToString();
        }
      });
    }
    for (std::thread& t : voters) t.join();
    EXPECT_EQ(won.load(), 1) << "battle " << battle;
    EXPECT_EQ(lost.load(), kVoters - 1) << "battle " << battle;
  }
  EXPECT_EQ(store->Battles("public", true)->size(), 20u);
}

TEST_P(ArenaStoreTest, MultiTurnBattles) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t battle = store->CreateBattle(Pair("a", "b"), "first question").value();
  EXPECT_TRUE(Says(store->AddTurn(battle, "too early").status(), "still streaming"));
  ASSERT_TRUE(store->FinishAnswer(battle, 0, 0, "A0", {10, 1, 0, 0}).ok());
  EXPECT_TRUE(Says(store->AddTurn(battle, "too early").status(), "still streaming"));
  ASSERT_TRUE(store->FinishAnswer(battle, 0, 1, "B0", {20, 0, 1, 0}).ok());
  EXPECT_TRUE(Says(store->FinishAnswer(battle, 0, 1, "B0 again", {}), "already finished"));
  EXPECT_EQ(store->FinishAnswer(battle, 1, 0, "no such turn", {}).code(), Status::Code::kNotFound);
  EXPECT_EQ(store->FinishAnswer(99999, 0, 0, "no such battle", {}).code(), Status::Code::kNotFound);
  EXPECT_TRUE(Says(store->FinishAnswer(battle, 0, 2, "no such side", {}), "sides 0 and 1"));
  EXPECT_EQ(store->AddTurn(99999, "p").status().code(), Status::Code::kNotFound);

  ASSERT_EQ(store->AddTurn(battle, "second question").value(), 1);
  EXPECT_TRUE(Says(store->RecordVote(battle, "hash-1", Outcome::kModelA, "v"), "before both answers finished"));
  ASSERT_TRUE(store->FinishAnswer(battle, 1, 1, "B1", {5, 0, 0, 2}).ok());
  ASSERT_TRUE(store->FinishAnswer(battle, 1, 0, "A1", {7, 3, 0, 0}).ok());
  ASSERT_EQ(store->AddTurn(battle, "third question").value(), 2);
  Answer(*store, battle, 2);

  BattleRecord b = store->GetBattle(battle).value();
  ASSERT_EQ(b.turns.size(), 3u);
  EXPECT_EQ(b.turns[1].prompt, "second question");
  EXPECT_EQ(b.turns[1].answers[0], "A1");
  EXPECT_EQ(b.turns[1].answers[1], "B1");
  ASSERT_TRUE(b.turns[1].finished[0]);
  EXPECT_EQ(b.turns[1].finished[0]->headers, 3);
  EXPECT_TRUE(b.answered());

  ASSERT_TRUE(store->RecordVote(battle, "hash-1", Outcome::kModelB, "v").ok());
  EXPECT_TRUE(Says(store->AddTurn(battle, "after the vote").status(), "has its vote"));
  const Battle rated = store->GetBattle(battle)->ForRatings();
  EXPECT_EQ(rated.model_a, "a");
  EXPECT_EQ(rated.outcome, Outcome::kModelB);
  ASSERT_TRUE(rated.style);
  EXPECT_DOUBLE_EQ((*rated.style)[0].tokens, 10 + 7 + 100);  // summed over the turns
  EXPECT_DOUBLE_EQ((*rated.style)[0].headers, 1 + 3 + 1);
  EXPECT_DOUBLE_EQ((*rated.style)[1].tokens, 20 + 5 + 50);
  EXPECT_DOUBLE_EQ((*rated.style)[1].bold, 0 + 2 + 0);
}

TEST_P(ArenaStoreTest, SingleBattlesHaveOneAnswer) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  const int64_t battle = store->CreateBattle(Pair("a", "", "h", "single"), "rate this").value();
  EXPECT_TRUE(Says(store->FinishAnswer(battle, 0, 1, "B", {}), "no side 1"));
  EXPECT_TRUE(Says(store->RecordVote(battle, "h", Outcome::kTie, "alice"), "before both answers finished"));
  ASSERT_TRUE(store->FinishAnswer(battle, 0, 0, "A", {42, 0, 0, 0}).ok());
  BattleRecord b = store->GetBattle(battle).value();
  EXPECT_EQ(b.model_b, "");
  EXPECT_TRUE(b.answered());
  EXPECT_TRUE(Says(store->RecordVote(battle, "h", Outcome::kTie, "alice", {{1, "accuracy", 3}}), "side 0"));
  EXPECT_FALSE(store->GetBattle(battle)->vote);  // rolled back with its scores
  ASSERT_TRUE(store->RecordVote(battle, "h", Outcome::kTie, "alice", {{0, "accuracy", 4}, {0, "fluency", 5}}).ok());
  const Battle rated = store->GetBattle(battle)->ForRatings();
  EXPECT_FALSE(rated.style);  // one answer: nothing to compare
  auto scores = store->RubricScores("single").value();
  ASSERT_EQ(scores.size(), 1u);
  ASSERT_EQ(scores[battle].size(), 2u);
  EXPECT_EQ(scores[battle][0].criterion, "accuracy");
  EXPECT_EQ(scores[battle][0].score, 4);
  EXPECT_TRUE(store->RubricScores("expert")->empty());
}

TEST_P(ArenaStoreTest, RubricScoresGoInWithTheVoteOrNotAtAll) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t battle = store->CreateBattle(Pair("a", "b", "h", "expert"), "p").value();
  Answer(*store, battle, 0);
  EXPECT_TRUE(Says(store->RecordVote(battle, "h", Outcome::kModelA, "alice", {{2, "accuracy", 1}}), "side 0 or 1"));
  EXPECT_TRUE(Says(store->RecordVote(battle, "h", Outcome::kModelA, "alice", {{0, "", 1}}), "criterion"));
  // The same score twice is refused by the database: the vote goes back out with it.
  Status twice = store->RecordVote(battle, "h", Outcome::kModelA, "alice", {{0, "accuracy", 1}, {0, "accuracy", 2}});
  EXPECT_EQ(twice.code(), Status::Code::kInvalidInput) << twice.ToString();
  EXPECT_FALSE(store->GetBattle(battle)->vote);
  ASSERT_TRUE(store->RecordVote(battle, "h", Outcome::kModelA, "alice", {{0, "accuracy", 4}, {1, "accuracy", 2}}).ok());
  auto scores = store->RubricScores("expert").value();
  ASSERT_EQ(scores[battle].size(), 2u);
  EXPECT_EQ(scores[battle][1].side, 1);
  EXPECT_EQ(scores[battle][1].score, 2);
  EXPECT_EQ(store->RubricScores("").value().size(), 1u);
}

TEST_P(ArenaStoreTest, FlagsKeepTheirFirstReason) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  const int64_t battle = AnsweredBattle(*store);
  ASSERT_TRUE(store->FlagBattle(battle, "duplicate_prompt", "same as battle 12").ok());
  ASSERT_TRUE(store->FlagBattle(battle, "duplicate_prompt", "same as battle 13").ok());
  ASSERT_TRUE(store->FlagBattle(battle, "identity_revealed", "turn 0 answer A names hanbit").ok());
  EXPECT_EQ(store->FlagBattle(99999, "duplicate_prompt", "x").code(), Status::Code::kNotFound);
  EXPECT_FALSE(store->FlagBattle(battle, "", "x").ok());
  const BattleRecord b = store->GetBattle(battle).value();
  ASSERT_EQ(b.flags.size(), 2u);
  EXPECT_EQ(b.flags.at("duplicate_prompt"), "same as battle 12");
  ASSERT_TRUE(store->RecordVote(battle, "hash-1", Outcome::kTie, "v").ok());
  EXPECT_EQ(store->Battles("public", true).value()[0].flags.size(), 2u);
}

TEST_P(ArenaStoreTest, BattlesByModeOldestFirst) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  std::vector<int64_t> ids;
  for (const char* mode : {"public", "expert", "public", "single", "public"}) {
    const bool single = std::string(mode) == "single";
    ids.push_back(store->CreateBattle(Pair("a", single ? "" : "b", "h", mode), std::string("prompt ") + mode).value());
    Answer(*store, ids.back(), 0, single);
  }
  ASSERT_TRUE(store->RecordVote(ids[4], "h", Outcome::kModelA, "v").ok());
  ASSERT_TRUE(store->RecordVote(ids[0], "h", Outcome::kModelB, "v").ok());
  auto all = store->Battles("", false).value();
  ASSERT_EQ(all.size(), 5u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, ids[i]);
  auto publics = store->Battles("public", false).value();
  ASSERT_EQ(publics.size(), 3u);
  EXPECT_EQ(publics[1].id, ids[2]);
  EXPECT_FALSE(publics[1].vote);
  auto voted = store->Battles("public", true).value();
  ASSERT_EQ(voted.size(), 2u);
  EXPECT_EQ(voted[0].id, ids[0]);  // oldest battle first, whatever the order of the votes
  const auto pairs = store->PairBattleCounts("public").value();
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs.at({"a", "b"}), 3);
  EXPECT_EQ(voted[1].id, ids[4]);
  EXPECT_EQ(voted[0].turns.size(), 1u);
  EXPECT_EQ(store->Battles("single", false)->size(), 1u);
  EXPECT_TRUE(store->Battles("expert", true)->empty());
  EXPECT_FALSE(store->Battles("secret", false).ok());
}

TEST_P(ArenaStoreTest, RecentPromptsNewestFirst) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t first = store->CreateBattle(Pair("a", "b"), "one").value();
  Answer(*store, first, 0);
  ASSERT_EQ(store->AddTurn(first, "one, again").value(), 1);
  ASSERT_TRUE(store->CreateAnsweredBattles("a", "b", "h", 5).ok());  // empty prompts: not listed
  const int64_t second = store->CreateBattle(Pair("b", "a"), "two").value();
  auto recent = store->RecentPrompts(10).value();
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0], std::make_pair(second, std::string("two")));
  EXPECT_EQ(recent[1], std::make_pair(first, std::string("one, again")));
  EXPECT_EQ(recent[2], std::make_pair(first, std::string("one")));
  EXPECT_EQ(store->RecentPrompts(1)->size(), 1u);
  EXPECT_TRUE(store->RecentPrompts(0)->empty());
}

TEST_P(ArenaStoreTest, ExpertsAreKnownByTheirTokensHash) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->AddExpert("alice", "hash-alice").ok());
  ASSERT_TRUE(store->AddExpert("bob", "hash-bob").ok());
  EXPECT_TRUE(Says(store->AddExpert("alice", "hash-other"), "already an expert"));
  EXPECT_FALSE(store->AddExpert("carol", "hash-bob").ok());
  EXPECT_FALSE(store->AddExpert("", "hash-x").ok());
  EXPECT_EQ(store->ExpertByToken("hash-alice").value(), std::optional<std::string>("alice"));
  EXPECT_EQ(store->ExpertByToken("hash-nobody").value(), std::nullopt);
  auto experts = store->Experts().value();
  ASSERT_EQ(experts.size(), 2u);
  EXPECT_EQ(experts[0].name, "alice");
  EXPECT_GT(experts[0].added_at, 1600000000000);
}

TEST_P(ArenaStoreTest, ExpertLoadCountsAssignmentsAndJudgements) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t p1 = store->AddExpertPrompt("Explain 김치찌개", "cooking").value();
  const int64_t p2 = store->AddExpertPrompt("Prove it", "").value();
  EXPECT_FALSE(store->AddExpertPrompt("", "x").ok());
  auto prompts = store->ExpertPrompts().value();
  ASSERT_EQ(prompts.size(), 2u);
  EXPECT_EQ(prompts[0].id, p1);
  EXPECT_EQ(prompts[0].text, "Explain 김치찌개");
  EXPECT_EQ(prompts[0].category, "cooking");

  NewBattle pairwise = Pair("a", "b", "h", "expert");
  pairwise.client = "alice";
  const int64_t judged = store->CreateBattle(pairwise, prompts[0].text).value();
  ASSERT_TRUE(store->LinkExpertPrompt(judged, p1).ok());
  Answer(*store, judged, 0);
  ASSERT_TRUE(store->RecordVote(judged, "h", Outcome::kModelA, "alice", {{0, "accuracy", 5}, {1, "accuracy", 3}}).ok());
  NewBattle single = Pair("b", "", "h", "single");
  single.client = "bob";
  const int64_t assigned = store->CreateBattle(single, prompts[0].text).value();
  ASSERT_TRUE(store->LinkExpertPrompt(assigned, p1).ok());
  const int64_t single_judged = store->CreateBattle(single, prompts[1].text).value();
  ASSERT_TRUE(store->LinkExpertPrompt(single_judged, p2).ok());
  Answer(*store, single_judged, 0, /*single=*/true);
  ASSERT_TRUE(store->RecordVote(single_judged, "h", Outcome::kTie, "bob", {{0, "accuracy", 4}}).ok());

  const int64_t public_battle = store->CreateBattle(Pair("a", "b"), "p").value();
  EXPECT_TRUE(Says(store->LinkExpertPrompt(public_battle, p1), "public"));
  EXPECT_EQ(store->LinkExpertPrompt(assigned, 99999).code(), Status::Code::kNotFound);
  EXPECT_EQ(store->LinkExpertPrompt(99999, p1).code(), Status::Code::kNotFound);

  const ArenaStore::ExpertLoad load = store->ExpertLoadNow().value();
  EXPECT_EQ(load.per_prompt.at(p1), 2);
  EXPECT_EQ(load.per_prompt.at(p2), 1);
  EXPECT_EQ(load.per_model.at("a"), 1);  // judged answers: the pairwise battle
  EXPECT_EQ(load.per_model.at("b"), 2);  // and the judged single one (the assigned one is not judged yet)
  EXPECT_EQ(load.seen.at({"alice", p1}), 1);
  EXPECT_EQ(load.seen.at({"bob", p1}), 1);
  EXPECT_EQ(load.seen.at({"bob", p2}), 1);
  EXPECT_EQ(load.seen.count({"alice", p2}), 0u);
}

TEST_P(ArenaStoreTest, FrozenRoundsHoldTheVotesCastUntilThen) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t first = store->CreateAnsweredBattles("a", "b", "h", 3).value();
  ASSERT_TRUE(store->RecordVote(first, "h", Outcome::kModelA, "v").ok());
  const FrozenRound round = store->FreezeRound("round-1").value();
  EXPECT_EQ(round.name, "round-1");
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(store->RecordVote(first + 1, "h", Outcome::kModelB, "v").ok());
  EXPECT_TRUE(Says(store->FreezeRound("round-1").status(), "frozen already"));
  EXPECT_FALSE(store->FreezeRound("").ok());

  auto in_round = store->Battles("public", true, round.frozen_at).value();
  ASSERT_EQ(in_round.size(), 1u);
  EXPECT_EQ(in_round[0].id, first);
  EXPECT_EQ(store->Battles("public", true).value().size(), 2u);
  auto all = store->Battles("public", false, round.frozen_at).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(all[0].vote);
  EXPECT_FALSE(all[1].vote);  // cast after the freeze: not the round's
  auto rounds = store->Rounds().value();
  ASSERT_EQ(rounds.size(), 1u);
  EXPECT_EQ(rounds[0].name, "round-1");
  EXPECT_EQ(rounds[0].frozen_at, round.frozen_at);
}

TEST_P(ArenaStoreTest, CreateAnsweredBattles) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const int64_t before = store->CreateBattle(Pair("a", "b"), "p").value();
  const int64_t first = store->CreateAnsweredBattles("a", "b", "seed-hash", 500).value();
  EXPECT_EQ(first, before + 1);
  const int64_t after = store->CreateBattle(Pair("a", "b"), "p").value();
  EXPECT_EQ(after, first + 500);  // consecutive, and the counter goes on after them
  auto battles = store->Battles("public", false).value();
  ASSERT_EQ(battles.size(), 502u);
  for (size_t i = 1; i <= 500; ++i) {
    const BattleRecord& b = battles[i];
    ASSERT_EQ(b.id, first + static_cast<int64_t>(i) - 1);
    EXPECT_EQ(b.model_a, "a");
    EXPECT_EQ(b.model_b, "b");
    EXPECT_EQ(b.token_hash, "seed-hash");
    ASSERT_EQ(b.turns.size(), 1u);
    EXPECT_EQ(b.turns[0].prompt, "");
    EXPECT_TRUE(b.answered());
  }
  EXPECT_TRUE(store->RecordVote(first + 499, "seed-hash", Outcome::kModelA, "v").ok());
  EXPECT_TRUE(Says(store->RecordVote(first + 500, "seed-hash", Outcome::kModelA, "v"), "wrong token"));
  EXPECT_FALSE(store->CreateAnsweredBattles("a", "b", "h", 0).ok());
  EXPECT_FALSE(store->CreateAnsweredBattles("a", "a", "h", 5).ok());
  EXPECT_TRUE(Says(store->CreateAnsweredBattles("a", "nobody", "h", 5).status(), "no registered model nobody"));
}

// The load benchmark seeds hundreds of thousands of battles before it starts: seconds.
TEST_P(ArenaStoreTest, SeedsTwoHundredThousandBattlesQuickly) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  const auto start = std::chrono::steady_clock::now();
  const int64_t first = store->CreateAnsweredBattles("a", "b", "h", 200000).value();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("seeded 200000 battles in %.2f s\n", seconds);
  // PostgreSQL checks each battle's foreign keys row by row (about 6 s here): a looser bound.
  EXPECT_LT(seconds, GetParam() == Backend::kSqlite ? 10 : 30);
  EXPECT_TRUE(store->RecordVote(first + 199999, "h", Outcome::kModelB, "v").ok());
  EXPECT_EQ(store->GetBattle(first + 123456)->turns.size(), 1u);
}

TEST_P(ArenaStoreTest, InjectionAttemptsAreStoredVerbatim) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  const std::string model = "x'); DROP TABLE votes; --";
  const std::string other = "\"quoted\" model ? $1 \\ /* not a comment */";
  const std::string prompt = "What's 1 ? 2 -- and $1, $2? '; DELETE FROM battles; --\n\t끝 \xF0\x9F\x98\x80";
  ASSERT_TRUE(store->RegisterModel(model, "id' OR '1'='1", "team\"; DROP SCHEMA public CASCADE; --").ok());
  ASSERT_TRUE(store->RegisterModel(other, "id-?").ok());
  NewBattle nb = Pair(model, other, "h' OR 1=1 --");
  nb.client = "Robert'); DROP TABLE students;--";
  const int64_t battle = store->CreateBattle(nb, prompt).value();
  ASSERT_TRUE(store->FinishAnswer(battle, 0, 0, "answer with ' and ? and $3", {}).ok());
  ASSERT_TRUE(store->FinishAnswer(battle, 0, 1, "/* ? */ -- ?", {}).ok());
  EXPECT_TRUE(Says(store->RecordVote(battle, "x' OR '1'='1", Outcome::kModelA, "v"), "wrong token"));
  ASSERT_TRUE(store->RecordVote(battle, "h' OR 1=1 --", Outcome::kModelA, "voter'--").ok());
  ASSERT_TRUE(store->FlagBattle(battle, "flag'; --", "reason ?").ok());
  ASSERT_TRUE(store->AddExpert("O'Brien; --", "hash'").ok());

  const BattleRecord b = store->GetBattle(battle).value();
  EXPECT_EQ(b.model_a, model);
  EXPECT_EQ(b.model_b, other);
  EXPECT_EQ(b.client, nb.client);
  EXPECT_EQ(b.turns[0].prompt, prompt);
  EXPECT_EQ(b.turns[0].answers[0], "answer with ' and ? and $3");
  EXPECT_EQ(b.turns[0].answers[1], "/* ? */ -- ?");
  EXPECT_EQ(b.vote->voter, "voter'--");
  EXPECT_EQ(b.flags.at("flag'; --"), "reason ?");
  EXPECT_EQ(store->ExpertByToken("hash'").value(), std::optional<std::string>("O'Brien; --"));
  const auto models = store->Models().value();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(Named(models, model).identity, "id' OR '1'='1");
  EXPECT_EQ(Named(models, model).team, "team\"; DROP SCHEMA public CASCADE; --");
  EXPECT_EQ(store->RecentPrompts(1).value()[0].second, prompt);
  EXPECT_EQ(store->Battles("public", true)->size(), 1u);  // every table still there
}

TEST_P(ArenaStoreTest, ReopenedStoreHasEverything) {
  int64_t battle = 0;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    battle = AnsweredBattle(*store);
    ASSERT_TRUE(store->RecordVote(battle, "hash-1", Outcome::kModelA, "v").ok());
    ASSERT_TRUE(store->AddExpert("alice", "ha").ok());
    ASSERT_TRUE(store->FreezeRound("r").ok());
  }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->GetBattle(battle)->vote->outcome, Outcome::kModelA);
  EXPECT_EQ(store->Models()->size(), 2u);
  EXPECT_EQ(store->Experts()->size(), 1u);
  EXPECT_EQ(store->Rounds()->size(), 1u);
  // Registering again on restart is idempotent; the next battle gets a new id.
  ASSERT_TRUE(store->RegisterModel("hanbit-7b", "sha256:aa", "hanbit").ok());
  EXPECT_GT(store->CreateBattle(Pair("hanbit-7b", "gaon-32b"), "p").value(), battle);
}

// Several servers starting at once on one database all create (or find) the schema.
TEST_P(ArenaStoreTest, StoresOpenedAtOnceAllWork) {
  constexpr int kOpeners = 6;
  std::latch start(kOpeners);
  std::vector<std::unique_ptr<ArenaStore>> stores(kOpeners);
  std::vector<Status> errors(kOpeners);
  std::vector<std::thread> openers;
  for (int i = 0; i < kOpeners; ++i) {
    openers.emplace_back([&, i] {
      start.arrive_and_wait();
      Result<std::unique_ptr<ArenaStore>> s = ArenaStore::Open(location_);
      if (s.ok()) stores[i] = std::move(s).value();
      else errors[i] = s.status();
    });
  }
  for (std::thread& t : openers) t.join();
  for (int i = 0; i < kOpeners; ++i) ASSERT_TRUE(stores[i]) << errors[i].ToString();
  ASSERT_TRUE(stores[0]->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(stores[kOpeners - 1]->RegisterModel("a", "id-a").ok());
  EXPECT_EQ(stores[1]->Models()->size(), 1u);
}

// The server drops every connection (a restart, a proxy's idle timeout): the store
// reconnects and goes on, in each of its connections.
TEST_P(ArenaStoreTest, ReconnectsWhenTheServerDropsItsConnections) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "SQLite has no server to drop connections";
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
  ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  auto busy = [&] {  // several threads, so that every pooled connection is in use
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 5; ++i) {
          Result<int64_t> battle = store->CreateBattle(Pair("a", "b"), "p");
          ASSERT_TRUE(battle.ok()) << battle.status().ToString();
          Result<BattleRecord> record = store->GetBattle(*battle);
          ASSERT_TRUE(record.ok()) << record.status().ToString();
        }
      });
    }
    for (std::thread& t : threads) t.join();
  };
  busy();
  // Votes too: the writer's connection has its statements prepared, and prepares them again.
  const int64_t answered = store->CreateAnsweredBattles("a", "b", "h", 2).value();
  ASSERT_TRUE(store->RecordVote(answered, "h", Outcome::kModelA, "v").ok());
  Result<SqlResult> dropped = admin_->Execute(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(dropped.ok()) << dropped.status().ToString();
  ASSERT_GE(dropped->rows.size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(store->Models()->size(), 2u);
  busy();
  Status voted = store->RecordVote(answered + 1, "h", Outcome::kModelB, "v");
  EXPECT_TRUE(voted.ok()) << voted.ToString();
  EXPECT_EQ(store->Battles("public", false)->size(), 62u);
  EXPECT_EQ(store->Battles("public", true)->size(), 2u);
}

// kill -9 in the middle of voting: every vote acknowledged before the kill is there when
// the database is opened again.
TEST_P(ArenaStoreTest, AcknowledgedVotesSurviveSigkill) {
  constexpr int64_t kSeeded = 50000;
  int64_t first = 0;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
    ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
    first = store->CreateAnsweredBattles("a", "b", "kill-hash", kSeeded).value();
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    Result<std::unique_ptr<ArenaStore>> store = ArenaStore::Open(location_);
    if (!store.ok()) _exit(3);
    // Vote until killed; write each battle id once its vote is acknowledged. Now and then
    // a battle of its own, created and answered, to cover that path too.
    for (int64_t i = 0; i < kSeeded; ++i) {
      int64_t id = first + i;
      if (i % 20 == 19) {
        Result<int64_t> created = (*store)->CreateBattle(Pair("a", "b", "kill-hash"), "p");
        if (!created.ok() || !(*store)->FinishAnswer(*created, 0, 0, "A", {}).ok() ||
            !(*store)->FinishAnswer(*created, 0, 1, "B", {}).ok()) {
          _exit(4);
        }
        id = *created;
      }
      if (!(*store)->RecordVote(id, "kill-hash", Outcome::kModelB, "v").ok()) _exit(5);
      if (write(fds[1], &id, sizeof id) != sizeof id) _exit(6);
    }
    _exit(7);  // ran out of battles before the kill
  }
  close(fds[1]);
  std::set<int64_t> acknowledged;
  int64_t id;
  while (acknowledged.size() < 300 && read(fds[0], &id, sizeof id) == sizeof id) acknowledged.insert(id);
  kill(child, SIGKILL);
  while (read(fds[0], &id, sizeof id) == sizeof id) acknowledged.insert(id);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the voter stopped by itself: " << WEXITSTATUS(status);
  ASSERT_GE(acknowledged.size(), 300u);

  auto store = OpenStore();
  ASSERT_TRUE(store);
  std::set<int64_t> voted;
  const std::vector<BattleRecord> battles = store->Battles("public", true).value();
  for (const BattleRecord& b : battles) voted.insert(b.id);
  for (int64_t ack : acknowledged) EXPECT_TRUE(voted.count(ack)) << "acknowledged vote on battle " << ack << " was lost";
  EXPECT_LE(voted.size(), acknowledged.size() + 1);  // perhaps one more: committed, not yet reported
}

// The drivers themselves.

TEST_P(SqlDatabaseTest, ValuesComeBackAsTheyWent) {
  auto db = OpenSqlDatabase(location_).value();
  ASSERT_TRUE(db->Execute("CREATE TABLE kv (k TEXT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT)").ok());
  const double third = 1.0 / 3;
  ASSERT_TRUE(db->Execute("INSERT INTO kv (k, i, r, t) VALUES (?, ?, ?, ?)",
                          {"a", int64_t{-9007199254740993}, third, "it's ? a '?' \"?\" -- ?"})
                  .ok());
  ASSERT_TRUE(db->Execute("INSERT INTO kv (k, i, r, t) VALUES (?, ?, ?, ?)", {"b", SqlValue(), SqlValue(), SqlValue()}).ok());
  // A `?` inside a literal is no placeholder.
  Result<SqlResult> r = db->Execute("SELECT k, i, r, t, '?' FROM kv WHERE k = ? OR k = '?' ORDER BY k", {"a"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 1u);
  const SqlRow& row = r->rows[0];
  EXPECT_EQ(row.Int(1), -9007199254740993);
  EXPECT_EQ(row.Real(2), third);  // exactly
  EXPECT_EQ(row.Text(3), "it's ? a '?' \"?\" -- ?");
  EXPECT_EQ(row.Text(4), "?");
  EXPECT_EQ(row.Real(1), -9007199254740992.0);
  EXPECT_EQ(row.Text(1), "-9007199254740993");
  Result<SqlResult> nulls = db->Execute("SELECT i, r, t FROM kv WHERE k = ?", {"b"});
  ASSERT_TRUE(nulls.ok());
  EXPECT_TRUE(nulls->rows[0].Null(0));
  EXPECT_EQ(nulls->rows[0].Int(1), std::nullopt);
  EXPECT_EQ(nulls->rows[0].Text(2), std::nullopt);
  Result<SqlResult> changed = db->Execute("UPDATE kv SET i = ? WHERE k IN ('a', 'b')", {7});
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->changes, 2);
  Result<SqlResult> duplicate = db->Execute("INSERT INTO kv (k) VALUES (?)", {"a"});
  EXPECT_EQ(duplicate.status().code(), Status::Code::kInvalidInput) << duplicate.status().ToString();
  EXPECT_EQ(db->Execute("SELECT nothing FROM nowhere").status().code(), Status::Code::kIoError);
}

TEST_P(SqlDatabaseTest, TransactionsCommitOrRollBack) {
  auto db = OpenSqlDatabase(location_).value();
  ASSERT_TRUE(db->Execute("CREATE TABLE n (v BIGINT)").ok());
  EXPECT_EQ(db->dialect(), GetParam() == Backend::kSqlite ? "sqlite" : "postgresql");
  Status failed = db->Transaction(SqlDatabase::Access::kWrite, [](SqlExecutor& sql) -> Status {
    KAIF_RETURN_IF_ERROR(sql.Execute("INSERT INTO n (v) VALUES (?)", {1}).status());
    return Status::InvalidInput("changed my mind");
  });
  EXPECT_TRUE(Says(failed, "changed my mind"));
  Status broken = db->Transaction(SqlDatabase::Access::kWrite, [](SqlExecutor& sql) -> Status {
    KAIF_RETURN_IF_ERROR(sql.Execute("INSERT INTO n (v) VALUES (?)", {2}).status());
    return sql.Execute("INSERT INTO nowhere VALUES (1)").status();
  });
  EXPECT_FALSE(broken.ok());
  ASSERT_TRUE(db->Transaction(SqlDatabase::Access::kWrite, [](SqlExecutor& sql) -> Status {
                  return sql.Execute("INSERT INTO n (v) VALUES (?)", {3}).status();
                }).ok());
  int64_t count = -1;
  ASSERT_TRUE(db->Transaction(SqlDatabase::Access::kRead, [&](SqlExecutor& sql) -> Status {
                  KAIF_ASSIGN_OR_RETURN(SqlResult r, sql.Execute("SELECT COUNT(*), MAX(v) FROM n"));
                  count = r.rows[0].Int(0).value_or(-1);
                  EXPECT_EQ(r.rows[0].Int(1), 3);
                  return Status::Ok();
                }).ok());
  EXPECT_EQ(count, 1);
  // Many threads through few connections.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&db, t] {
      for (int i = 0; i < 25; ++i) {
        Status s = db->Transaction(SqlDatabase::Access::kWrite, [&](SqlExecutor& sql) -> Status {
          return sql.Execute("INSERT INTO n (v) VALUES (?)", {t * 100 + i}).status();
        });
        EXPECT_TRUE(s.ok()) << s.ToString();
        EXPECT_TRUE(db->Execute("SELECT COUNT(*) FROM n").ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(db->Execute("SELECT COUNT(*) FROM n").value().rows[0].Int(0), 201);
}

TEST(SqlDatabaseTest, PlaceholdersAreNumberedForPostgres) {
  EXPECT_EQ(NumberPlaceholders("SELECT ?, '?', \"?\", 'it''s ?', ? -- ?\n, ? /* ? */, ?"),
            "SELECT $1, '?', \"?\", 'it''s ?', $2 -- ?\n, $3 /* ? */, $4");
  EXPECT_EQ(NumberPlaceholders("no parameters"), "no parameters");
  EXPECT_EQ(NumberPlaceholders("unterminated '?"), "unterminated '?");
}

// Opening what cannot be an arena: a clear error, never a crash.

TEST(ArenaStoreOpenTest, RefusesAFileThatIsNotADatabase) {
  kaif::testing::ScratchDir dir("arena-junk");
  std::ofstream(dir.path() / "junk.sqlite") << "not a database, not at all, certainly not SQLite format 3";
  Result<std::unique_ptr<ArenaStore>> store = ArenaStore::Open((dir.path() / "junk.sqlite").string());
  EXPECT_EQ(store.status().code(), Status::Code::kCorruption) << store.status().ToString();
}

TEST(ArenaStoreOpenTest, RefusesADatabaseOfAnotherShape) {
  kaif::testing::ScratchDir dir("arena-other");
  const std::string path = (dir.path() / "other.sqlite").string();
  {
    auto db = OpenSqlDatabase(path).value();  // an older arena's votes table, without its battles' tokens
    ASSERT_TRUE(db->Execute("CREATE TABLE battles (id INTEGER PRIMARY KEY, model_a TEXT, model_b TEXT, mode TEXT)").ok());
  }
  Result<std::unique_ptr<ArenaStore>> store = ArenaStore::Open(path);
  EXPECT_EQ(store.status().code(), Status::Code::kCorruption) << store.status().ToString();
  EXPECT_TRUE(Says(store.status(), "not an arena database"));
}

TEST(ArenaStoreOpenTest, SaysWhyAFileCannotBeOpened) {
  Result<std::unique_ptr<ArenaStore>> store = ArenaStore::Open("/nonexistent-kaif-dir/arena.sqlite");
  EXPECT_EQ(store.status().code(), Status::Code::kIoError) << store.status().ToString();
  EXPECT_TRUE(Says(store.status(), "/nonexistent-kaif-dir/arena.sqlite"));
  EXPECT_EQ(ArenaStore::Open("").status().code(), Status::Code::kInvalidInput);
}

TEST(ArenaStorePostgresOpenTest, MalformedUrlIsInvalidInput) {
  for (const char* url : {"postgresql://host:notaport/db", "postgresql://[::1/db", "postgres://h/db?nosuchoption=1"}) {
    Result<std::unique_ptr<ArenaStore>> store = ArenaStore::Open(url);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_NE(store.status().code(), Status::Code::kOk);
    EXPECT_TRUE(Says(store.status(), "postgres")) << url;
  }
  EXPECT_EQ(ArenaStore::Open("postgres://h/db?nosuchoption=1").status().code(), Status::Code::kInvalidInput);
}

TEST(ArenaStorePostgresOpenTest, UnreachableServerIsAnIoErrorWithoutThePassword) {
  // Port 1 on loopback: nothing listens there, and the refusal is immediate.
  Result<std::unique_ptr<ArenaStore>> store = ArenaStore::Open("postgresql://kaif:s3cret@127.0.0.1:1/arena");
  EXPECT_EQ(store.status().code(), Status::Code::kIoError) << store.status().ToString();
  EXPECT_TRUE(Says(store.status(), "cannot connect to PostgreSQL"));
  EXPECT_TRUE(Says(store.status(), "postgresql://kaif:***@127.0.0.1:1/arena"));
  EXPECT_EQ(store.status().message().find("s3cret"), std::string::npos) << store.status().message();
}

}  // namespace
}  // namespace kaif::arena
