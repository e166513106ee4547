"""The floor: /readyz over HTTP, and a trivial query on a pooled connection."""

from __future__ import annotations

import subprocess
import sys

from bench.harness import ROOT, Bench

TRIVIAL = """
import statistics, time
import django
django.setup()
from django.db import connection
samples = []
with connection.cursor() as cursor:
    for _ in range(2000):
        start = time.perf_counter()
        cursor.execute("SELECT 1")
        cursor.fetchone()
        samples.append((time.perf_counter() - start) * 1e6)
print(statistics.median(samples), sorted(samples)[int(len(samples) * 0.99)])
"""


def run(bench: Bench) -> None:
    count = 300 if bench.scale == "small" else 2000
    bench.record_timings("platform.readyz", bench.time_get(["/readyz"], count=count))
    env = {**bench.env, "DJANGO_SETTINGS_MODULE": "pantry.settings"}
    out = subprocess.run(
        [sys.executable, "-c", TRIVIAL],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    median, p99 = (float(x) for x in out.stdout.split())
    bench.record(
        "platform.select_1", round(median, 1), "µs (median)", p99_us=round(p99, 1)
    )
