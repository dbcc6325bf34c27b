#include "api/store_pool.h"

namespace ichigen::api {

StorePool::StorePool(StoreFactory factory, size_t max_open)
    : factory_(std::move(factory)), max_open_(max_open == 0 ? 1 : max_open) {}

StorePool::~StorePool() = default;

core::Result<StorePool::Lease> StorePool::Acquire() {
  {
    std::unique_lock lock(mu_);
    if (waiters_.empty() && !idle_.empty()) {
      std::unique_ptr<store::Store> store = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(store));
    }
    if (waiters_.empty() && open_ < max_open_) {
      ++open_;
    } else {
      Waiter me;
      waiters_.push_back(&me);
      me.wake.wait(lock, [&] { return me.store != nullptr || me.may_open; });
      // Whoever woke us removed us from waiters_; a may_open slot is counted.
      if (me.store) return Lease(*this, std::move(me.store));
    }
  }
  // Opened outside the lock: opening may take a while (migrations check).
  auto opened = factory_();
  if (!opened) {
    std::lock_guard lock(mu_);
    --open_;
    OfferSlot();
    return std::unexpected(opened.error());
  }
  return Lease(*this, std::move(*opened));
}

core::Status StorePool::Fill() {
  std::vector<Lease> leases;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (open_ >= max_open_) break;
    }
    ASSIGN_OR_RETURN(Lease lease, Acquire());
    leases.push_back(std::move(lease));
  }
  return core::Ok();  // the leases return their stores to idle_
}

void StorePool::Return(std::unique_ptr<store::Store> store) {
  std::lock_guard lock(mu_);
  if (waiters_.empty()) {
    idle_.push_back(std::move(store));
    return;
  }
  Waiter* next = waiters_.front();
  waiters_.pop_front();
  next->store = std::move(store);
  next->wake.notify_one();
}

void StorePool::OfferSlot() {
  if (waiters_.empty() || open_ >= max_open_) return;
  Waiter* next = waiters_.front();
  waiters_.pop_front();
  ++open_;
  next->may_open = true;
  next->wake.notify_one();
}

}  // namespace ichigen::api
