"""Shared timing and reporting for the Python side of the benchmarks."""
import json
import time


def median_time(fn, budget=0.5, min_runs=5, warmup=3):
    """Median seconds of one call of fn, after `warmup` calls, over at least `min_runs` runs and about
    `budget` seconds."""
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def print_results(results, as_json, header, row):
    """Prints {"results": results} as one JSON line, or else `header` (if any) and `row(result)` for each result."""
    if as_json:
        print(json.dumps({"results": results}, sort_keys=True))
        return
    if header:
        print(header)
    for r in results:
        print(row(r))
