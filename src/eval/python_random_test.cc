#include "eval/python_random.h"

#include <gtest/gtest.h>

namespace kaif::eval {
namespace {

// Expected values printed by CPython 3.11's random module.
TEST(PythonRandomTest, MatchesCPython) {
  PythonRandom r(1234);
  EXPECT_EQ(r.Random(), 0.9664535356921388);
  EXPECT_EQ(r.Random(), 0.4407325991753527);
  EXPECT_EQ(r.Random(), 0.007491470058587191);
  EXPECT_EQ(PythonRandom(1234).Sample(10, 5), (std::vector<size_t>{7, 1, 0, 9, 4}));
  EXPECT_EQ(PythonRandom(1234).Sample(1000, 6), (std::vector<size_t>{989, 796, 451, 119, 7, 92}));
  EXPECT_EQ(PythonRandom(42).Sample(100, 30),
            (std::vector<size_t>{81, 14, 3,  94, 35, 31, 28, 17, 13, 86, 69, 11, 75, 54, 4,
                                 97, 88, 27, 29, 64, 77, 84, 71, 25, 89, 53, 93, 57, 95, 0}));
  PythonRandom bits(0);
  std::vector<uint32_t> drawn;
  for (int i = 0; i < 5; ++i) drawn.push_back(bits.GetRandBits(7));
  EXPECT_EQ(drawn, (std::vector<uint32_t>{108, 49, 97, 113, 53}));
  EXPECT_EQ(PythonRandom((uint64_t{1} << 40) + 5).Sample(7, 7), (std::vector<size_t>{4, 6, 2, 0, 5, 3, 1}));
}

}  // namespace
}  // namespace kaif::eval
