// The broker's configuration is the public EmbeddedClusterOptions; this alias is its name inside
// the broker.
#pragma once

#include "kclient/embedded_cluster.h"

namespace kclient::broker {

using ClusterConfig = EmbeddedClusterOptions;

}  // namespace kclient::broker
