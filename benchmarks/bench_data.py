"""Benchmark the data store: reads, verify, import, update merge, `data list` end to end.

    .venv/bin/python benchmarks/bench_data.py            # 3 runs each, prints a table
    .venv/bin/python benchmarks/bench_data.py --runs 5

In-process timings use a fresh store each run (cold in-memory cache); the CLI rows run
the .venv's ``bubblemachine`` in a subprocess (they include Python start-up and imports).
No network: the FRED update row replays a recorded response through httpx.MockTransport.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def _timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import httpx
    import numpy as np
    import pandas as pd

    from bubblemachine.data import open_store
    from bubblemachine.data.fred import FredClient
    from bubblemachine.data.importer import import_path
    from bubblemachine.data.update import update

    rows: list[tuple[str, list[float], str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ids = open_store(tmp / "h0").ids()

        def read_all():
            store = open_store(tmp / "h0")
            for sid in ids:
                store.frame(sid)

        rows.append(("read all 101 series (frame, checksum verified)", _timed(read_all, args.runs), ""))
        rows.append(("store.series('WALCL') on a fresh store", _timed(lambda: open_store(tmp / "h0").series("WALCL"), args.runs), ""))
        rows.append(("data verify (in-process, 101 files)", _timed(lambda: open_store(tmp / "h0").verify(), args.runs), ""))

        big = tmp / "big"
        big.mkdir()
        rng = np.random.default_rng(0)
        dates = pd.bdate_range("2000-01-03", periods=6000)
        for i in range(50):
            pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "value": np.round(rng.normal(100, 5, len(dates)), 4)}).to_csv(
                big / f"bench_{i:02d}.csv", index=False
            )
        counter = iter(range(10**6))
        rows.append((
            "import 50 new CSVs x 6,000 rows (one commit)",
            _timed(lambda: import_path(big, store=open_store(tmp / f"imp{next(counter)}"), units="percent"), args.runs),
            "",
        ))
        if SHARED.is_dir():
            rows.append((
                "import ../shared/data (101 files, all identical: no write)",
                _timed(lambda: import_path(SHARED, store=open_store(tmp / "h0")), args.runs),
                "",
            ))
        body = (ROOT / "tests" / "fixtures" / "fred" / "csv_DATE_DGS10.csv").read_bytes()

        def fred_update():
            client = FredClient(client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=body))))
            update(store=open_store(tmp / f"up{next(counter)}"), series=["DGS10"], fred=client)

        rows.append(("update DGS10 from a recorded FRED answer (merge + commit)", _timed(fred_update, args.runs), ""))

        exe = ROOT / ".venv" / "bin" / "bubblemachine"
        exe_cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bubblemachine"]
        env = {**os.environ, "BUBBLEMACHINE_HOME": str(tmp / "cli"), "COLUMNS": "80"}

        def cli(*a):
            subprocess.run([*exe_cmd, *a], check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        rows.append(("CLI: bubblemachine data list", _timed(lambda: cli("data", "list"), args.runs), "subprocess"))
        rows.append(("CLI: bubblemachine data verify", _timed(lambda: cli("data", "verify"), args.runs), "subprocess"))

    print("| operation | median s | min s | max s | runs |\n|---|---:|---:|---:|---:|")
    for name, times, _ in rows:
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f} | {max(times):.3f} | {len(times)} |")


if __name__ == "__main__":
    main()
