// Proof of work for anonymous votes: a vote must carry a nonce such that the SHA-256 of
// the text `challenge + ":" + nonce` starts with `bits` zero bits. The page finds one
// while the answers stream (about 2^bits hashes, a fraction of a second in a browser
// at 16 bits), so a person does not wait, but a script casting thousands of votes pays
// for each one.
//
// Stateless: the challenge is an HMAC of the battle's id under the server's secret, so
// any server process holding the secret recomputes it, nothing is stored, and a client
// cannot choose a challenge whose work it has already done (one battle, one challenge,
// one vote: the store takes one vote per battle).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kaif::arena {

// Lowercase hex HMAC-SHA256(secret, "battle:" + battle_id): 64 characters.
std::string PowChallenge(const std::string& secret, int64_t battle_id);

// Whether `challenge` is PowChallenge(secret, battle_id), compared in constant time (for
// a challenge a client sends back; recomputing it as the server does needs no compare).
bool PowChallengeValid(const std::string& secret, int64_t battle_id, const std::string& challenge);

// Whether SHA-256(challenge + ":" + nonce) has at least `bits` leading zero bits. `bits`
// 0 (or less) needs no work: true for any nonce. Otherwise the nonce must be 1 to 32
// decimal digits (false for anything else: empty, signs, spaces, longer), and `bits`
// over 256 is never satisfied.
bool PowSatisfied(const std::string& challenge, const std::string& nonce, int bits);

// The first nonce "0", "1", "2", ... that satisfies PowSatisfied (what the page does),
// or nullopt after `max_tries` nonces or for bits over 256. For tests and load tools.
std::optional<std::string> SolvePow(const std::string& challenge, int bits, uint64_t max_tries = UINT64_MAX);

// Leading zero bits of a byte string (8 per zero byte, then the first set bit's place).
int LeadingZeroBits(std::string_view bytes);

}  // namespace kaif::arena
