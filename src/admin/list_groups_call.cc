#include "admin/list_groups_call.h"

#include <utility>

#include "protocol/messages/list_groups.h"
#include "protocol/messages/metadata.h"

namespace kclient::admin {

namespace {

using protocol::ListGroupsRequest;
using protocol::ListGroupsResponse;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

constexpr int16_t kFirstStateVersion = 4;  // KIP-518, Kafka 2.6
constexpr int16_t kFirstTypeVersion = 5;   // KIP-848, Kafka 3.8

std::optional<std::string> Reported(std::string value, bool present) {
  if (!present || value.empty()) return std::nullopt;
  return value;
}

}  // namespace

ListGroupsCall::ListGroupsCall(net::Clock::time_point deadline, std::shared_ptr<Completion<Outcome>> completion)
    : FanOutCall("ListGroups", deadline), completion_(std::move(completion)) {}

void ListGroupsCall::SendRound() {
  if (!brokers_known_) {
    MetadataRequest request;
    request.topics.emplace();  // no topics: the brokers are what is wanted
    request.allow_auto_topic_creation = false;
    net::SendOptions options;
    options.min_version = 4;
    SendInRound<MetadataResponse>(
        net::NetworkClient::kAnyBroker, std::move(request),
        [this](const Status& s, MetadataResponse& r, int16_t) { OnMetadata(s, r); }, options);
    return;
  }
  const std::set<int32_t> brokers = pending_;  // handlers may run inside Send and change pending_
  for (int32_t broker : brokers) {
    if (done()) return;
    // No filters: every group in every state, of every type.
    SendInRound<ListGroupsResponse>(broker, ListGroupsRequest(),
                                    [this, broker](const Status& s, ListGroupsResponse& r, int16_t version) {
                                      OnListGroups(broker, s, r, version);
                                    });
  }
}

void ListGroupsCall::OnMetadata(const Status& status, MetadataResponse& response) {
  if (RequestFailed(status.ok() ? StatusFromWire(response.error_code, std::nullopt) : status)) return;
  for (const auto& b : response.brokers) pending_.insert(b.node_id);
  brokers_known_ = true;
  ContinueAfterRound();
}

void ListGroupsCall::OnListGroups(int32_t broker, const Status& status, ListGroupsResponse& response,
                                  int16_t version) {
  const std::string context = "broker " + std::to_string(broker);
  if (RequestFailed((status.ok() ? StatusFromWire(response.error_code, std::nullopt) : status).WithContext(context))) {
    return;
  }
  for (auto& g : response.groups) {
    GroupListing listing;
    listing.group_id = g.group_id;
    listing.protocol_type = std::move(g.protocol_type);
    listing.state = Reported(std::move(g.group_state), version >= kFirstStateVersion);
    listing.type = Reported(std::move(g.group_type), version >= kFirstTypeVersion);
    groups_.emplace(std::move(g.group_id), std::move(listing));  // a group seen twice (moving) counts once
  }
  pending_.erase(broker);
}

void ListGroupsCall::LeftUnanswered() {
  // Every request is answered one way or another; this is only a backstop.
  Abort(Status(ErrorCode::kUnknownServerError, "ListGroups: brokers left unanswered"));
}

void ListGroupsCall::Publish(const Status& rest) {
  if (!rest.ok()) {
    completion_->Set(rest);
    return;
  }
  std::vector<GroupListing> out;
  out.reserve(groups_.size());
  for (auto& [id, listing] : groups_) out.push_back(std::move(listing));
  completion_->Set(std::move(out));
}

}  // namespace kclient::admin
