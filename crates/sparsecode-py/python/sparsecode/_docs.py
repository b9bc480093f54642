"""numpydoc docstrings that share scikit-learn's sections.

Our estimators and functions take scikit-learn's parameters with
scikit-learn's meanings, so the Parameters, Attributes and Returns
sections of their docstrings are scikit-learn's own, read from its
docstrings at import (one description, kept by scikit-learn), with our
extra entries after them; the summary, the notes and the Examples (run by
the doctest in ``tests/test_docs.py``) are ours.
"""

import inspect
import re

_SHARED = ("Parameters", "Attributes", "Returns")
_HEADER = re.compile(r"^([A-Z][A-Za-z ]+)\n-{3,}$", re.M)


def _sections(doc):
    """``(summary, {title: body})`` of a numpydoc docstring."""
    doc = inspect.cleandoc(doc or "")
    marks = list(_HEADER.finditer(doc))
    summary = doc[: marks[0].start()] if marks else doc
    bodies = {}
    for m, nxt in zip(marks, marks[1:] + [None]):
        bodies[m.group(1)] = doc[m.end() : nxt.start() if nxt else len(doc)].strip("\n")
    return summary.rstrip(), bodies


def _join(summary, bodies, order):
    parts = [summary]
    for title in order:
        if bodies.get(title):
            parts.append(f"{title}\n{'-' * len(title)}\n{bodies[title]}")
    return "\n\n".join(parts) + "\n"


def sklearn_sections(theirs):
    """Decorator: the object's docstring with ``theirs``'s Parameters,
    Attributes and Returns sections (the object's own entries in those
    sections appended), then the object's other sections."""

    def apply(obj):
        summary, ours = _sections(obj.__doc__)
        _, base = _sections(theirs.__doc__)
        merged = {t: "\n".join(b for b in (base.get(t, ""), ours.get(t, "")) if b) for t in _SHARED}
        rest = {t: b for t, b in ours.items() if t not in _SHARED}
        obj.__doc__ = _join(summary, {**merged, **rest}, list(_SHARED) + list(rest))
        return obj

    return apply
