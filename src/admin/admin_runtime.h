// AdminRuntime: the Admin client's I/O thread and what lives on it — the NetworkClient, the
// Metadata that keeps the broker list and the controller's id fresh, and the calls in progress —
// plus the hand-off of calls from application threads and the shutdown that never waits for a
// broker.
//
// Thread-safety: Submit and Close from any thread, any number at once. Everything else lives on
// the I/O thread (until Close has joined it).
#pragma once

#include <memory>
#include <mutex>

#include "admin/admin_call.h"
#include "client/metadata.h"
#include "kclient/admin_options.h"
#include "kclient/result.h"
#include "net/loop_thread.h"
#include "net/network_client.h"

namespace kclient::admin {

class AdminRuntime {
 public:
  /// Starts the I/O thread for `options`, which must have passed Validate.
  static Result<std::unique_ptr<AdminRuntime>> Start(const AdminOptions& options);

  /// Close().
  ~AdminRuntime();
  AdminRuntime(const AdminRuntime&) = delete;
  AdminRuntime& operator=(const AdminRuntime&) = delete;

  const AdminOptions& options() const { return options_; }

  /// Hands `call` to the I/O thread, which starts it. False once Close has begun: the call is
  /// then never started and the caller reports kLocalClosed itself.
  bool Submit(std::shared_ptr<AdminCall> call);

  /// Fails every call in progress with kLocalClosed, closes every connection and joins the I/O
  /// thread. Returns without waiting for any broker. Idempotent; concurrent callers all return
  /// once it is done.
  void Close();

 private:
  explicit AdminRuntime(const AdminOptions& options);
  // On the I/O thread: the first thing Close has it do, and the last.
  void ShutDownOnLoop();

  AdminOptions options_;
  net::LoopThread io_;  // first member: outlives the objects below, which use its loop
  std::unique_ptr<net::NetworkClient> network_;
  std::unique_ptr<client::Metadata> metadata_;
  CallContext context_;

  std::mutex mu_;
  bool closed_ = false;  // guarded by mu_
  std::once_flag close_once_;
};

}  // namespace kclient::admin
