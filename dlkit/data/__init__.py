"""Offline data sets, in the notes' layout.

Nothing here downloads: every loader reads data that an installed package
carries, a small file in the repository, or a seeded generator, and says in
its docstring where the data comes from and under which licence.
"""

from dlkit.data.images import ImageSplit, load_faces

__all__ = ["ImageSplit", "load_faces"]
