"""Shared by the asyncio peers: time several runs after a warm-up, print them as one JSON line."""

import asyncio
import json
import time


def report_runs(make_coroutine, runs):
    """Runs asyncio.run(make_coroutine()) runs + 1 times; prints wall and CPU ms of all but the first."""
    walls, cpu = [], []
    for i in range(runs + 1):
        c0, t0 = time.process_time(), time.perf_counter()
        asyncio.run(make_coroutine())
        t1, c1 = time.perf_counter(), time.process_time()
        if i > 0:
            walls.append((t1 - t0) * 1000)
            cpu.append((c1 - c0) * 1000)
    print(json.dumps({"runs": walls, "cpu": cpu}))
