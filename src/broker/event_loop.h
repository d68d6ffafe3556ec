// The broker runs on the shared event loop (net/event_loop.h); these names keep broker code short.
#pragma once

#include "net/event_loop.h"

namespace kclient::broker {

using net::Clock;
using net::EventLoop;
using net::IoHandler;

}  // namespace kclient::broker
