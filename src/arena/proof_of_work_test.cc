#include "arena/proof_of_work.h"

#include <gtest/gtest.h>

#include "util/sha256.h"

namespace kaif::arena {
namespace {

// Every vector below is from Python's hmac and hashlib:
//   hmac.new(secret, b"battle:%d" % battle_id, hashlib.sha256).hexdigest()
//   hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()  (leading zero bits counted)
const std::string kChallenge42 = "787eadb2a0177484a7fb8f4593b94f0dfcd2f91357f8cfc6a547add2369bde0a";

TEST(ProofOfWorkTest, ChallengeIsHmacSha256OfTheBattle) {
  EXPECT_EQ(PowChallenge("arena-secret", 1), "e89d8b9b4994a90c7bfbaf27cebbfa1e7a635be41f80a1b6b4d1f1ca62dbb81a");
  EXPECT_EQ(PowChallenge("arena-secret", 42), kChallenge42);
  EXPECT_EQ(PowChallenge("", 0), "2294405e4805f012c0e20bb3e125f775d814504e1688faf1d1e6062bb3cb4a0e");
  EXPECT_EQ(PowChallenge("k", -7), "5d98f86fa4ec072496d202f389b5f4fbe7bfd4fa5af3bdb6c7e7562c38d8d71a");
  EXPECT_EQ(PowChallenge("arena-secret", INT64_MAX), "fbf95f275264c4b13dfe1709a2f89e48f1c278287e93240f06fe3fff0f9c2d2d");
  EXPECT_NE(PowChallenge("another-secret", 42), kChallenge42);
}

TEST(ProofOfWorkTest, ChallengeCheckedOnlyWhenExact) {
  EXPECT_TRUE(PowChallengeValid("arena-secret", 42, kChallenge42));
  EXPECT_FALSE(PowChallengeValid("arena-secret", 43, kChallenge42));
  EXPECT_FALSE(PowChallengeValid("other", 42, kChallenge42));
  std::string flipped = kChallenge42;
  flipped[63] = flipped[63] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(PowChallengeValid("arena-secret", 42, flipped));
  EXPECT_FALSE(PowChallengeValid("arena-secret", 42, kChallenge42.substr(0, 63)));
  EXPECT_FALSE(PowChallengeValid("arena-secret", 42, kChallenge42 + "0"));
  EXPECT_FALSE(PowChallengeValid("arena-secret", 42, ""));
}

TEST(ProofOfWorkTest, LeadingZeroBitsOfEveryLength) {
  for (int bits = 0; bits <= 256; ++bits) {
    std::string bytes(32, '\xff');
    for (int i = 0; i < bits; ++i) bytes[i / 8] = static_cast<char>(static_cast<unsigned char>(bytes[i / 8]) & ~(0x80 >> (i % 8)));
    EXPECT_EQ(LeadingZeroBits(bytes), bits);
    if (bits < 256) {
      // Bits after the first set one do not count.
      bytes[bits / 8] = static_cast<char>(static_cast<unsigned char>(bytes[bits / 8]) & ~(0xff >> (bits % 8 + 1)));
      EXPECT_EQ(LeadingZeroBits(bytes), bits);
    }
  }
  EXPECT_EQ(LeadingZeroBits(""), 0);
}

// The first nonce with at least b leading zero bits, b = 0..16, and the bits it has.
TEST(ProofOfWorkTest, SolvesFromZeroUpLikeThePage) {
  const int first[17] = {0, 0, 0, 0, 34, 38, 108, 257, 257, 257, 257, 3389, 3389, 3389, 3389, 8460, 51424};
  for (int bits = 0; bits <= 16; ++bits) {
    std::optional<std::string> nonce = SolvePow(kChallenge42, bits);
    ASSERT_TRUE(nonce.has_value()) << bits;
    EXPECT_EQ(*nonce, std::to_string(first[bits])) << bits;
    EXPECT_TRUE(PowSatisfied(kChallenge42, *nonce, bits)) << bits;
  }
  EXPECT_EQ(SolvePow(kChallenge42, 14, 3389), std::nullopt);  // tries 0..3388
  EXPECT_EQ(SolvePow(kChallenge42, 14, 3390), "3389");
  EXPECT_EQ(SolvePow(kChallenge42, 257), std::nullopt);
}

TEST(ProofOfWorkTest, CountsBitsExactlyUpTo25) {
  // nonce -> exactly this many leading zero bits.
  const std::pair<const char*, int> exact[] = {{"0", 3},      {"34", 4},      {"38", 5},       {"108", 6},
                                               {"257", 10},   {"3389", 14},   {"8460", 15},    {"51424", 17},
                                               {"466512", 18}, {"495735", 21}, {"2137028", 22}, {"12234827", 25}};
  for (auto [nonce, bits] : exact) {
    for (int b = 0; b <= bits; ++b) EXPECT_TRUE(PowSatisfied(kChallenge42, nonce, b)) << nonce << " " << b;
    EXPECT_FALSE(PowSatisfied(kChallenge42, nonce, bits + 1)) << nonce;
  }
  EXPECT_FALSE(PowSatisfied(kChallenge42, "12234827", 256));
  EXPECT_FALSE(PowSatisfied(kChallenge42, "12234827", 257));
  // The work is bound to the challenge.
  EXPECT_FALSE(PowSatisfied(PowChallenge("arena-secret", 41), "12234827", 20));
}

TEST(ProofOfWorkTest, NonceMustBeOneToThirtyTwoDigits) {
  // Each of these hashes to at least 8 leading zero bits (checked below), so only its
  // form refuses it.
  const std::string bad[] = {"-37", "+46", " 355", "531 ", "557.0", "0x71", "13\xd9\xa1" /* Arabic-Indic one */,
                             "a306", std::string("706\0", 4), "100000000000000000000000000000319" /* 33 digits */};
  for (const std::string& nonce : bad) {
    EXPECT_EQ(Sha256Hex(kChallenge42 + ":" + nonce).substr(0, 2), "00") << nonce;
    EXPECT_FALSE(PowSatisfied(kChallenge42, nonce, 8)) << nonce;
    EXPECT_FALSE(PowSatisfied(kChallenge42, nonce, 1)) << nonce;
    EXPECT_TRUE(PowSatisfied(kChallenge42, nonce, 0)) << nonce;  // no work asked: any nonce
  }
  EXPECT_TRUE(PowSatisfied(kChallenge42, "10000000000000000000000000000046", 8));  // 32 digits
  EXPECT_FALSE(PowSatisfied(kChallenge42, "", 1));
  EXPECT_TRUE(PowSatisfied(kChallenge42, "", 0));
  EXPECT_TRUE(PowSatisfied(kChallenge42, "anything", -3));
}

}  // namespace
}  // namespace kaif::arena
