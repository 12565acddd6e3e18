// The arena's records: registered models pinned to an identity, battles with their turns
// and answers, votes, flags, experts, rubric scores and frozen rounds. One schema, written
// once (store.cc) over two SQL databases: SQLite (WAL) for a file path, PostgreSQL for a
// postgresql:// URL, where several server processes share the records.
//
// What the vote-integrity rules need is enforced here, below any server:
// - a model name is bound to one identity (a weights hash, or endpoint + model + a
//   fingerprint of its answers) for good: registering the same name with another identity
//   is refused, so a model cannot be swapped under its name;
// - a withdrawn model takes no new battles, and its battles and votes stay in the data;
// - a battle takes one vote, only with the battle's token (held by whoever started it),
//   and only after every answer finished streaming;
// - a vote that was acknowledged is committed: a killed process loses none (tested with
//   SIGKILL).
#pragma once

#include <array>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "arena/battles.h"
#include "util/status.h"

namespace kaif::arena {

class SqlDatabase;

struct RegisteredModel {
  std::string name, identity, team;
  int64_t registered_at = 0;  // milliseconds since the epoch
  std::optional<int64_t> withdrawn_at;
};

// "public" battles come from the page; "expert" ones from experts, judged on the rubric
// (pairwise); "single" ones are an expert's rubric scores of one model's answer
// (model_b empty, never rated pairwise).
struct NewBattle {
  std::string model_a, model_b, mode;
  std::string client;      // who started it: the voter id the page sends, or the expert's name
  std::string network;     // the client's network prefix ("203.0.113.0/24")
  std::string token_hash;  // SHA-256 of the token a vote must present
};

struct Turn {
  std::string prompt;
  std::array<std::string, 2> answers;                  // model_a's, model_b's
  std::array<std::optional<AnswerStyle>, 2> finished;  // set once that answer finished
};

struct Vote {
  Outcome outcome = Outcome::kTie;
  std::string voter;
  int64_t cast_at = 0;
};

struct BattleRecord {
  int64_t id = 0;
  std::string model_a, model_b, mode, client, network, token_hash;
  int64_t created_at = 0;
  std::vector<Turn> turns;
  std::optional<Vote> vote;
  std::map<std::string, std::string> flags;  // flag name -> why ("duplicate_prompt" -> "same as battle 12")
  // Every answer of every turn finished.
  bool answered() const;
  // The battle in the ratings' form: style summed over its turns. Needs a vote.
  Battle ForRatings() const;
};

struct RubricScore {
  int side = 0;  // 0: model_a's answer, 1: model_b's
  std::string criterion;
  int score = 0;
};

struct Expert {
  std::string name;
  int64_t added_at = 0;
};

struct ExpertPrompt {
  int64_t id = 0;
  std::string text, category;
};

struct FrozenRound {
  std::string name;
  int64_t frozen_at = 0;  // votes cast up to here belong to the round
};

class ArenaStore {
 public:
  // A file path opens (or creates) SQLite; "postgresql://..." or "postgres://..." connects
  // to PostgreSQL. The schema is created if missing. IoError if the database cannot be
  // reached or opened; Corruption if it is not an arena database.
  static Result<std::unique_ptr<ArenaStore>> Open(const std::string& location);
  ~ArenaStore();
  ArenaStore(const ArenaStore&) = delete;
  ArenaStore& operator=(const ArenaStore&) = delete;

  // Idempotent for the same identity; InvalidInput for another.
  Status RegisterModel(const std::string& name, const std::string& identity, const std::string& team = "");
  Status WithdrawModel(const std::string& name);
  // Every model ever registered, withdrawn ones included (the public list).
  Result<std::vector<RegisteredModel>> Models();

  // A new battle between registered, active models (model_b empty for "single"); its id,
  // with its first turn's prompt.
  Result<int64_t> CreateBattle(const NewBattle& battle, const std::string& prompt);
  // Another turn of a battle that has no vote yet and whose answers all finished; its index.
  Result<int> AddTurn(int64_t battle, const std::string& prompt);
  // One answer of a turn finished streaming, with its text and style.
  Status FinishAnswer(int64_t battle, int turn, int side, const std::string& text, const AnswerStyle& style);
  // NotFound for no such battle.
  Result<BattleRecord> GetBattle(int64_t battle);

