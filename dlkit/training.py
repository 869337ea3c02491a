"""Training-loop helpers that work with either backend: early stopping with patience."""

import copy
import math


class EarlyStopping:
    """Stop when the monitored dev-set loss has not improved for ``patience`` checks; keep the best parameters.

    Call :meth:`step` after each epoch (or every k iterations) with the dev
    loss and the current parameters (any object: dicts of NumPy arrays or of
    tensors are deep-copied).  It returns True when training should stop;
    then ``best_parameters`` holds the parameters of the best check, seen at
    check number ``best_step`` with loss ``best_loss``.  An improvement must
    beat the best loss by more than ``min_delta``.

    >>> stopper = EarlyStopping(patience=2)
    >>> [stopper.step(loss, {"w": loss}) for loss in [3.0, 2.0, 2.5, 2.1, 1.0]]
    [False, False, False, True, True]
    >>> stopper.best_step, stopper.best_parameters
    (1, {'w': 2.0})
    """

    def __init__(self, patience=5, min_delta=0.0):
        if not (isinstance(patience, int) and patience >= 1):
            raise ValueError(f"patience is {patience!r}, expected an int >= 1")
        if not min_delta >= 0:
            raise ValueError(f"min_delta is {min_delta!r}, expected a number >= 0")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss, self.best_step, self.best_parameters = math.inf, None, None
        self.steps, self.bad_steps, self.stopped = 0, 0, False

    def step(self, loss, parameters):
        """Record one check; True once ``patience`` checks in a row brought no improvement (and from then on)."""
        loss = float(loss)
        if self.stopped:
            return True
        if loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_step = loss, self.steps
            self.best_parameters = copy.deepcopy(parameters)
            self.bad_steps = 0
        else:
            self.bad_steps += 1
        self.steps += 1
        self.stopped = self.bad_steps >= self.patience
        return self.stopped
