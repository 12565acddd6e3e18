#include "arena/prompt_dedup.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>
#include <vector>

namespace kaif::arena {
namespace {

constexpr size_t kMaxPromptBytes = 1 << 20;
constexpr size_t kMaxWindow = size_t{1} << 30;  // keeps 32-bit chain links unambiguous (see Chain)
constexpr int kShingle = 4;
constexpr int kHashes = 128;
constexpr int kBands = 16, kRows = 4;  // over the first 64 hashes
constexpr int kTables = kBands + 1;    // the bands, and the exact text's hash
constexpr int kExactTable = kBands;
static_assert(kBands * kRows <= kHashes && kRows * 16 == 64, "a band packs its rows' 16-bit values into 64 bits");

using Signature = std::array<uint16_t, kHashes>;

// SplitMix64's finaliser: every input bit moves every output bit.
constexpr uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The MinHash family: h_i(x) = high 32 bits of (a_i x + b_i) mod 2^64, a_i odd, applied
// to a shingle's already mixed 64-bit hash x. Constants, fixed at compile time, so that
// signatures mean the same in every process.
struct Coefficients {
  std::array<uint64_t, kHashes> a{}, b{};
};
constexpr Coefficients MakeCoefficients() {
  Coefficients c;
  uint64_t state = 0x6b616966'61726e61ULL;  // "kaifarna"
  for (int i = 0; i < kHashes; ++i) {
    state += 0x9e3779b97f4a7c15ULL;
    c.a[i] = Mix(state) | 1;
    state += 0x9e3779b97f4a7c15ULL;
    c.b[i] = Mix(state);
  }
  return c;
}
constexpr Coefficients kCoefficients = MakeCoefficients();

// The normalised prompt as code points: single spaces between words, none at the ends.
struct Normalized {
  std::vector<UChar32> text;
  size_t chars = 0;  // code points other than spaces
};

Normalized Normalize(const std::string& prompt) {
  const size_t bytes = std::min(prompt.size(), kMaxPromptBytes);
  // Invalid UTF-8 becomes U+FFFD here: from now on everything is well-formed.
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(prompt.data(), static_cast<int32_t>(bytes)));
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu::UnicodeString n;
  if (U_SUCCESS(status)) n = nfkc_cf->normalize(u, status);
  if (U_FAILURE(status)) n = u.foldCase();  // no normalisation data: case folding still works
  Normalized out;
  out.text.reserve(static_cast<size_t>(n.length()));
  bool space = false;
  for (int32_t i = 0; i < n.length();) {
    const UChar32 c = n.char32At(i);
    i = n.moveIndex32(i, 1);
    if (u_isUWhiteSpace(c)) {
      space = true;
      continue;
    }
    if (U_GET_GC_MASK(c) & (U_GC_P_MASK | U_GC_CC_MASK | U_GC_CF_MASK | U_GC_CS_MASK)) continue;
    if (space && !out.text.empty()) out.text.push_back(' ');
    space = false;
    out.text.push_back(c);
    ++out.chars;
  }
  return out;
}

uint64_t TextHash(const std::vector<UChar32>& text) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a over code points, then mixed
  for (UChar32 c : text) h = (h ^ static_cast<uint32_t>(c)) * 0x100000001b3ULL;
  return Mix(h ^ text.size());
}

// Hashes of the shingles: every run of kShingle code points of the text without its
// spaces (the whole of it when shorter; nothing when empty).
std::vector<uint64_t> Shingles(const std::vector<UChar32>& text) {
  std::vector<UChar32> letters;
  letters.reserve(text.size());
  for (UChar32 c : text) {
    if (c != ' ') letters.push_back(c);
  }
  std::vector<uint64_t> out;
  if (letters.empty()) return out;
  const size_t k = std::min<size_t>(kShingle, letters.size());
  out.reserve(letters.size() - k + 1);
  for (size_t i = 0; i + k <= letters.size(); ++i) {
    uint64_t h = k;
    for (size_t j = 0; j < k; ++j) h = Mix(h ^ (static_cast<uint64_t>(static_cast<uint32_t>(letters[i + j])) << 8));
    out.push_back(h);
  }
  return out;
}

