"""Print the mutation score of each domain module from mutmut's results (``mutants/**/*.py.meta``).

Run after ``mutmut run`` (``make mutation`` does both). Score = killed / (mutants − skipped): a mutant that no
test reaches ("no tests") or that survives counts against the module. ``--survivors`` lists the surviving
mutant names (see them with ``mutmut show NAME``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 36, 37, -24, 24, 152, 255}  # killed by a test, pytest internal error, timeout, type check
NO_TESTS = {5, 33}
SKIPPED = {34}


def _status(code: int | None) -> str:
    if code in KILLED:
        return "killed"
    if code in NO_TESTS:
        return "no tests"
    if code in SKIPPED:
        return "skipped"
    if code == 0:
        return "survived"
    return "not checked" if code is None else "suspicious"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("mutants/src/hsgclinic/domain"))
    parser.add_argument("--module", action="append", help="only these modules (after `make mutation MODULE=…`)")
    parser.add_argument("--survivors", action="store_true", help="list surviving mutant names")
    parser.add_argument("--min-score", type=float, default=None, help="exit 1 below this total score (percent)")
    args = parser.parse_args(argv)
    metas = sorted(p for m in (args.module or ["*"]) for p in args.root.glob(f"{m}.py.meta"))
    if not metas:
        print(f"no mutmut results under {args.root}; run `make mutation` first", file=sys.stderr)
        return 2
    total: Counter[str] = Counter()
    survivors: list[str] = []
    print(f"{'module':<22}{'mutants':>9}{'killed':>8}{'survived':>10}{'no tests':>10}{'score':>9}")
    for meta in metas:
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if not codes:
            continue
        counts = Counter(_status(c) for c in codes.values())
        survivors += sorted(k for k, c in codes.items() if _status(c) not in ("killed", "skipped"))
        total.update(counts)
        print(_row(meta.name.removesuffix(".py.meta"), counts))
    print(_row("total", total))
    if args.survivors:
        print("\nsurviving mutants:")
        for name in survivors:
            print(f"  {name}")
    tested = sum(total.values()) - total["skipped"]
    score = 100.0 * total["killed"] / tested if tested else 0.0
    if args.min_score is not None and score < args.min_score:
        print(f"mutation score {score:.1f} % is below {args.min_score:.1f} %", file=sys.stderr)
        return 1
    return 0


def _row(name: str, counts: Counter[str]) -> str:
    n = sum(counts.values())
    tested = n - counts["skipped"]
    score = 100.0 * counts["killed"] / tested if tested else 0.0
    left = counts["survived"] + counts["suspicious"] + counts["not checked"]
    return f"{name:<22}{n:>9}{counts['killed']:>8}{left:>10}{counts['no tests']:>10}{score:>8.1f}%"


if __name__ == "__main__":
    sys.exit(main())
