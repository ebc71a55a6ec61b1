#include "parse/html_entities.h"

#include <cstring>

namespace tomes::parse::html_entities {

bool find(std::string_view name, std::string_view* value) {
  if (name.empty() || name.size() > kMaxEntityNameLength) return false;
  constexpr std::uint32_t kMask = (std::uint32_t{1} << kSlotBits) - 1;
  // The table is about half full, so the probe always meets an empty slot.
  for (std::uint32_t s = fnv1a(name) & kMask;; s = (s + 1) & kMask) {
    const std::uint16_t slot = kEntitySlots[s];
    if (slot == 0) return false;
    const Entity& e = kEntities[slot - 1];
    if (e.name_length == name.size() && std::memcmp(kNamePool + e.name_offset, name.data(), name.size()) == 0) {
      *value = std::string_view(kValuePool + e.value_offset, e.value_length);
      return true;
    }
  }
}

}  // namespace tomes::parse::html_entities
