#include "api/store_pool.h"

namespace ichigen::api {

StorePool::StorePool(StoreFactory factory, size_t max_open)
    : factory_(std::move(factory)), max_open_(max_open == 0 ? 1 : max_open) {}

StorePool::~StorePool() = default;

core::Result<StorePool::Lease> StorePool::Acquire() {
  {
    std::unique_lock lock(mu_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < max_open_; });
    if (!idle_.empty()) {
      std::unique_ptr<store::Store> store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
    ++open_;
  }
  // Opened outside the lock: opening may take a while (migrations check).
  auto opened = factory_();
  if (!opened) {
    std::lock_guard lock(mu_);
    --open_;
    returned_.notify_one();
    return std::unexpected(opened.error());
  }
  return Lease(*this, std::move(*opened));
}

void StorePool::Return(std::unique_ptr<store::Store> store) {
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(store));
  returned_.notify_one();
}

}  // namespace ichigen::api
