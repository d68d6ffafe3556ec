// EventLoop: the one thread that owns all broker state. It multiplexes sockets with epoll, runs
// timers, and runs tasks posted from other threads (the in-process cluster API), so handlers and
// the state they touch need no locks.
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

namespace kclient::broker {

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
  void RunPosted();
  void RunDueTimers();
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

}  // namespace kclient::broker