Signature MinHash(const std::vector<uint64_t>& shingles) {
  std::array<uint32_t, kHashes> low;
  // Four hash functions per pass over the shingles, their minima in registers: the
  // shingles are read 32 times instead of 128 (this loop is most of a Find's cost).
  for (int i = 0; i < kHashes; i += 4) {
    const uint64_t a0 = kCoefficients.a[i], a1 = kCoefficients.a[i + 1], a2 = kCoefficients.a[i + 2],
                   a3 = kCoefficients.a[i + 3];
    const uint64_t b0 = kCoefficients.b[i], b1 = kCoefficients.b[i + 1], b2 = kCoefficients.b[i + 2],
                   b3 = kCoefficients.b[i + 3];
    uint32_t m0 = UINT32_MAX, m1 = UINT32_MAX, m2 = UINT32_MAX, m3 = UINT32_MAX;
    for (uint64_t x : shingles) {
      m0 = std::min(m0, static_cast<uint32_t>((a0 * x + b0) >> 32));
      m1 = std::min(m1, static_cast<uint32_t>((a1 * x + b1) >> 32));
      m2 = std::min(m2, static_cast<uint32_t>((a2 * x + b2) >> 32));
      m3 = std::min(m3, static_cast<uint32_t>((a3 * x + b3) >> 32));
    }
    low[i] = m0, low[i + 1] = m1, low[i + 2] = m2, low[i + 3] = m3;
  }
  // Kept as 16 bits of a hash of each minimum (a minimum's own high bits are mostly
  // zeros): two different minima agree by chance with probability 2^-16, corrected for
  // in Similarity.
  Signature s;
  for (int i = 0; i < kHashes; ++i) s[i] = static_cast<uint16_t>(Mix(low[i]) >> 48);
  return s;
}

double Similarity(const Signature& a, const Signature& b) {
  int same = 0;
  for (int i = 0; i < kHashes; ++i) same += a[i] == b[i];
  constexpr double kChance = 1.0 / 65536;
  return std::clamp((same / static_cast<double>(kHashes) - kChance) / (1 - kChance), 0.0, 1.0);
}

uint64_t BandKey(const Signature& s, int band) {
  uint64_t key = 0;
  for (int r = 0; r < kRows; ++r) key = key << 16 | s[band * kRows + r];
  return key;
}

// A table's 32-bit key: never 0 (0 marks an empty slot). Different bands' keys are
// mixed apart, though each band has its own table anyway.
uint32_t TableKey(uint64_t key, int table) {
  const uint32_t k = static_cast<uint32_t>(Mix(key ^ (static_cast<uint64_t>(table) << 58)) >> 32);
  return k | 1;
}

// An open-addressing hash table from a 32-bit key to the newest entry's 32-bit sequence
// number: the head of that key's chain. Linear probing; deletion shifts the following
// entries back, so no tombstones accumulate in a table that sees one deletion per add.
class HeadTable {
 public:
  std::optional<uint32_t> Get(uint32_t key) const {
    if (slots_.empty()) return std::nullopt;
    for (size_t i = Home(key);; i = (i + 1) & Mask()) {
      if (slots_[i] == 0) return std::nullopt;
      if (KeyOf(slots_[i]) == key) return static_cast<uint32_t>(slots_[i]);
    }
  }
  void Set(uint32_t key, uint32_t value) {
    if ((used_ + 1) * 4 > slots_.size() * 3) Grow();
    for (size_t i = Home(key);; i = (i + 1) & Mask()) {
      if (slots_[i] == 0 || KeyOf(slots_[i]) == key) {
        used_ += slots_[i] == 0;
        slots_[i] = Pack(key, value);
        return;
      }
    }
  }
  void Erase(uint32_t key) {
    if (slots_.empty()) return;
    size_t i = Home(key);
    for (;; i = (i + 1) & Mask()) {
      if (slots_[i] == 0) return;
      if (KeyOf(slots_[i]) == key) break;
    }
    // Backward shift: move up every later entry of the run that may live at the hole.
    for (size_t j = (i + 1) & Mask(); slots_[j] != 0; j = (j + 1) & Mask()) {
      const size_t home = Home(KeyOf(slots_[j]));
      // The entry at j stays if its home lies cyclically in (i, j].
      const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = 0;
    --used_;
  }

 private:
  static uint64_t Pack(uint32_t key, uint32_t value) { return static_cast<uint64_t>(key) << 32 | value; }
  static uint32_t KeyOf(uint64_t slot) { return static_cast<uint32_t>(slot >> 32); }
  size_t Mask() const { return slots_.size() - 1; }
  size_t Home(uint32_t key) const { return static_cast<size_t>(key * 0x9e3779b9u) >> (32 - bits_); }
  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    bits_ = old.empty() ? 6 : bits_ + 1;
    slots_.assign(size_t{1} << bits_, 0);
    used_ = 0;
    for (uint64_t s : old) {
      if (s != 0) Set(KeyOf(s), static_cast<uint32_t>(s));
    }
  }

