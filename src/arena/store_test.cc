#include "arena/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "support/example_paths.h"

namespace kaif::arena {
namespace {

TEST(ArenaStoreTest, ModelsArePinnedAndWithdrawnModelsKeepTheirVotes) {
  kaif::testing::ScratchDir dir("kaif-arena-store");
  auto store = ArenaStore::Open(dir.path() / "arena.sqlite").value();
  ASSERT_TRUE(store->RegisterModel("hanbit-7b", "sha256:aa").ok());
  ASSERT_TRUE(store->RegisterModel("hanbit-7b", "sha256:aa").ok());  // the same again: fine
  Status swapped = store->RegisterModel("hanbit-7b", "sha256:bb");
  EXPECT_FALSE(swapped.ok());
  EXPECT_NE(swapped.message().find("cannot be replaced under its name"), std::string::npos);
  ASSERT_TRUE(store->RegisterModel("gaon-32b", "endpoint:https://api.example/v1 gaon probe:1f2e").ok());

  const int64_t battle = store->CreateBattle("hanbit-7b", "gaon-32b", "public").value();
  EXPECT_FALSE(store->CreateBattle("hanbit-7b", "hanbit-7b", "public").ok());
  EXPECT_FALSE(store->CreateBattle("hanbit-7b", "nobody", "public").ok());
  EXPECT_FALSE(store->CreateBattle("hanbit-7b", "gaon-32b", "secret").ok());

  // No vote while an answer is still streaming.
  ASSERT_TRUE(store->FinishAnswer(battle, 0, {310, 2, 3, 1}).ok());
  Status early = store->RecordVote(battle, Outcome::kModelA, "voter-1");
  EXPECT_NE(early.message().find("before both answers finished"), std::string::npos) << early.ToString();
  ASSERT_TRUE(store->FinishAnswer(battle, 1, {120, 0, 0, 0}).ok());
  ASSERT_TRUE(store->RecordVote(battle, Outcome::kModelA, "voter-1").ok());
  Status again = store->RecordVote(battle, Outcome::kModelB, "voter-2");
  EXPECT_NE(again.message().find("already has its vote"), std::string::npos) << again.ToString();
  EXPECT_NE(store->RecordVote(9999, Outcome::kTie, "v").message().find("no battle 9999"), std::string::npos);
  EXPECT_FALSE(store->FinishAnswer(9999, 0, {}).ok());
  EXPECT_FALSE(store->FinishAnswer(battle, 2, {}).ok());

  // Withdrawn: no new battles, the old vote stays in the data and the public list.
  ASSERT_TRUE(store->WithdrawModel("hanbit-7b").ok());
  EXPECT_FALSE(store->WithdrawModel("nobody").ok());
  EXPECT_FALSE(store->CreateBattle("hanbit-7b", "gaon-32b", "public").ok());
  auto battles = store->VotedBattles("public").value();
  ASSERT_EQ(battles.size(), 1u);
  EXPECT_EQ(battles[0].model_a, "hanbit-7b");
  EXPECT_EQ(battles[0].outcome, Outcome::kModelA);
  ASSERT_TRUE(battles[0].style);
  EXPECT_EQ((*battles[0].style)[0].tokens, 310);
  EXPECT_TRUE(store->VotedBattles("expert").value().empty());
  auto models = store->Models().value();
  ASSERT_EQ(models.size(), 2u);
  int withdrawn = 0;
  for (const auto& m : models) withdrawn += m.withdrawn_at.has_value();
  EXPECT_EQ(withdrawn, 1);

  // Reopened: all of it is still there; a file that is not an arena database is refused.
  store.reset();
  EXPECT_EQ(ArenaStore::Open(dir.path() / "arena.sqlite").value()->VotedBattles("public").value().size(), 1u);
  std::ofstream(dir.path() / "junk.sqlite") << "not a database, not at all, certainly not SQLite format 3";
  EXPECT_FALSE(ArenaStore::Open(dir.path() / "junk.sqlite").ok());
}

// kill -9 in the middle of voting: every vote acknowledged before the kill is in the
// database when it is opened again.
TEST(ArenaStoreTest, AcknowledgedVotesSurviveSigkill) {
  kaif::testing::ScratchDir dir("kaif-arena-kill");
  const auto path = dir.path() / "arena.sqlite";
  {
    auto store = ArenaStore::Open(path).value();
    ASSERT_TRUE(store->RegisterModel("a", "id-a").ok());
    ASSERT_TRUE(store->RegisterModel("b", "id-b").ok());
  }
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto store = ArenaStore::Open(path);
    if (!store.ok()) _exit(3);
    for (;;) {  // vote until killed; write each battle id once its vote is acknowledged
      auto battle = (*store)->CreateBattle("a", "b", "public");
      if (!battle.ok() || !(*store)->FinishAnswer(*battle, 0, {}).ok() || !(*store)->FinishAnswer(*battle, 1, {}).ok() ||
          !(*store)->RecordVote(*battle, Outcome::kModelB, "v").ok()) {
        _exit(4);
      }
      const int64_t id = *battle;
      if (write(fds[1], &id, sizeof id) != sizeof id) _exit(5);
    }
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

  auto store = ArenaStore::Open(path).value();
  const auto votes = store->VotedBattles("public").value();
  EXPECT_GE(votes.size(), acknowledged.size());  // every acknowledged vote, and perhaps one more
}

}  // namespace
}  // namespace kaif::arena
