"""W2 peer: two asyncio tasks hand a token back and forth through two asyncio.Queue objects.

    python3 bench/python/w2_queue.py HANDOFFS RUNS

Prints one JSON line: {"runs": [ms, ...], "cpu": [ms, ...]} (after one warm-up run).
"""
import asyncio
import sys
from timing import report_runs

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
    report_runs(lambda: ping_pong(HANDOFFS), RUNS)


main()