  std::vector<uint64_t> slots_;  // key << 32 | value; 0: empty
  size_t used_ = 0;
  int bits_ = 0;
};

}  // namespace

std::string NormalizePrompt(const std::string& prompt) {
  const Normalized n = Normalize(prompt);
  icu::UnicodeString u;
  for (UChar32 c : n.text) u.append(c);
  std::string out;
  u.toUTF8String(out);
  return out;
}

double ShingleJaccard(const std::string& a, const std::string& b) {
  const std::vector<uint64_t> va = Shingles(Normalize(a).text), vb = Shingles(Normalize(b).text);
  const std::unordered_set<uint64_t> sa(va.begin(), va.end()), sb(vb.begin(), vb.end());
  if (sa.empty() && sb.empty()) return 1;
  size_t both = 0;
  for (uint64_t x : sa) both += sb.count(x);
  return static_cast<double>(both) / static_cast<double>(sa.size() + sb.size() - both);
}

// The remembered prompts: a ring of entries in the order added, numbered by a 64-bit
// sequence number (the ring's slot is the number modulo the window). Each table maps a
// key (a band of the signature, or the text's hash) to the newest entry having it, and
// each entry links to the previous entry with the same key: a chain, newest first.
// Chains are never unlinked: they end where the next link points to a forgotten entry
// (links are 32-bit; with at most 2^30 entries alive and a link at most two windows
// old, the distance to a linked entry never wraps).
class PromptDedup::Index {
 public:
  explicit Index(PromptDedupOptions options) : options_(options) {
    options_.window = std::clamp<size_t>(options_.window, 1, kMaxWindow);
    options_.max_candidates = std::max<size_t>(1, options_.max_candidates);
    // ICU loads its normalisation data on first use; load it here, before the server's
    // threads ask, rather than inside ICU's own lazy initialisation under contention.
    UErrorCode status = U_ZERO_ERROR;
    (void)icu::Normalizer2::getNFKCCasefoldInstance(status);
  }

  struct Query {
    bool short_prompt = false;
    bool banded = false;  // has shingles, so takes part in near-duplicate search
    uint64_t text_hash = 0;
    Signature signature{};
  };

  Query Prepare(const std::string& prompt) const {
    const Normalized n = Normalize(prompt);
    Query q;
    q.short_prompt = n.chars < options_.min_chars;
    q.text_hash = TextHash(n.text);
    const std::vector<uint64_t> shingles = Shingles(n.text);
    q.banded = !shingles.empty() && !q.short_prompt;
    q.signature = MinHash(shingles);
    return q;
  }

  std::optional<PromptMatch> Find(const Query& q) const {
    if (q.short_prompt && !options_.flag_short_exact) return std::nullopt;
    std::shared_lock<std::shared_mutex> lock(mu_);
    std::optional<PromptMatch> found;
    Chain(kExactTable, TableKey(q.text_hash, kExactTable), [&](const Entry& e) {
      if (e.text_hash != q.text_hash || e.signature != q.signature) return true;
      found = PromptMatch{e.id, 1.0, true};
      return false;
    });
    if (found || !q.banded) return found;
    std::vector<uint64_t> seen;
    for (int band = 0; band < kBands && seen.size() < options_.max_candidates; ++band) {
      Chain(band, TableKey(BandKey(q.signature, band), band), [&](const Entry& e) {
        if (std::find(seen.begin(), seen.end(), e.seq) != seen.end()) return true;
        seen.push_back(e.seq);
        const double s = Similarity(q.signature, e.signature);
        if (s >= options_.threshold && (!found || s > found->similarity)) found = PromptMatch{e.id, s, false};
        return seen.size() < options_.max_candidates;
      });
    }
    return found;
  }

