"""Input conversion for the NumPy backend."""

import numpy as np


def as_array(name, x):
    """``x`` as a NumPy array; ``ValueError`` unless it holds real numbers.

    Integers and booleans become float64, floating arrays keep their dtype.
    """
    a = np.asarray(x)
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    if a.dtype.kind != "f":
        raise ValueError(f"{name} has dtype {a.dtype}, expected an array of real numbers")
    return a
