"""Progress display for training loops: callbacks that dlkit's loops call."""


def print_cost(i, cost):
    """Print one line per recorded cost: ``iteration   100  cost 0.584543``.

    Pass it as ``callback=print_cost`` to a training function.
    """
    print(f"iteration {i:5d}  cost {cost:.6f}", flush=True)
