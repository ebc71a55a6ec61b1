// huge_buffer.h: a fixed-size array of trivially copyable T whose large
// instances ask the kernel for transparent huge pages.
//
// Why: hash tables of hundreds of megabytes (the FST builder's registry on
// millions of keys) are probed at random; with 4 KiB pages nearly every probe
// also misses the TLB. With 2 MiB pages the TLB covers the whole table and a
// probe costs one memory access. Where huge pages are unavailable this is a
// plain aligned allocation.
//
// Thread safety: none; like a std::vector.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace tomes {

template <class T>
class HugeBuffer {
  static_assert(std::is_trivially_copyable<T>::value, "HugeBuffer holds plain data");

 public:
  HugeBuffer() = default;
  ~HugeBuffer() { std::free(data_); }
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;

  // Replaces the contents by `count` uninitialized elements.
  void reset(std::size_t count) {
    std::free(data_);
    data_ = nullptr;
    size_ = 0;
    if (count == 0) return;
    constexpr std::size_t kHugePage = std::size_t{2} << 20;
    const std::size_t bytes = count * sizeof(T);
    const bool huge = bytes >= kHugePage;
    const std::size_t alignment = huge ? kHugePage : alignof(std::max_align_t);
    const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    data_ = static_cast<T*>(std::aligned_alloc(alignment, rounded));
    if (data_ == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (huge) ::madvise(data_, rounded, MADV_HUGEPAGE);  // a hint: failure is harmless
#endif
    size_ = count;
  }

  void swap(HugeBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }

  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace tomes
