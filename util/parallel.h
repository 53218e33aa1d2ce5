// Runs independent jobs on a bounded number of threads.
#pragma once

#include <functional>

namespace sp {

/// Number of hardware threads (at least 1).
unsigned default_jobs();

/// Calls fn(i) for i in [0, count) on up to `jobs` threads; returns when all are done. Calls
/// start in index order (each thread takes the next index when it is free), so a caller that
/// sorts its work longest first gets longest-first scheduling.
void parallel_for(size_t count, unsigned jobs, const std::function<void(size_t)>& fn);

} // namespace sp