  void Add(int64_t id, const Query& q) {
    if (q.short_prompt && !options_.flag_short_exact) return;
    std::unique_lock<std::shared_mutex> lock(mu_);
    if (next_ - first_ == options_.window) Forget();
    const size_t slot = static_cast<size_t>(next_ % options_.window);
    if (slot == entries_.size()) entries_.emplace_back();
    Entry& e = entries_[slot];
    e.seq = next_;
    e.id = id;
    e.text_hash = q.text_hash;
    e.signature = q.signature;
    e.banded = q.banded;
    const uint32_t seq32 = static_cast<uint32_t>(next_);
    for (int t = 0; t < kTables; ++t) {
      if (t != kExactTable && !e.banded) continue;
      const uint32_t key = KeyOf(e, t);
      // No previous head: the link points at the entry itself, which ends the chain.
      e.next[t] = tables_[t].Get(key).value_or(seq32);
      tables_[t].Set(key, seq32);
    }
    ++next_;
  }

  size_t Size() const {
    std::shared_lock<std::shared_mutex> lock(mu_);
    return static_cast<size_t>(next_ - first_);
  }

 private:
  struct Entry {
    uint64_t seq = 0;
    int64_t id = 0;
    uint64_t text_hash = 0;
    Signature signature{};
    std::array<uint32_t, kTables> next{};
    bool banded = false;
  };

  static uint32_t KeyOf(const Entry& e, int table) {
    return TableKey(table == kExactTable ? e.text_hash : BandKey(e.signature, table), table);
  }

  // How many adds ago the entry with this 32-bit sequence number was added; alive when
  // 1..Size().
  uint64_t Age(uint32_t seq32) const { return static_cast<uint32_t>(static_cast<uint32_t>(next_) - seq32); }

  // Calls visit(entry) along the chain of `key` in `table`, newest first, while it
  // returns true.
  template <typename Visit>
  void Chain(int table, uint32_t key, Visit visit) const {
    std::optional<uint32_t> head = tables_[table].Get(key);
    if (!head) return;
    const uint64_t alive = next_ - first_;
    uint64_t age = Age(*head);
    while (age >= 1 && age <= alive) {
      const Entry& e = entries_[static_cast<size_t>((next_ - age) % options_.window)];
      if (!visit(e)) return;
      const uint64_t older = Age(e.next[table]);
      if (older <= age) return;  // the end of the chain (a link to itself)
      age = older;
    }
  }

  void Forget() {
    const Entry& e = entries_[static_cast<size_t>(first_ % options_.window)];
    for (int t = 0; t < kTables; ++t) {
      if (t != kExactTable && !e.banded) continue;
      const uint32_t key = KeyOf(e, t);
      // Only a chain whose newest entry is this one is empty now; a longer chain simply
      // ends before it from now on.
      if (tables_[t].Get(key) == static_cast<uint32_t>(e.seq)) tables_[t].Erase(key);
    }
    ++first_;
  }

  PromptDedupOptions options_;
  mutable std::shared_mutex mu_;
  std::vector<Entry> entries_;  // GUARDED_BY(mu_)
  std::array<HeadTable, kTables> tables_;  // GUARDED_BY(mu_)
  uint64_t first_ = 0, next_ = 0;  // GUARDED_BY(mu_): the oldest entry's number, the next one's
};

PromptDedup::PromptDedup(PromptDedupOptions options) : index_(std::make_unique<Index>(options)) {}

PromptDedup::~PromptDedup() = default;

std::optional<PromptMatch> PromptDedup::Find(const std::string& prompt) const { return index_->Find(index_->Prepare(prompt)); }

void PromptDedup::Add(int64_t id, const std::string& prompt) { index_->Add(id, index_->Prepare(prompt)); }

size_t PromptDedup::Size() const { return index_->Size(); }

}  // namespace kaif::arena
