"""``python -m bubblemachine.backtests``: recompute the backtest shipped for the report.

Runs the issue-9 backtest (2012-2025 quarterly, 500 paths, process backend) on the embedded
data and writes it, compact, to ``backtests/shipped``. Rerun it when the model files change
(the report says when the shipped backtest is of an earlier edition).
"""

from __future__ import annotations

import sys


def main() -> int:
    from bubblemachine.backtests import backtest
    from bubblemachine.backtests.report import SHIPPED

    r = backtest(backend="process", workers=2)
    r.write(SHIPPED, compact=True)
    print(f"wrote {SHIPPED}: {len(r.origins)} origins, {len(r.failed)} failed, {r.elapsed_s:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
