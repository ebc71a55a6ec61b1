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
  // The term's bound: the best impact pair's, over all blocks, picked
  // without divisions (Bm25::beats); most pairs cost the two comparisons of
  // a dominance check. A tf of +infinity gives the limit, idf.
  postings::Impact best{0, 0};
  bool unbounded = false;
  for (std::uint32_t i = 0; i < cursor_.num_blocks() && !unbounded; ++i) {
    const postings::BlockBounds b = cursor_.bounds(i);
    for (std::uint32_t j = 0; j < b.count; ++j) {
      const postings::Impact p = b.impacts[j];
      if (p.tf <= best.tf && p.dl >= best.dl) continue;
      if (p.tf == 0xFFFFFFFFu) {
        unbounded = true;
        break;
      }
      if (best.tf == 0 || weight_.beats(p, best)) best = p;
    }
  }
  max_score_ = unbounded ? weight_.bound(0xFFFFFFFFu, 0) : weight_.bound(best.tf, best.dl);
  shallow_block_ = 0;
  shallow_last_ = cursor_.bounds(0).last_doc;
  shallow_bound_ = block_bound(0);
}

double TermCursor::block_bound(std::uint32_t i) const {
  return weight_.bound(cursor_.bounds(i));
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
