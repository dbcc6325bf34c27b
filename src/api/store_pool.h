// StorePool: a bounded pool of Store connections for the server's request
// threads. A Store is used by one thread at a time, so each request leases
// one and gives it back when the Lease ends; at most max_open exist, and a
// request waits when all are leased (SQLite readers scale with connections,
// but each keeps its own page cache, so the bound keeps memory in check).
// Fill() opens them all up front, at server start: opening a SQLite store
// checks its migrations in a write transaction, which would wait behind a
// running import if a connection were first opened during one.
// Fair: when none is free, requests wait in a FIFO and a returned store is
// handed to the longest waiter, so a thread that comes straight back for
// another request cannot barge past threads already waiting (which, with
// hundreds of keep-alive connections on two cores, starved some requests
// for seconds).
// Thread-safety: thread-safe; mu_ guards idle_, open_ and waiters_.
#pragma once

#include <condition_variable>
#include <deque>
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
  // Opens connections until max_open exist.
  core::Status Fill();

 private:
  // A request waiting for a store: handed one, or told it may open one.
  struct Waiter {
    std::condition_variable wake;
    std::unique_ptr<store::Store> store;
    bool may_open = false;
  };

  void Return(std::unique_ptr<store::Store> store);
  // A connection slot came free (an open failed): the longest waiter may
  // open one. Requires mu_.
  void OfferSlot();

  StoreFactory factory_;
  const size_t max_open_;
  std::mutex mu_;
  std::vector<std::unique_ptr<store::Store>> idle_;  // guarded by mu_
  size_t open_ = 0;                                  // guarded by mu_
  std::deque<Waiter*> waiters_;                      // guarded by mu_; oldest first
};

}  // namespace ichigen::api