  // Records the vote in one statement, so concurrent voters cannot both win.
  // InvalidInput: no such battle, a wrong token, an answer still streaming, or a vote
  // already cast (each said in the message). `rubric` may be empty.
  // `reveal`, when given, receives what the voter sees after voting (the two models and
  // the battle's flags), read in the vote's own transaction.
  struct Reveal {
    std::string model_a, model_b;
    std::vector<std::string> flags;
  };
  Status RecordVote(int64_t battle, const std::string& token_hash, Outcome outcome, const std::string& voter,
                    const std::vector<RubricScore>& rubric = {}, Reveal* reveal = nullptr);
  // RecordVote without waiting: `done` gets its outcome on the store's vote writer thread
  // once the vote is committed or refused (on the caller's thread for malformed rubric
  // scores). The writer takes every vote queued meanwhile into one transaction (group
  // commit), each still its own statement, so a commit (a WAL write, a PostgreSQL fsync)
  // is paid once per batch, and a caller never holds a thread while it waits. A vote with
  // rubric scores gets a transaction of its own: all of it or none.
  using VoteDone = std::function<void(Status, Reveal)>;
  void RecordVoteLater(int64_t battle, std::string token_hash, Outcome outcome, std::string voter,
                       std::vector<RubricScore> rubric, VoteDone done);
  // Marks a battle (a filter excludes it); the same flag again keeps the first reason.
  Status FlagBattle(int64_t battle, const std::string& flag, const std::string& reason);

  // Battles of one mode ("" for all), oldest first, with turns, votes and flags.
  // `voted_only`: only those with a vote. `until`: only votes cast up to then (ms).
  Result<std::vector<BattleRecord>> Battles(const std::string& mode, bool voted_only,
                                            std::optional<int64_t> until = std::nullopt);
  // The rubric scores of every voted battle of a mode, by battle id.
  Result<std::map<int64_t, std::vector<RubricScore>>> RubricScores(const std::string& mode);
  // Battles of one mode per ordered pair (model_a, model_b) -> count: the pair-sampling
  // rule's state, read once at start-up.
  Result<std::map<std::pair<std::string, std::string>, int64_t>> PairBattleCounts(const std::string& mode);
  // The prompts of the most recent turns, newest first (duplicate detection on restart).
  Result<std::vector<std::pair<int64_t, std::string>>> RecentPrompts(size_t limit);

  // Experts are known by the SHA-256 of their token; the token itself is never stored.
  Status AddExpert(const std::string& name, const std::string& token_hash);
  Result<std::optional<std::string>> ExpertByToken(const std::string& token_hash);
  Result<std::vector<Expert>> Experts();
  Result<int64_t> AddExpertPrompt(const std::string& text, const std::string& category);
  Result<std::vector<ExpertPrompt>> ExpertPrompts();
  // Expert battles so far: (expert, prompt id, model) -> count, for balancing assignments.
  struct ExpertLoad {
    std::map<int64_t, int> per_prompt;                     // battles per expert prompt
    std::map<std::string, int> per_model;                  // answers judged per model
    std::map<std::pair<std::string, int64_t>, int> seen;   // (expert, prompt) already judged or assigned
  };
  Result<ExpertLoad> ExpertLoadNow();
  // Which expert prompt an expert battle answers (set when the battle is created).
  Status LinkExpertPrompt(int64_t battle, int64_t prompt_id);

  // Freezes a round: votes cast until now are its votes. InvalidInput if the name is taken.
  Result<FrozenRound> FreezeRound(const std::string& name);
  Result<std::vector<FrozenRound>> Rounds();

  // `count` battles between two models with both answers finished and empty prompts: the
  // load benchmark's and durability test's battles, whose answers are not what they
  // measure. Returns the first id; ids are consecutive. One transaction.
  Result<int64_t> CreateAnsweredBattles(const std::string& model_a, const std::string& model_b, const std::string& token_hash,
                                        size_t count);

 private:
  explicit ArenaStore(std::unique_ptr<SqlDatabase> db);
  struct PendingVote;
  void WriteVotes();  // the vote writer thread
  void CommitVotes(std::vector<PendingVote>& batch);

  std::unique_ptr<SqlDatabase> db_;
  // Votes waiting for the writer thread.
  std::mutex vote_mu_;
  std::condition_variable vote_queued_;
  std::vector<PendingVote> vote_queue_;  // GUARDED_BY(vote_mu_)
  bool stopping_ = false;                // GUARDED_BY(vote_mu_)
  std::thread vote_writer_;
};

}  // namespace kaif::arena
