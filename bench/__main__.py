"""``make bench``: run every case in bench/cases/ and write one JSON file.

    python -m bench [--scale small|full] [--only platform,catalog] [--out FILE]

``full`` is the scale the issues set targets at (a million products); ``small``
checks the benchmarks themselves in a few minutes.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import signal
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import cases
from bench.harness import ROOT, Bench, bench_env, machine, server

ORDER = [
    "platform",
    "catalog_data",
    "catalog",
    "journal",
    "search",
    "orders",
    "storefront",
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=["small", "full"], default="full")
    parser.add_argument("--only", default="", help="comma-separated case modules")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench" / "results.json"))
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    names = sorted(
        (m.name for m in pkgutil.iter_modules(cases.__path__)),
        key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n),
    )
    if options.only:
        wanted = set(options.only.split(","))
        names = [n for n in names if n in wanted]

    # Stopped with SIGTERM, unwind: the server and database get stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    data_dir = ROOT / "var" / f"bench-{options.scale}-pgdata"
    env = bench_env(data_dir)
    started = time.time()
    failures: list[str] = []
    with server(env, options.port, workers=options.workers) as base:
        bench = Bench(scale=options.scale, base_url=base, env=env)
        for name in names:
            print(f"[{name}]", flush=True)
            try:
                importlib.import_module(f"bench.cases.{name}").run(bench)
            except Exception:
                traceback.print_exc()
                failures.append(name)
                bench.record(f"{name}.error", None, "", ok=False)

    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "scale": options.scale,
        "machine": machine(),
        "seconds": round(time.time() - started, 1),
        "results": bench.results,
    }
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    missed = [r["name"] for r in bench.results if r["ok"] is False]
    lines = [
        f"pantry benchmarks, scale {options.scale}, commit {report['machine']['commit']}, "
        f"{report['machine']['cores']} cores"
    ]
    for r in bench.results:
        value = f"{r['value']}" if r["value"] is not None else "-"
        verdict = "" if r["ok"] is None else ("  ok" if r["ok"] else "  MISSED")
        target = f"  (target {r['target']})" if r["target"] else ""
        lines.append(f"{r['name']}: {value} {r['unit']}{target}{verdict}")
    lines.append("targets missed: " + (", ".join(missed) if missed else "none"))
    out.with_suffix(".txt").write_text("\n".join(lines) + "\n")
    print(
        f"\n{len(bench.results)} figures in {report['seconds']} s, written to {out} and {out.with_suffix('.txt')}"
    )
    print(lines[-1])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
