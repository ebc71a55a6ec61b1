#include "search/algorithms.h"

#include "search/algorithms_impl.h"

namespace tomes::search {

void exhaustive(std::vector<TermCursor>& cursors, const std::vector<std::uint32_t>& group, std::uint32_t base,
                TopK* top) {
  exhaustive<TermCursor>(cursors, group, base, top);
}
void max_score(std::vector<TermCursor>& cursors, const std::vector<std::uint32_t>& group, std::uint32_t base,
               TopK* top) {
  max_score<TermCursor>(cursors, group, base, top);
}
void block_max_wand(std::vector<TermCursor>& cursors, const std::vector<std::uint32_t>& group,
                    std::uint32_t base, TopK* top) {
  block_max_wand<TermCursor>(cursors, group, base, top);
}

QueryAlgorithm algorithm_function(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kExhaustive:
      return exhaustive;
    case Algorithm::kMaxScore:
      return max_score;
    case Algorithm::kBlockMaxWand:
      return block_max_wand;
    case Algorithm::kDefault:
      break;
  }
  return max_score;
}

const char* algorithm_name(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kExhaustive:
      return "exhaustive";
    case Algorithm::kMaxScore:
      return "maxscore";
    case Algorithm::kBlockMaxWand:
      return "bmw";
    case Algorithm::kDefault:
      break;
  }
  return "default";
}

bool parse_algorithm(std::string_view name, Algorithm* out) {
  for (Algorithm a : {Algorithm::kDefault, Algorithm::kExhaustive, Algorithm::kMaxScore,
                      Algorithm::kBlockMaxWand}) {
    if (name == algorithm_name(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

}  // namespace tomes::search
