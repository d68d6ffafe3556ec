// FanOutCall: an AdminCall whose attempts are rounds of requests sent at once — to every broker,
// to each group's coordinator, to each partition's leader — that decides what to do next only
// once the last of them is answered: finish when every part of the call has its answer, retry
// after the backoff when something failed in a way worth retrying, go straight on to the next
// round when a lookup has just found where to send, and otherwise give up on what the responses
// left out.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "admin/admin_call.h"

namespace kclient::admin {

class FanOutCall : public AdminCall {
 public:
  using AdminCall::AdminCall;

 protected:
  /// Sends this round's requests, each with SendInRound.
  virtual void SendRound() = 0;
  /// Whether every part of the call has its answer.
  virtual bool AllAnswered() const = 0;
  /// A round ended with parts unanswered, nothing to retry and nothing learnt: the responses
  /// left them out. Gives them an error; the call then finishes (unless this aborted it).
  virtual void LeftUnanswered() = 0;

  /// SendWith, counted in the round: `handler(status, response, version)` runs, then the round
  /// ends if it was the last request out.
  template <typename Response, typename Request, typename Handler>
  void SendInRound(int32_t node, Request request, Handler handler, net::SendOptions options = {}) {
    ++in_flight_;
    SendWith<Response>(
        node, std::move(request),
        [this, handler = std::move(handler)](const Status& s, Response& r, int16_t version) mutable {
          handler(s, r, version);
          EndRequest();
        },
        options);
  }

  /// This round hit something worth retrying: once it ends, try again after the backoff. The first
  /// reason of the round is what a timeout will name.
  void RetryAfterRound(const Status& why) {
    if (retry_reason_.ok()) retry_reason_ = why;
  }
  /// This round learnt where to send (a coordinator, a leader, the brokers): once it ends, start
  /// the next one at once.
  void ContinueAfterRound() { continue_ = true; }
  /// For a failed request (or a request-level error) whose parts cannot be answered on their own:
  /// retried after the round when retriable (lost connections and timeouts also ask for fresh
  /// metadata), else the call ends with it. Returns false (and does nothing) for ok.
  bool RequestFailed(const Status& status);

 private:
  void Attempt() final;
  void EndRequest();

  int in_flight_ = 0;  // this round's requests not yet answered, plus one while it is sending
  Status retry_reason_;
  bool continue_ = false;
};

}  // namespace kclient::admin
