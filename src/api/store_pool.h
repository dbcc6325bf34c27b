// StorePool: a bounded pool of Store connections for the server's request
// threads. A Store is used by one thread at a time, so each request leases
// one and gives it back when the Lease ends; at most max_open exist, and a
// request waits when all are leased (SQLite readers scale with connections,
// but each keeps its own page cache, so the bound keeps memory in check).
// Thread-safety: thread-safe; mu_ guards idle_ and open_.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/result.h"
#include "store/store.h"

namespace ichigen::api {

using StoreFactory = std::function<core::Result<std::unique_ptr<store::Store>>()>;

class StorePool {
 public:
  StorePool(StoreFactory factory, size_t max_open);
  ~StorePool();

  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<store::Store> store)
        : pool_(&pool), store_(std::move(store)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (store_) pool_->Return(std::move(store_));
    }
    store::Store& operator*() const { return *store_; }
    store::Store* operator->() const { return store_.get(); }

   private:
    StorePool* pool_;
    std::unique_ptr<store::Store> store_;
  };

  core::Result<Lease> Acquire();

 private:
  void Return(std::unique_ptr<store::Store> store);

  StoreFactory factory_;
  const size_t max_open_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<store::Store>> idle_;  // guarded by mu_
  size_t open_ = 0;                                  // guarded by mu_
};

}  // namespace ichigen::api
