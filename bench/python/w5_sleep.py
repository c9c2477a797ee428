"""W5 peer: N asyncio tasks sleep given durations of real time (JSON list of seconds on stdin).

    python3 bench/python/w5_sleep.py RUNS < durations.json

Prints one JSON line: {"runs": [ms...], "cpu": [ms...], "lateness": [ms...], "latenessAfterSetup":
[ms...]}. Lateness is each wake-up's loop.time() minus its deadline (the time its sleep began plus
its duration), pooled over the runs; "after setup" keeps the wake-ups whose deadline came after the
last sleeper began sleeping. No warm-up run: each run takes about a second.
"""
import asyncio
import json
import sys
import time

RUNS = int(sys.argv[1])
DURATIONS = json.load(sys.stdin)


async def sleepers(records):
    loop = asyncio.get_running_loop()

    async def sleeper(d):
        start = loop.time()
        await asyncio.sleep(d)
        records.append((start, start + d, loop.time()))

    await asyncio.gather(*(sleeper(d) for d in DURATIONS))


def main():
    runs, cpu, lateness, after = [], [], [], []
    for _ in range(RUNS):
        records = []
        c0, t0 = time.process_time(), time.perf_counter()
        asyncio.run(sleepers(records))
        t1, c1 = time.perf_counter(), time.process_time()
        runs.append((t1 - t0) * 1000)
        cpu.append((c1 - c0) * 1000)
        setup_end = max(start for start, _, _ in records)
        for _, deadline, woke in records:
            lateness.append((woke - deadline) * 1000)
            if deadline >= setup_end:
                after.append((woke - deadline) * 1000)
    print(json.dumps({"runs": runs, "cpu": cpu, "lateness": lateness, "latenessAfterSetup": after}))


main()
