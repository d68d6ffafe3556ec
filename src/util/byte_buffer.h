// ByteBuffer: a growable byte array that, unlike std::vector<uint8_t>, does not zero what it
// grows into. Encoders append to it and patch length prefixes in place; decompression resizes
// it without paying for initialisation it would immediately overwrite.
//
// Not thread-safe: one owner at a time, moved between threads, never shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace kclient::util {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(size_t capacity) { reserve(capacity); }
  ByteBuffer(ByteBuffer&& other) noexcept
      : data_(std::move(other.data_)), size_(other.size_), capacity_(other.capacity_) {
    other.size_ = other.capacity_ = 0;
  }
  ByteBuffer& operator=(ByteBuffer&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = other.size_;
    capacity_ = other.capacity_;
    other.size_ = other.capacity_ = 0;
    return *this;
  }
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  std::span<const uint8_t> span() const { return {data_.get(), size_}; }
  std::span<uint8_t> mutable_span() { return {data_.get(), size_}; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_.get()), size_}; }

  void clear() { size_ = 0; }
  void reserve(size_t n) {
    if (n > capacity_) Grow(n);
  }
  // Sets the size; bytes beyond the old size are left uninitialised for the caller to fill.
  void resize(size_t n) {
    reserve(n);
    size_ = n;
  }
  // Makes room for n more bytes and returns where they start; the caller must write all n.
  uint8_t* Extend(size_t n) {
    if (size_ + n > capacity_) Grow(size_ + n);
    uint8_t* p = data_.get() + size_;
    size_ += n;
    return p;
  }
  void Append(const void* p, size_t n) {
    if (n == 0) return;
    std::memcpy(Extend(n), p, n);
  }
  void Append(std::span<const uint8_t> s) { Append(s.data(), s.size()); }
  void push_back(uint8_t b) {
    if (size_ == capacity_) Grow(size_ + 1);
    data_[size_++] = b;
  }

 private:
  void Grow(size_t min_capacity) {
    size_t cap = capacity_ < 64 ? 64 : capacity_ * 2;
    if (cap < min_capacity) cap = min_capacity;
    std::unique_ptr<uint8_t[]> bigger(new uint8_t[cap]);
    if (size_ != 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = cap;
  }

  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace kclient::util
