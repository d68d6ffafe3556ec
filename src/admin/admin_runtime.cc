#include "admin/admin_runtime.h"

#include <utility>

#include "client/client_setup.h"

namespace kclient::admin {

AdminRuntime::AdminRuntime(const AdminOptions& options) : options_(options) {}

Result<std::unique_ptr<AdminRuntime>> AdminRuntime::Start(const AdminOptions& options) {
  auto bootstrap = net::ParseBootstrapServers(options.client.bootstrap_servers);
  if (!bootstrap.ok()) return bootstrap.status();
  std::unique_ptr<AdminRuntime> rt(new AdminRuntime(options));
  AdminRuntime* r = rt.get();
  // The network and metadata set timers on the loop as they are built: build them there.
  r->io_.Call([r, addresses = std::move(bootstrap.value())]() mutable {
    r->network_ = std::make_unique<net::NetworkClient>(&r->io_.loop(), client::ToNetworkOptions(r->options_.client),
                                                       std::move(addresses));
    client::MetadataOptions mo = client::ToMetadataOptions(r->options_.client);
    mo.allow_auto_topic_creation = false;  // an admin client never creates topics by asking about them
    r->metadata_ = std::make_unique<client::Metadata>(r->network_.get(), mo);
    r->context_.loop = &r->io_.loop();
    r->context_.network = r->network_.get();
    r->context_.metadata = r->metadata_.get();
    r->context_.retry_backoff_ms = r->options_.client.retry_backoff_ms;
    r->context_.retry_backoff_max_ms = r->options_.client.retry_backoff_max_ms;
    return 0;
  });
  return rt;
}

AdminRuntime::~AdminRuntime() { Close(); }

bool AdminRuntime::Submit(std::shared_ptr<AdminCall> call) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  // Posted under the lock, so it runs before the shutdown Close posts after taking it.
  io_.Post([this, call = std::move(call)] { call->Start(&context_); });
  return true;
}

void AdminRuntime::Close() {
  std::call_once(close_once_, [this] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    io_.Post([this] { ShutDownOnLoop(); });
    // Runs what was posted (every submitted call's start, then the shutdown) and joins.
    io_.Stop();
    // The I/O thread is gone, so nothing else can touch these now. (Destroying them on the loop
    // could leave its timers pointing at them for the loop's last round.)
    metadata_.reset();
    network_.reset();
  });
}

void AdminRuntime::ShutDownOnLoop() {
  context_.closing = true;
  auto active = std::move(context_.active);
  context_.active.clear();
  const Status closed(ErrorCode::kLocalClosed, "the admin client was closed");
  for (auto& [id, call] : active) call->Abort(closed);
  network_->CloseAll(closed);
}

}  // namespace kclient::admin
