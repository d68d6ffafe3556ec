// kclient/error_code.h — the single table of error codes shared by every kclient
// layer (protocol codec, network client, producer/consumer, test broker).
//
// The table is written once, as the X-macro KCLIENT_ERROR_CODES; the ErrorCode
// enum and the lookup functions below are all generated from it, so adding a
// code means adding one line here and nothing else.
//
// Two ranges share the one enum:
//   * codes >= -1 are Kafka's wire error codes, exactly as carried in the
//     int16 error_code fields of Kafka responses (NONE = 0,
//     UNKNOWN_SERVER_ERROR = -1, 1..133 as of Apache Kafka 4.1). Names and
//     retriability follow org.apache.kafka.common.protocol.Errors: an entry is
//     retriable iff Kafka's exception class for it extends RetriableException.
//     The messages are kclient's own one-line summaries.
//   * codes <= -100 are kclient-local conditions. They are produced and
//     consumed inside the client only and must never be written to the wire.
//
// Thread safety: the table is immutable compile-time data and every function
// declared here is pure, noexcept and safe to call concurrently from any
// thread. Returned string_views refer to static storage and never dangle.
#pragma once

#include <cstdint>
#include <string_view>

namespace kclient {

// X(Enumerator, code, KAFKA_NAME, retriable, "message")
//
// Enumerator: k + CamelCase of KAFKA_NAME. KAFKA_NAME is a bare token, meant
// to be stringized (#name) by the consumer of the macro. Kafka codes follow
// NONE and UNKNOWN_SERVER_ERROR in ascending order; local codes come last.
#define KCLIENT_ERROR_CODES(X) \
  X(kNone, 0, NONE, false, "success") \
  X(kUnknownServerError, -1, UNKNOWN_SERVER_ERROR, false, "the broker hit an unexpected internal error") \
  X(kOffsetOutOfRange, 1, OFFSET_OUT_OF_RANGE, false, "the offset is outside the range the broker keeps for the partition") \
  X(kCorruptMessage, 2, CORRUPT_MESSAGE, true, "a record failed its checksum, is oversized, or is otherwise corrupt") \
  X(kUnknownTopicOrPartition, 3, UNKNOWN_TOPIC_OR_PARTITION, true, "the broker does not host this topic-partition") \
  X(kInvalidFetchSize, 4, INVALID_FETCH_SIZE, false, "the fetch size in the request is not valid") \
  X(kLeaderNotAvailable, 5, LEADER_NOT_AVAILABLE, true, "the partition has no leader right now (election in progress)") \
  X(kNotLeaderOrFollower, 6, NOT_LEADER_OR_FOLLOWER, true, "the broker is not the leader, or not a replica, for the partition") \
  X(kRequestTimedOut, 7, REQUEST_TIMED_OUT, true, "the broker timed out processing the request") \
  X(kBrokerNotAvailable, 8, BROKER_NOT_AVAILABLE, false, "the target broker cannot be reached or is down") \
  X(kReplicaNotAvailable, 9, REPLICA_NOT_AVAILABLE, true, "the replica for the partition is not available") \
  X(kMessageTooLarge, 10, MESSAGE_TOO_LARGE, false, "a record exceeds the largest size the broker accepts") \
  X(kStaleControllerEpoch, 11, STALE_CONTROLLER_EPOCH, false, "the controller has moved to another broker") \
  X(kOffsetMetadataTooLarge, 12, OFFSET_METADATA_TOO_LARGE, false, "the offset commit metadata string is too large") \
  X(kNetworkException, 13, NETWORK_EXCEPTION, true, "the broker closed the connection before responding") \
  X(kCoordinatorLoadInProgress, 14, COORDINATOR_LOAD_IN_PROGRESS, true, "the coordinator is still loading its state") \
  X(kCoordinatorNotAvailable, 15, COORDINATOR_NOT_AVAILABLE, true, "no coordinator is currently available for the group or transaction") \
  X(kNotCoordinator, 16, NOT_COORDINATOR, true, "the broker is not the coordinator for this group or transaction") \
  X(kInvalidTopicException, 17, INVALID_TOPIC_EXCEPTION, false, "the topic name is invalid or the operation is not allowed on it") \
  X(kRecordListTooLarge, 18, RECORD_LIST_TOO_LARGE, false, "a record batch exceeds the broker's log segment size") \
  X(kNotEnoughReplicas, 19, NOT_ENOUGH_REPLICAS, true, "rejected: fewer in-sync replicas than min.insync.replicas") \
  X(kNotEnoughReplicasAfterAppend, 20, NOT_ENOUGH_REPLICAS_AFTER_APPEND, true, "written, but to fewer in-sync replicas than required") \
  X(kInvalidRequiredAcks, 21, INVALID_REQUIRED_ACKS, false, "the produce request has an invalid acks value") \
  X(kIllegalGeneration, 22, ILLEGAL_GENERATION, false, "the group generation id is not current") \
  X(kInconsistentGroupProtocol, 23, INCONSISTENT_GROUP_PROTOCOL, false, "the member's protocols do not match the group's, or are empty") \
  X(kInvalidGroupId, 24, INVALID_GROUP_ID, false, "the group id is not valid") \
  X(kUnknownMemberId, 25, UNKNOWN_MEMBER_ID, false, "the coordinator does not know this member id") \
  X(kInvalidSessionTimeout, 26, INVALID_SESSION_TIMEOUT, false, "the session timeout is outside the broker's allowed range") \
  X(kRebalanceInProgress, 27, REBALANCE_IN_PROGRESS, false, "the group is rebalancing; the member must rejoin") \
  X(kInvalidCommitOffsetSize, 28, INVALID_COMMIT_OFFSET_SIZE, false, "the size of the committed offset data is not valid") \
  X(kTopicAuthorizationFailed, 29, TOPIC_AUTHORIZATION_FAILED, false, "not authorized to access the topic") \
  X(kGroupAuthorizationFailed, 30, GROUP_AUTHORIZATION_FAILED, false, "not authorized to access the group") \
  X(kClusterAuthorizationFailed, 31, CLUSTER_AUTHORIZATION_FAILED, false, "not authorized for the cluster operation") \
  X(kInvalidTimestamp, 32, INVALID_TIMESTAMP, false, "a record timestamp is outside the accepted range") \
  X(kUnsupportedSaslMechanism, 33, UNSUPPORTED_SASL_MECHANISM, false, "the broker does not support the SASL mechanism") \
  X(kIllegalSaslState, 34, ILLEGAL_SASL_STATE, false, "the request is not valid in the current SASL state") \
  X(kUnsupportedVersion, 35, UNSUPPORTED_VERSION, false, "the broker does not support this API version") \
  X(kTopicAlreadyExists, 36, TOPIC_ALREADY_EXISTS, false, "a topic with this name already exists") \
  X(kInvalidPartitions, 37, INVALID_PARTITIONS, false, "the partition count is not valid") \
  X(kInvalidReplicationFactor, 38, INVALID_REPLICATION_FACTOR, false, "the replication factor is below 1 or above the broker count") \
  X(kInvalidReplicaAssignment, 39, INVALID_REPLICA_ASSIGNMENT, false, "the replica assignment is not valid") \
  X(kInvalidConfig, 40, INVALID_CONFIG, false, "the configuration is not valid") \
  X(kNotController, 41, NOT_CONTROLLER, true, "the broker is not the active controller") \
  X(kInvalidRequest, 42, INVALID_REQUEST, false, "the broker rejected the request as malformed or incompatible") \
  X(kUnsupportedForMessageFormat, 43, UNSUPPORTED_FOR_MESSAGE_FORMAT, false, "the partition's message format version does not support the request") \
  X(kPolicyViolation, 44, POLICY_VIOLATION, false, "the request violates a configured broker policy") \
  X(kOutOfOrderSequenceNumber, 45, OUT_OF_ORDER_SEQUENCE_NUMBER, false, "the broker saw a producer sequence number out of order") \
  X(kDuplicateSequenceNumber, 46, DUPLICATE_SEQUENCE_NUMBER, false, "the broker saw a duplicate producer sequence number") \
  X(kInvalidProducerEpoch, 47, INVALID_PRODUCER_EPOCH, false, "the producer epoch is older than the current one") \
  X(kInvalidTxnState, 48, INVALID_TXN_STATE, false, "the transactional operation is not valid in the current state") \
  X(kInvalidProducerIdMapping, 49, INVALID_PRODUCER_ID_MAPPING, false, "the producer id is not assigned to this transactional id") \
  X(kInvalidTransactionTimeout, 50, INVALID_TRANSACTION_TIMEOUT, false, "the transaction timeout exceeds the broker's maximum") \
  X(kConcurrentTransactions, 51, CONCURRENT_TRANSACTIONS, true, "another operation on the same transaction is still in progress") \
  X(kTransactionCoordinatorFenced, 52, TRANSACTION_COORDINATOR_FENCED, false, "the transaction coordinator is no longer the current one") \
  X(kTransactionalIdAuthorizationFailed, 53, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, false, "not authorized to use the transactional id") \
  X(kSecurityDisabled, 54, SECURITY_DISABLED, false, "security features are disabled on the broker") \
  X(kOperationNotAttempted, 55, OPERATION_NOT_ATTEMPTED, false, "the broker skipped this operation because another in the batch failed") \
  X(kKafkaStorageError, 56, KAFKA_STORAGE_ERROR, true, "the broker hit a disk error accessing the log") \
  X(kLogDirNotFound, 57, LOG_DIR_NOT_FOUND, false, "the log directory is not configured on the broker") \
  X(kSaslAuthenticationFailed, 58, SASL_AUTHENTICATION_FAILED, false, "the broker rejected the SASL credentials") \
  X(kUnknownProducerId, 59, UNKNOWN_PRODUCER_ID, false, "the broker has no state for the producer id (possibly expired)") \
  X(kReassignmentInProgress, 60, REASSIGNMENT_IN_PROGRESS, false, "the partition is being reassigned; try again after it finishes") \
  X(kDelegationTokenAuthDisabled, 61, DELEGATION_TOKEN_AUTH_DISABLED, false, "delegation tokens are not enabled") \
  X(kDelegationTokenNotFound, 62, DELEGATION_TOKEN_NOT_FOUND, false, "the delegation token does not exist") \
  X(kDelegationTokenOwnerMismatch, 63, DELEGATION_TOKEN_OWNER_MISMATCH, false, "the principal is not the token's owner or renewer") \
  X(kDelegationTokenRequestNotAllowed, 64, DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, false, "delegation token requests are not allowed on this channel") \
  X(kDelegationTokenAuthorizationFailed, 65, DELEGATION_TOKEN_AUTHORIZATION_FAILED, false, "not authorized for the delegation token operation") \
  X(kDelegationTokenExpired, 66, DELEGATION_TOKEN_EXPIRED, false, "the delegation token has expired") \
  X(kInvalidPrincipalType, 67, INVALID_PRINCIPAL_TYPE, false, "the principal type is not supported") \
  X(kNonEmptyGroup, 68, NON_EMPTY_GROUP, false, "the group still has members") \
  X(kGroupIdNotFound, 69, GROUP_ID_NOT_FOUND, false, "no group with this id exists") \
  X(kFetchSessionIdNotFound, 70, FETCH_SESSION_ID_NOT_FOUND, true, "the fetch session id is unknown to the broker") \
  X(kInvalidFetchSessionEpoch, 71, INVALID_FETCH_SESSION_EPOCH, true, "the fetch session epoch is not valid") \
  X(kListenerNotFound, 72, LISTENER_NOT_FOUND, true, "the leader has no listener matching the one the request arrived on") \
  X(kTopicDeletionDisabled, 73, TOPIC_DELETION_DISABLED, false, "topic deletion is disabled on the broker") \
  X(kFencedLeaderEpoch, 74, FENCED_LEADER_EPOCH, true, "the request's leader epoch is older than the broker's") \
  X(kUnknownLeaderEpoch, 75, UNKNOWN_LEADER_EPOCH, true, "the request's leader epoch is newer than the broker's") \
  X(kUnsupportedCompressionType, 76, UNSUPPORTED_COMPRESSION_TYPE, false, "the client does not support the partition's compression type") \
  X(kStaleBrokerEpoch, 77, STALE_BROKER_EPOCH, false, "the broker epoch has changed") \
  X(kOffsetNotAvailable, 78, OFFSET_NOT_AVAILABLE, true, "the offset is not yet available after a leader change") \
  X(kMemberIdRequired, 79, MEMBER_ID_REQUIRED, false, "the member must obtain a member id before joining the group") \
  X(kPreferredLeaderNotAvailable, 80, PREFERRED_LEADER_NOT_AVAILABLE, true, "the preferred leader is not available") \
  X(kGroupMaxSizeReached, 81, GROUP_MAX_SIZE_REACHED, false, "the group is already at its maximum size") \
  X(kFencedInstanceId, 82, FENCED_INSTANCE_ID, false, "another member with the same group.instance.id fenced this one") \
  X(kEligibleLeadersNotAvailable, 83, ELIGIBLE_LEADERS_NOT_AVAILABLE, true, "no eligible leader is available for the partition") \
  X(kElectionNotNeeded, 84, ELECTION_NOT_NEEDED, true, "a leader election is not needed for the partition") \
  X(kNoReassignmentInProgress, 85, NO_REASSIGNMENT_IN_PROGRESS, false, "there is no ongoing reassignment to cancel or alter") \
  X(kGroupSubscribedToTopic, 86, GROUP_SUBSCRIBED_TO_TOPIC, false, "cannot delete offsets of a topic the group is subscribed to") \
  X(kInvalidRecord, 87, INVALID_RECORD, false, "the broker rejected a record as invalid") \
  X(kUnstableOffsetCommit, 88, UNSTABLE_OFFSET_COMMIT, true, "pending transactional offsets must be resolved first") \
  X(kThrottlingQuotaExceeded, 89, THROTTLING_QUOTA_EXCEEDED, true, "the request exceeded a throttling quota") \
  X(kProducerFenced, 90, PRODUCER_FENCED, false, "a newer producer with the same transactional id fenced this one") \
  X(kResourceNotFound, 91, RESOURCE_NOT_FOUND, false, "the request refers to a resource that does not exist") \
  X(kDuplicateResource, 92, DUPLICATE_RESOURCE, false, "the request names the same resource more than once") \
  X(kUnacceptableCredential, 93, UNACCEPTABLE_CREDENTIAL, false, "the credential does not meet the acceptance criteria") \
  X(kInconsistentVoterSet, 94, INCONSISTENT_VOTER_SET, false, "the sender or receiver is not one of the expected voters") \
  X(kInvalidUpdateVersion, 95, INVALID_UPDATE_VERSION, false, "the update version is not valid") \
  X(kFeatureUpdateFailed, 96, FEATURE_UPDATE_FAILED, false, "the finalized features could not be updated") \
  X(kPrincipalDeserializationFailure, 97, PRINCIPAL_DESERIALIZATION_FAILURE, false, "the forwarded request's principal could not be deserialized") \
  X(kSnapshotNotFound, 98, SNAPSHOT_NOT_FOUND, false, "the requested snapshot does not exist") \
  X(kPositionOutOfRange, 99, POSITION_OUT_OF_RANGE, false, "the snapshot position is negative or past the snapshot's end") \
  X(kUnknownTopicId, 100, UNKNOWN_TOPIC_ID, true, "the broker does not host this topic id") \
  X(kDuplicateBrokerRegistration, 101, DUPLICATE_BROKER_REGISTRATION, false, "the broker id is already registered") \
  X(kBrokerIdNotRegistered, 102, BROKER_ID_NOT_REGISTERED, false, "the broker id is not registered") \
  X(kInconsistentTopicId, 103, INCONSISTENT_TOPIC_ID, true, "the topic id in the request does not match the log's") \
  X(kInconsistentClusterId, 104, INCONSISTENT_CLUSTER_ID, false, "the cluster id in the request does not match the server's") \
  X(kTransactionalIdNotFound, 105, TRANSACTIONAL_ID_NOT_FOUND, false, "the transactional id does not exist") \
  X(kFetchSessionTopicIdError, 106, FETCH_SESSION_TOPIC_ID_ERROR, true, "the fetch session used topic ids inconsistently") \
  X(kIneligibleReplica, 107, INELIGIBLE_REPLICA, false, "the proposed ISR includes an ineligible replica") \
  X(kNewLeaderElected, 108, NEW_LEADER_ELECTED, false, "the partition state was updated but the leader changed") \
  X(kOffsetMovedToTieredStorage, 109, OFFSET_MOVED_TO_TIERED_STORAGE, false, "the offset now lives in tiered storage") \
  X(kFencedMemberEpoch, 110, FENCED_MEMBER_EPOCH, false, "the member epoch was fenced; the member must drop its partitions and rejoin") \
  X(kUnreleasedInstanceId, 111, UNRELEASED_INSTANCE_ID, false, "another member still holds this instance id") \
  X(kUnsupportedAssignor, 112, UNSUPPORTED_ASSIGNOR, false, "the group does not support the assignor or its version") \
  X(kStaleMemberEpoch, 113, STALE_MEMBER_EPOCH, false, "the member epoch is stale; retry with the updated epoch") \
  X(kMismatchedEndpointType, 114, MISMATCHED_ENDPOINT_TYPE, false, "the request reached the wrong type of endpoint") \
  X(kUnsupportedEndpointType, 115, UNSUPPORTED_ENDPOINT_TYPE, false, "this endpoint type is not supported") \
  X(kUnknownControllerId, 116, UNKNOWN_CONTROLLER_ID, false, "the controller id is unknown") \
  X(kUnknownSubscriptionId, 117, UNKNOWN_SUBSCRIPTION_ID, false, "the telemetry subscription id is unknown or outdated") \
  X(kTelemetryTooLarge, 118, TELEMETRY_TOO_LARGE, false, "the telemetry push exceeds the broker's size limit") \
  X(kInvalidRegistration, 119, INVALID_REGISTRATION, false, "the controller considers the broker registration invalid") \
  X(kTransactionAbortable, 120, TRANSACTION_ABORTABLE, false, "the transaction hit an error; abort it to continue") \
  X(kInvalidRecordState, 121, INVALID_RECORD_STATE, false, "the record's state does not allow the acknowledgement") \
  X(kShareSessionNotFound, 122, SHARE_SESSION_NOT_FOUND, true, "the share session does not exist") \
  X(kInvalidShareSessionEpoch, 123, INVALID_SHARE_SESSION_EPOCH, true, "the share session epoch is not valid") \
  X(kFencedStateEpoch, 124, FENCED_STATE_EPOCH, false, "the share-group state epoch does not match") \
  X(kInvalidVoterKey, 125, INVALID_VOTER_KEY, false, "the voter key does not match the receiving replica's") \
  X(kDuplicateVoter, 126, DUPLICATE_VOTER, false, "the voter is already in the voter set") \
  X(kVoterNotFound, 127, VOTER_NOT_FOUND, false, "the voter is not in the voter set") \
  X(kInvalidRegularExpression, 128, INVALID_REGULAR_EXPRESSION, false, "the subscription regular expression cannot be parsed") \
  X(kRebootstrapRequired, 129, REBOOTSTRAP_REQUIRED, false, "the client's metadata is stale; it must rebootstrap") \
  X(kStreamsInvalidTopology, 130, STREAMS_INVALID_TOPOLOGY, false, "the streams topology is not valid") \
  X(kStreamsInvalidTopologyEpoch, 131, STREAMS_INVALID_TOPOLOGY_EPOCH, false, "the streams topology epoch is not valid") \
  X(kStreamsTopologyFenced, 132, STREAMS_TOPOLOGY_FENCED, false, "the streams topology epoch is out of date") \
  X(kShareSessionLimitReached, 133, SHARE_SESSION_LIMIT_REACHED, true, "the broker has reached its share session limit") \
  /* kclient-local conditions (never on the wire) */ \
  X(kLocalTimedOut, -100, LOCAL_TIMED_OUT, true, "the operation did not complete within its timeout") \
  X(kLocalTransport, -101, LOCAL_TRANSPORT, true, "the connection to the broker failed or was closed") \
  X(kLocalMalformed, -102, LOCAL_MALFORMED, false, "a message could not be decoded: truncated, oversized or inconsistent") \
  X(kLocalInvalidConfig, -103, LOCAL_INVALID_CONFIG, false, "a client configuration value is missing or invalid") \
  X(kLocalBufferExhausted, -104, LOCAL_BUFFER_EXHAUSTED, true, "the client's buffer memory is exhausted") \
  X(kLocalClosed, -105, LOCAL_CLOSED, false, "the client or connection has been closed") \
  X(kLocalSerialization, -106, LOCAL_SERIALIZATION, false, "a key or value could not be serialized or deserialized") \
  X(kLocalWakeup, -107, LOCAL_WAKEUP, false, "a blocking call was interrupted by a wakeup request") \
  X(kLocalCancelled, -108, LOCAL_CANCELLED, false, "the operation was cancelled before it completed") \
  X(kLocalInvalidArgument, -109, LOCAL_INVALID_ARGUMENT, false, "an argument passed to the client is invalid") \
  X(kLocalIo, -110, LOCAL_IO, false, "a file or socket operation failed") \
  X(kLocalIllegalState, -111, LOCAL_ILLEGAL_STATE, false, "the operation is not valid in the current state") \
  X(kLocalUnsupportedVersion, -112, LOCAL_UNSUPPORTED_VERSION, false, "no API version is supported by both sides")

/// An error code: a Kafka wire code (>= -1) or a kclient-local code (<= -100).
///
/// The underlying type is int16_t, the wire type of Kafka's error_code fields,
/// so any int16_t read off the wire converts to ErrorCode with static_cast,
/// including codes newer than this table (check with IsKnownErrorCode).
/// ErrorCode::kNone (0) means success.
enum class ErrorCode : int16_t {
#define KCLIENT_X(e, code, name, retriable, msg) e = code,
  KCLIENT_ERROR_CODES(KCLIENT_X)
#undef KCLIENT_X
};

/// Kafka's upper-case name for `code` (e.g. "NOT_LEADER_OR_FOLLOWER"; local
/// codes use "LOCAL_..." names), or "UNKNOWN_ERROR_CODE" for a code not in
/// the table.
///
/// Never fails. The view refers to a string literal (static storage,
/// NUL-terminated). Thread-safe.
std::string_view ErrorName(ErrorCode code) noexcept;

/// One-line, lower-case, human-readable description of `code`, without a
/// trailing period, or "unknown error code" for a code not in the table.
///
/// Never fails. The view refers to a string literal (static storage,
/// NUL-terminated). Thread-safe.
std::string_view ErrorMessage(ErrorCode code) noexcept;

/// Whether Kafka classifies the error as retriable (its exception extends
/// RetriableException): the same request may succeed if sent again, possibly
/// after refreshing metadata or rediscovering a coordinator. For local codes,
/// whether retrying the operation may succeed without any change by the
/// caller (timeouts, transport failures, buffer exhaustion).
///
/// Returns false for kNone and for codes not in the table. A true result is
/// about the error only: whether a retry is safe (e.g. a non-idempotent
/// produce) and whether budget remains is the caller's decision. Some
/// non-retriable errors (e.g. REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID) are
/// still recoverable by a different action such as rejoining the group.
/// Thread-safe.
bool IsRetriable(ErrorCode code) noexcept;

/// Whether `code` is in the table (a broker may send codes newer than this
/// table). True for kNone, every Kafka code known here and every local code.
/// Thread-safe.
bool IsKnownErrorCode(int16_t code) noexcept;

}  // namespace kclient
