#ifndef NIGHTJAR_STATE_STATE_SOURCE_H_
#define NIGHTJAR_STATE_STATE_SOURCE_H_

#include <memory>

#include "corpus/document_source.h"
#include "state/state_store.h"

namespace nightjar {

// A DocumentSource over the live documents of a state (tombstones left out), by id, in batches
// of about `batch_bytes` of records: what the mining passes read instead of the corpus when the
// counts come from a state, so that they see exactly the documents the counts hold. `state`
// must outlive the source.
std::unique_ptr<DocumentSource> OpenStateSource(const StateStore& state,
                                                size_t batch_bytes = 4 << 20);

}  // namespace nightjar

#endif  // NIGHTJAR_STATE_STATE_SOURCE_H_
