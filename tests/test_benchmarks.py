"""Smoke test of `make bench`: benchmarks/run.py --quick runs, checks its results, prints its table.

No timing is asserted: the numbers depend on the machine and its load.
"""

import json
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def test_quick_benchmarks_run_and_print_the_table(tmp_path):
    proc = subprocess.run([sys.executable, str(RUN), "--quick", "--results-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for row in ("np.dot (reference)", "Python for-loop", "numpy propagate (reference)",
                "loop over examples", "loops over examples and features", "dlkit.numpy, float64 (reference)",
                "dlkit.torch, cpu float64", "torch.optim.Adam (reference)", "dlkit.numpy Adam",
                "nn.BatchNorm1d (reference)", "dlkit.numpy batch norm",
                "torch F.conv2d + autograd (reference)", "dlkit.numpy conv_forward + conv_backward",
                "dlkit.numpy's matrix products alone", "naive loops, 1 image(s), time x 4",
                "compute_distances_no_loops (reference)", "compute_distances_one_loop, 2 test rows, time x 5",
                "compute_distances_two_loops, 2 test rows, time x 5", "torch.cdist, cpu",
                "torch nn.LSTM + autograd (reference)", "dlkit.numpy lstm_forward + lstm_backward",
                "dlkit.torch lstm twin (autograd), cpu",
                "greedy_search (reference)", "beam_search B=10", "translate, greedy batch (reference)",
                "beam_search B=1 per date", "translate B=10",
                "dlkit.numpy glove_loss_and_grads + dense AdaGrad",
                "dlkit.torch train_word2vec, cpu, 1 thread"):
        assert row in proc.stdout, f"no {row!r} row in:\n{proc.stdout}"
    results = json.loads((tmp_path / "vectorization-quick.json").read_text())
    assert results["quick"] and results["machine"]["cpu_count"]
    assert {r["variant"] for r in results["results"]} >= {"np.dot (reference)", "loop over examples"}


def test_quick_grading_benchmark_agrees_with_nbgrader(tmp_path):
    """benchmarks/grading.py on a class of 8: the runner and plain nbgrader give the same scores."""
    proc = subprocess.run([sys.executable, str(RUN), "--quick", "--results-dir", str(tmp_path), "grading"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads((tmp_path / "grading-quick.json").read_text())["results"]
    assert [r["variant"] for r in rows][0] == "nbgrader autograde, serial (reference)"
