#ifndef NIGHTJAR_STORE_REDIS_BUILDER_H_
#define NIGHTJAR_STORE_REDIS_BUILDER_H_

#include <memory>
#include <string>

#include "store/redis_store.h"

namespace nightjar {

// The Redis VersionBuilder (see RedisStore::Begin, which has taken the builder lock `token` and
// registered `version` as building). Owns `conn`.
std::unique_ptr<VersionBuilder> NewRedisVersionBuilder(std::unique_ptr<RedisConnection> conn,
                                                       const RedisKeys& keys,
                                                       const RedisStoreOptions& options,
                                                       std::string version, absl::Time now,
                                                       std::string token);

// A lease token naming this host and process: "host:pid:random".
std::string NewLockToken();

// Deletes every key of `version` with SCAN MATCH + UNLINK in batches of `count`.
[[nodiscard]] absl::Status UnlinkKeys(RedisConnection& conn, const RedisKeys& keys,
                                      const std::string& version, int count);

}  // namespace nightjar

#endif  // NIGHTJAR_STORE_REDIS_BUILDER_H_
