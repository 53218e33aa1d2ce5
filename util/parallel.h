// Runs independent jobs on a bounded number of threads.
#pragma once

#include <functional>

namespace sp {

/// Number of hardware threads (at least 1).
unsigned default_jobs();

/// Calls fn(i) for i in [0, count) on up to `jobs` threads; returns when all are done.
void parallel_for(size_t count, unsigned jobs, const std::function<void(size_t)>& fn);

} // namespace sp
