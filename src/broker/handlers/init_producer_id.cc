// InitProducerId: hands out producer ids and epochs (KafkaApis.handleInitProducerIdRequest and
// TransactionCoordinator.handleInitProducerId).
//
// Without a transactional id (an idempotent producer) every request gets a new producer id at
// epoch 0, whatever producer id it names (KIP-360 clients send their old one; Kafka ignores it).
// With one, the request must reach the transaction coordinator (NOT_COORDINATOR otherwise), name
// a timeout in (0, transaction.max.timeout.ms] (INVALID_TRANSACTION_TIMEOUT) and not be empty
// (INVALID_REQUEST); the first request allocates an id at epoch 0, later ones bump the epoch
// (fencing older instances), rotate to a new id when the epoch runs out, and fence a producer
// naming a stale id or epoch with PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v4, as Kafka
// maps it for old clients). A producer id without an epoch, or the reverse, is INVALID_REQUEST.
// Transactions themselves (ongoing ones to abort, CONCURRENT_TRANSACTIONS) are not served here.
//
// Thread-safety: loop thread only.
#include "broker/cluster.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/init_producer_id.h"

namespace kclient::broker {
namespace {

using protocol::InitProducerIdRequest;
using protocol::InitProducerIdResponse;

constexpr auto kInitProducerIdApiKey = static_cast<int16_t>(protocol::InitProducerIdRequest::kApiKey);

void HandleInitProducerIdRequest(RequestContext& ctx, InitProducerIdRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  InitProducerIdResponse response;
  auto fail = [&](ErrorCode e) {
    response.error_code = static_cast<int16_t>(e);
    response.producer_id = -1;
    response.producer_epoch = -1;
    responder.Send(response);
  };
  if (!cluster.faults().empty()) {
    if (auto injected = cluster.faults().TakeError(kInitProducerIdApiKey, ctx.broker_id)) return fail(*injected);
  }
  if ((request.producer_id == -1) != (request.producer_epoch == -1)) return fail(ErrorCode::kInvalidRequest);
  if (!request.transactional_id) {
    response.producer_id = cluster.producer_ids().Next();
    response.producer_epoch = 0;
    responder.Send(response);
    return;
  }
  const std::string& txn_id = *request.transactional_id;
  if (txn_id.empty()) return fail(ErrorCode::kInvalidRequest);
  if (request.transaction_timeout_ms <= 0 || request.transaction_timeout_ms > kTransactionMaxTimeoutMs) {
    return fail(ErrorCode::kInvalidTransactionTimeout);
  }
  if (cluster.CoordinatorFor(txn_id) != ctx.broker_id) return fail(ErrorCode::kNotCoordinator);
  ProducerIdManager::InitResult r = cluster.producer_ids().InitTransactional(
      txn_id, request.transaction_timeout_ms, request.producer_id, request.producer_epoch);
  if (r.error != ErrorCode::kNone) {
    return fail(r.error == ErrorCode::kProducerFenced && ctx.version() < 4 ? ErrorCode::kInvalidProducerEpoch : r.error);
  }
  response.producer_id = r.producer_id;
  response.producer_epoch = r.producer_epoch;
  responder.Send(response);
}

}  // namespace

void HandleInitProducerId(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<InitProducerIdRequest, HandleInitProducerIdRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
