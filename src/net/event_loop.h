// EventLoop: one thread that owns a set of sockets and the state behind them (the broker's whole
// cluster; a client's connections). It multiplexes sockets with epoll, runs
// timers, and runs tasks posted from other threads, so the code it runs and the state that code
// touches need no locks.
//
// Thread-safety: Post() and Stop() may be called from any thread; everything else only from the
// loop thread (inside Run()).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

namespace kclient::net {

using Clock = std::chrono::steady_clock;

// Something that owns a file descriptor watched by the loop.
class IoHandler {
 public:
  virtual ~IoHandler() = default;
  // `events` is the epoll event mask that fired (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP...).
  virtual void OnIo(uint32_t events) = 0;
};

class EventLoop {
 public:
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs until Stop() is called; the calling thread becomes the loop thread.
  void Run();
  // Asks Run() to return after the current iteration. Thread-safe.
  void Stop();
  // Handles every ready event, posted task and due timer, repeating until none is left, then
  // returns (never waits). For tests and fuzzers that drive the loop from their own thread.
  void RunUntilIdle();
  // Runs `task` on the loop thread soon. Thread-safe.
  void Post(std::function<void()> task);

  // Loop thread only. `handler` must stay alive until Unwatch.
  void Watch(int fd, uint32_t events, IoHandler* handler);
  void Modify(int fd, uint32_t events, IoHandler* handler);
  void Unwatch(int fd);

  // Runs `fn` once at or after `when`; returns an id for CancelTimer. Loop thread only.
  TimerId AddTimer(Clock::time_point when, std::function<void()> fn);
  TimerId AddTimer(Clock::duration delay, std::function<void()> fn) { return AddTimer(Now() + delay, std::move(fn)); }
  // Cancelling a timer that already ran is harmless.
  void CancelTimer(TimerId id);

  Clock::time_point Now() const { return Clock::now(); }

 private:
  // One round: wait up to timeout_ms for events, handle them, run posted tasks and due timers.
  // Returns how many events and tasks it handled.
  int RunOnce(int timeout_ms);
  int RunPosted();
  int RunDueTimers();
  int NextTimeoutMs() const;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;  // eventfd that Post and Stop write to
  bool running_ = false;

  std::mutex mu_;
  std::vector<std::function<void()>> posted_;  // guarded by mu_
  bool stop_requested_ = false;                // guarded by mu_

  // Timers by deadline; the id breaks ties and lets CancelTimer find them.
  std::map<std::pair<Clock::time_point, TimerId>, std::function<void()>> timers_;
  std::map<TimerId, Clock::time_point> timer_deadlines_;
  TimerId next_timer_id_ = 1;
};

}  // namespace kclient::net
