"""W2 peer: two asyncio tasks hand a token back and forth through two asyncio.Queue objects.

    python3 bench/python/w2_queue.py HANDOFFS RUNS

Prints one JSON line: {"runs": [ms, ...], "cpu": [ms, ...]} (after one warm-up run).
"""
import asyncio
import json
import sys
import time

HANDOFFS = int(sys.argv[1])
RUNS = int(sys.argv[2])


async def ping_pong(handoffs):
    ab = asyncio.Queue()
    ba = asyncio.Queue()
    rounds = handoffs // 2

    async def ping():
        v = 0
        for _ in range(rounds):
            ab.put_nowait(v)
            v = await ba.get()
        return v

    async def pong():
        for _ in range(rounds):
            v = await ab.get()
            ba.put_nowait(v + 1)

    v, _ = await asyncio.gather(ping(), pong())
    assert v == rounds, v
    return v


def main():
    runs, cpu = [], []
    for i in range(RUNS + 1):
        c0, t0 = time.process_time(), time.perf_counter()
        asyncio.run(ping_pong(HANDOFFS))
        t1, c1 = time.perf_counter(), time.process_time()
        if i > 0:
            runs.append((t1 - t0) * 1000)
            cpu.append((c1 - c0) * 1000)
    print(json.dumps({"runs": runs, "cpu": cpu}))


main()
