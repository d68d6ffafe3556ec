// DeleteTopics (v0-6): removes whole topics, named (v0-5: topic_names; v6: topics with a name)
// or, from v6, by topic id. As Kafka's ControllerApis.deleteTopics: a name and an id together, or
// neither, is INVALID_REQUEST; a name or id given twice is INVALID_REQUEST once; an unknown name
// is UNKNOWN_TOPIC_OR_PARTITION and an unknown id UNKNOWN_TOPIC_ID; a name that resolves to an
// id also given is INVALID_REQUEST. Parked fetches are woken so that they notice the topic went.
#include <map>
#include <set>

#include "broker/cluster.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/delete_topics.h"

namespace kclient::broker {
namespace {

using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;

struct UuidLess {
  bool operator()(const Uuid& a, const Uuid& b) const { return a.high != b.high ? a.high < b.high : a.low < b.low; }
};

void HandleDeleteTopicsRequest(RequestContext& ctx, DeleteTopicsRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  DeleteTopicsResponse response;
  auto answer = [&](std::optional<std::string> name, const Uuid& id, ErrorCode code,
                    std::optional<std::string> message = std::nullopt) {
    auto& r = response.responses.emplace_back();
    // Names are not nullable before v6; those versions have no ids to answer for.
    r.name = name ? std::move(name) : (ctx.version() < 6 ? std::optional<std::string>("") : std::nullopt);
    r.topic_id = id;
    r.error_code = static_cast<int16_t>(code);
    r.error_message = std::move(message);
  };

  // Names and ids as given, in order, with duplicates counted.
  std::vector<std::string> names;
  std::vector<Uuid> ids;
  std::map<std::string, int> name_count;
  std::map<Uuid, int, UuidLess> id_count;
  if (ctx.version() < 6) {
    for (const std::string& n : request.topic_names) {
      if (name_count[n]++ == 0) names.push_back(n);
    }
  } else {
    for (const auto& t : request.topics) {
      if (!t.name) {
        if (t.topic_id.is_zero()) {
          answer(std::nullopt, Uuid{}, ErrorCode::kInvalidRequest, "Neither topic name nor id were specified.");
        } else if (id_count[t.topic_id]++ == 0) {
          ids.push_back(t.topic_id);
        }
      } else if (!t.topic_id.is_zero()) {
        answer(t.name, t.topic_id, ErrorCode::kInvalidRequest, "You may not specify both topic name and topic id.");
      } else if (name_count[*t.name]++ == 0) {
        names.push_back(*t.name);
      }
    }
  }
  for (const auto& [n, count] : name_count) {
    if (count > 1) answer(n, Uuid{}, ErrorCode::kInvalidRequest, "Duplicate topic name.");
  }
  for (const auto& [id, count] : id_count) {
    if (count > 1) answer(std::nullopt, id, ErrorCode::kInvalidRequest, "Duplicate topic id.");
  }

  // Resolve everything to topic names first, as the controller does, then delete.
  std::vector<std::pair<std::string, Uuid>> doomed;
  std::set<Uuid, UuidLess> taken;
  for (const Uuid& id : ids) {
    if (id_count[id] > 1) continue;
    TopicState* t = cluster.topics().FindById(id);
    if (t == nullptr) {
      answer(std::nullopt, id, ErrorCode::kUnknownTopicId);
      continue;
    }
    doomed.emplace_back(t->name, id);
    taken.insert(id);
  }
  for (const std::string& n : names) {
    if (name_count[n] > 1) continue;
    TopicState* t = cluster.topics().Find(n);
    if (t == nullptr) {
      answer(n, Uuid{}, ErrorCode::kUnknownTopicOrPartition);
      continue;
    }
    if (!taken.insert(t->id).second) {
      // Kafka refuses both the id and the name that maps to it.
      std::erase_if(doomed, [&](const auto& d) { return d.second == t->id; });
      answer(n, t->id, ErrorCode::kInvalidRequest, "The provided topic name maps to an ID that was already supplied.");
      continue;
    }
    doomed.emplace_back(n, t->id);
  }

  const auto api = static_cast<int16_t>(protocol::ApiKey::kDeleteTopics);
  bool deleted_any = false;
  for (const auto& [name, id] : doomed) {
    if (auto injected = cluster.faults().TakeError(api, ctx.broker_id, name)) {
      answer(name, id, *injected);
      continue;
    }
    Status s = cluster.topics().Delete(name);
    // A topic created again under this name gets a new id; idempotence state starts afresh.
    if (s.ok()) cluster.producer_state().ForgetTopic(id);
    answer(name, id, s.code(), s.ok() ? std::nullopt : std::optional<std::string>(std::string(s.message())));
    deleted_any = deleted_any || s.ok();
  }
  if (deleted_any) cluster.fetch_waiters().WakeAll();
  responder.Send(response);
}

}  // namespace

void HandleDeleteTopics(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<DeleteTopicsRequest, HandleDeleteTopicsRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
