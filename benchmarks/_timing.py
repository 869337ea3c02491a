"""Timing helpers shared by the benchmarks: batched calls, best of k runs."""

import time


def calls_per_run(fn, min_time=0.05):
    """How many calls of ``fn`` make one timed run last at least ``min_time`` (doubling from 1).

    Fast calls are batched so that the timer's resolution and call jitter do
    not dominate; the calibration runs also warm up caches and BLAS threads.
    """
    number = 1
    while seconds_per_call(fn, number) * number < min_time and number < 1_000_000:
        number *= 2
    return number


def seconds_per_call(fn, number):
    """One timed run (time.perf_counter) of ``number`` calls, in seconds per call."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def time_workload(workload, variants, repeat, min_time):
    """Check, then time every variant of one workload; the first variant is the reference.

    variants: {name: (fn, check)}; ``check(fn())`` must be True (None for the
    reference), so a variant that computes garbage fails instead of looking
    fast.  Each variant gets ``repeat`` timed runs back to back, after the
    calibration of :func:`calls_per_run`, and keeps its best.  Returns rows
    {"workload", "variant", "best_s", "number", "ratio"}, with ratio =
    best_s / the reference's best_s.
    """
    best, number = {}, {}
    for variant, (fn, check) in variants.items():
        if check is not None and not check(fn()):
            raise AssertionError(f"{workload}: {variant} disagrees with the reference")
        number[variant] = calls_per_run(fn, min_time)
        best[variant] = min(seconds_per_call(fn, number[variant]) for _ in range(repeat))
    reference = best[next(iter(variants))]
    return [{"workload": workload, "variant": v, "best_s": t, "number": number[v], "ratio": t / reference}
            for v, t in best.items()]
