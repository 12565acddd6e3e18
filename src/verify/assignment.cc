#include "verify/assignment.h"

#include <cmath>
#include <limits>

namespace kaif::verify {

Result<std::vector<size_t>> MaximumAssignment(const std::vector<float>& score, size_t rows, size_t n) {
  if (score.size() != rows * n) return Status::InvalidInput("the score matrix is not rows x cols");
  if (rows > n) return Status::InvalidInput("more rows than columns to assign them to");
  for (float s : score) {
    if (std::isnan(s)) return Status::InvalidInput("the score matrix holds a NaN");
  }
  // Minimise cost = -score. Columns and rows are 1-based inside; column 0 is the root of
  // each search. row_of[j]: the row assigned to column j; u, v: dual potentials. n is the
  // number of columns; with fewer rows, columns stay free.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(rows + 1, 0), v(n + 1, 0), slack(n + 1);
  std::vector<size_t> row_of(n + 1, 0), previous(n + 1, 0);
  std::vector<char> visited(n + 1);
  for (size_t row = 1; row <= rows; ++row) {
    // Dijkstra over columns with reduced costs, from a virtual column holding `row`,
    // until a free column is reached; then flip the path.
    row_of[0] = row;
    size_t column = 0;
    std::fill(slack.begin(), slack.end(), inf);
    std::fill(visited.begin(), visited.end(), 0);
    do {
      visited[column] = 1;
      const size_t i = row_of[column];
      const float* costs = score.data() + (i - 1) * n;
      double delta = inf;
      size_t next = 0;
      for (size_t j = 1; j <= n; ++j) {
        if (visited[j]) continue;
        const double reduced = -static_cast<double>(costs[j - 1]) - u[i] - v[j];
        if (reduced < slack[j]) slack[j] = reduced, previous[j] = column;
        if (slack[j] < delta) delta = slack[j], next = j;
      }
      for (size_t j = 0; j <= n; ++j) {
        if (visited[j]) {
          u[row_of[j]] += delta;
          v[j] -= delta;
        } else {
          slack[j] -= delta;
        }
      }
      column = next;
    } while (row_of[column] != 0);
    while (column != 0) {
      const size_t back = previous[column];
      row_of[column] = row_of[back];
      column = back;
    }
  }
  std::vector<size_t> assignment(rows);
  for (size_t j = 1; j <= n; ++j) {
    if (row_of[j] != 0) assignment[row_of[j] - 1] = j - 1;
  }
  return assignment;
}

}  // namespace kaif::verify
