// LoopThread: an EventLoop running on a thread of its own, and the way other threads hand it
// work. Call() runs a function on the loop thread and waits for its result; Post() does not wait.
// The destructor stops the loop and joins the thread.
//
// Thread-safety: Call and Post from any thread except the loop thread itself (Call from the loop
// thread would wait for itself).
#pragma once

#include <functional>
#include <future>
#include <thread>
#include <utility>

#include "net/event_loop.h"

namespace kclient::net {

class LoopThread {
 public:
  LoopThread() : thread_([this] { loop_.Run(); }) {}
  ~LoopThread() { Stop(); }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;

  EventLoop& loop() { return loop_; }
  bool on_loop_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  // Runs `fn` on the loop thread and returns what it returns.
  template <typename Fn>
  auto Call(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    loop_.Post([&task] { task(); });
    return result.get();
  }

  void Post(std::function<void()> fn) { loop_.Post(std::move(fn)); }

  // Stops the loop after the tasks already posted and joins the thread. Idempotent.
  void Stop() {
    if (!thread_.joinable()) return;
    loop_.Stop();
    thread_.join();
  }

 private:
  EventLoop loop_;
  std::thread thread_;  // declared last: starts after loop_ exists
};

}  // namespace kclient::net
