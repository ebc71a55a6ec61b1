#include "search/cursor.h"

namespace tomes::search {

TermCursor::TermCursor(std::string_view docs_region, std::string_view freqs_region,
                       std::uint32_t count, std::uint32_t num_docs,
                       const std::uint32_t* doc_lengths, const Bm25& weight)
    : cursor_(docs_region, freqs_region, count, num_docs, doc_lengths),
      lengths_(doc_lengths),
      weight_(weight) {
  if (!cursor_.status().is_ok() || cursor_.doc() == kNoDoc) {
    shallow_last_ = kNoDoc;
    return;
  }
  // The term's bound: the best block's. A block can only beat the best so
  // far with a larger max tf or a smaller min dl, so most entries cost two
  // comparisons, not a division.
  std::uint32_t best_tf = 0, best_dl = 0xFFFFFFFFu;
  for (std::uint32_t i = 0; i < cursor_.num_blocks(); ++i) {
    const postings::BlockBounds b = cursor_.bounds(i);
    if (b.max_tf <= best_tf && b.min_dl >= best_dl) continue;
    max_score_ = std::max(max_score_, weight_.bound(b.max_tf, b.min_dl));
    if (b.max_tf >= best_tf && b.min_dl <= best_dl) best_tf = b.max_tf, best_dl = b.min_dl;
  }
  shallow_block_ = 0;
  shallow_last_ = cursor_.bounds(0).last_doc;
  shallow_bound_ = block_bound(0);
}

double TermCursor::block_bound(std::uint32_t i) const {
  const postings::BlockBounds b = cursor_.bounds(i);
  return weight_.bound(b.max_tf, b.min_dl);
}

void TermCursor::move_shallow(std::uint32_t target) {
  // Blocks before the cursor's own hold nothing it can still reach.
  if (!cursor_.status().is_ok()) {
    shallow_last_ = kNoDoc;
    shallow_bound_ = 0;
    return;
  }
  const std::uint32_t from = std::max(shallow_block_, std::min(cursor_.block_index(), cursor_.num_blocks()));
  const std::uint32_t i = cursor_.find_block(target, from);
  if (i >= cursor_.num_blocks()) {
    shallow_block_ = cursor_.num_blocks();
    shallow_last_ = kNoDoc;
    shallow_bound_ = 0;
    return;
  }
  shallow_block_ = i;
  shallow_last_ = cursor_.bounds(i).last_doc;
  shallow_bound_ = block_bound(i);
}

}  // namespace tomes::search
