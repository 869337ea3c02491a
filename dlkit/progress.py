"""Progress display for training loops: a callback for dlkit's loops, and a progress bar for your own."""


def print_cost(i, cost):
    """Print one line per recorded cost: ``iteration   100  cost 0.584543``.

    Pass it as ``callback=print_cost`` to a training function.
    """
    print(f"iteration {i:5d}  cost {cost:.6f}", flush=True)


def progress_bar(iterable, description="", total=None, width=30, steps=10):
    """Yield from ``iterable``, printing a bar at every ``steps``-th of the way and at the end.

    Lines, not carriage returns, so the record survives in saved notebooks and
    the book.  total: the length, when ``iterable`` has none.

    >>> for epoch in progress_bar(range(4), "epochs", width=8, steps=2):
    ...     pass
    [####....]  50%  2/4 epochs
    [########] 100%  4/4 epochs
    """
    total = len(iterable) if total is None else total
    marks = {max(1, round(total * k / steps)) for k in range(1, steps + 1)} if total else set()
    for done, item in enumerate(iterable, 1):
        yield item
        if done in marks:
            filled = round(width * done / total)
            print(f"[{'#' * filled}{'.' * (width - filled)}] {done / total:4.0%}  {done}/{total} {description}".rstrip(),
                  flush=True)
