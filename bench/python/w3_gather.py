"""W3 peer: spawn N asyncio tasks that return at once, then gather them.

    python3 bench/python/w3_gather.py N RUNS          timings: {"runs": [ms...], "cpu": [ms...]}
    python3 bench/python/w3_gather.py N memory        {"bytesPerTask": b, "peakRssMiB": m}

Memory: tracemalloc's traced bytes after creating the N tasks (alive, not yet run) minus before,
divided by N; peak RSS from getrusage (a separate run, since tracemalloc slows everything).
"""
import asyncio
import json
import resource
import sys
import tracemalloc
from timing import report_runs

N = int(sys.argv[1])
MODE = sys.argv[2]


async def child(i):
    return i


async def spawn_and_gather(n, measure=None):
    if measure is not None:
        measure.append(tracemalloc.get_traced_memory()[0])
    tasks = [asyncio.create_task(child(i)) for i in range(n)]
    if measure is not None:
        measure.append(tracemalloc.get_traced_memory()[0])
    results = await asyncio.gather(*tasks)
    assert len(results) == n and results[-1] == n - 1
    return results


def main():
    if MODE == "memory":
        tracemalloc.start()
        measure = []
        asyncio.run(spawn_and_gather(N, measure))
        tracemalloc.stop()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"bytesPerTask": (measure[1] - measure[0]) / N, "peakRssMiB": peak}))
        return
    report_runs(lambda: spawn_and_gather(N), int(MODE))


main()
