"""Run every benchmark of this folder, print a table, write benchmarks/results/<name>.json.

    python benchmarks/run.py            # full sizes (`make bench`, about 5-6 minutes on 2 cores)
    python benchmarks/run.py --quick    # tiny sizes, a second or two (the smoke test)

A benchmark is a module here whose name does not start with "_" (other than
this one) with a function ``run(quick) -> (sizes, rows)``; each row is a dict
with "workload", "variant", "best_s" (best of k, seconds per call) and "ratio"
(its time / the workload's reference time, measured in the same run).
"""

import argparse
import datetime
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmark_names():
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem != "run" and not p.stem.startswith("_"))


def machine():
    """The facts a timing depends on."""
    import numpy as np
    facts = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),   # None when unset
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }
    try:
        facts["numpy_blas"] = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:                              # older NumPy: no dict mode
        pass
    try:
        import torch
        facts.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    except ImportError:
        facts["torch"] = None
    return facts


def format_seconds(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-9:.3g} ns"


def format_ratio(r):
    return f"{r:,.0f}" if r >= 100 else f"{r:.3g}"


def print_table(rows):
    w1 = max(len("workload"), *(len(r["workload"]) for r in rows))
    w2 = max(len("variant"), *(len(r["variant"]) for r in rows))
    print(f"{'workload':<{w1}}  {'variant':<{w2}}  {'best time':>10}  {'ratio':>8}")
    print(f"{'-' * w1}  {'-' * w2}  {'-' * 10}  {'-' * 8}")
    last = None
    for r in rows:
        workload = r["workload"] if r["workload"] != last else ""
        last = r["workload"]
        print(f"{workload:<{w1}}  {r['variant']:<{w2}}  {format_seconds(r['best_s']):>10}  {format_ratio(r['ratio']):>8}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for a smoke test; timings mean nothing")
    parser.add_argument("--results-dir", type=Path, default=HERE / "results", help="where the JSON files go")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {benchmark_names()})")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(HERE))
    facts = machine()
    print(f"{facts['date']}  {facts['cpus_usable']} CPUs  load {facts['load_average_1min']}  numpy {facts['numpy']}  torch {facts['torch']}  "
          f"OPENBLAS_CORETYPE={facts['OPENBLAS_CORETYPE'] or 'unset'}" + ("  (--quick)" if args.quick else ""))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    for name in args.names or benchmark_names():
        module = importlib.import_module(name)
        if not args.names and not getattr(module, "RUN_BY_DEFAULT", True):
            print(f"\n== {name}: skipped by default (takes minutes); run `benchmarks/run.py {name}`")
            continue
        print(f"\n== {name}: {module.__doc__.splitlines()[0]}\n")
        start = time.perf_counter()
        sizes, rows = module.run(quick=args.quick)
        elapsed = time.perf_counter() - start
        print_table(rows)
        print(f"\n({elapsed:.1f} s)")
        out = args.results_dir / f"{name}{'-quick' if args.quick else ''}.json"
        out.write_text(json.dumps({"benchmark": name, "quick": args.quick, "machine": facts,
                                   "sizes": sizes, "elapsed_s": elapsed, "results": rows}, indent=2) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
