"""A sanitize step for nbgrader: cell metadata comes from the gradebook, not from the submission.

nbgrader restores the source of locked cells, but it trusts the submission's
``nbgrader`` metadata to know which cells are tests and what they are worth: a
test cell turned into a solution cell makes the whole submission fail to
grade.  :class:`RestoreCellMetadata` runs before nbgrader's ``OverwriteCells``
and rewrites every cell's nbgrader metadata from the gradebook (kind, lock,
points); metadata naming a cell the assignment does not have is removed.
"""

from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

RESTORED = ("grade", "solution", "task", "locked", "points")


class RestoreCellMetadata(NbGraderPreprocessor):
    """Reset each cell's nbgrader metadata to what the assignment's source says."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            source = gb.find_notebook(info["notebook"], info["assignment"])
            cells = {c.name: c for c in source.source_cells}
            grades = {c.name: c.max_score for c in source.grade_cells}
            solutions = {c.name for c in source.solution_cells}
            tasks = {c.name for c in source.task_cells}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader")
            if not isinstance(meta, dict) or "grade_id" not in meta:
                continue
            gid = meta["grade_id"]
            if gid not in cells:
                self.log.warning("Cell %r is not part of the assignment: its nbgrader metadata is removed", gid)
                del cell.metadata["nbgrader"]
                continue
            want = {"grade": gid in grades, "solution": gid in solutions, "task": gid in tasks,
                    "locked": bool(cells[gid].locked)}
            if gid in grades:
                want["points"] = grades[gid]
            changed = [k for k in RESTORED if meta.get(k) != want.get(k)]
            if changed:
                self.log.warning("Cell %r had its metadata edited (%s): restored", gid, ", ".join(changed))
            meta.pop("points", None)
            meta.update(want)
        return nb, resources
