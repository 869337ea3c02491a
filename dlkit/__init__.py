"""dlkit: the library behind the course.

``dlkit.numpy`` holds reference implementations in the notation of the notes,
``dlkit.torch`` their PyTorch twins (same names, signatures and layouts),
``dlkit.testing`` the checks that tests and notebooks share, ``dlkit.data``
the offline data sets, ``dlkit.plot`` the course's figures and ``dlkit.display`` its tables.
"""

__version__ = "0.1.0"
