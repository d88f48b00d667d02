"""The one result guard of the post-processing classes (freud's ``_Compute`` habit).

A class derives from :class:`Compute`, marks the end of its ``compute()`` with
``self._called_compute = True`` (or returns ``self._computed()``) and declares
its results with :func:`computed_property`: reading one before ``compute()``
raises a RuntimeError that says which call is missing.
"""

from __future__ import annotations

import functools
from typing import Any, Callable


class Compute:
    """Base of classes whose results exist only after ``compute()``.

    ``compute_hint`` names the call in the error message (e.g. ``"compute(t, f)"``).
    """

    compute_hint = "compute()"
    _called_compute = False

    def _computed(self):
        """Mark the results as available; returns ``self`` (for ``return self._computed()``)."""
        self._called_compute = True
        return self


def computed_property(func: Callable[[Any], Any]) -> property:
    """A read-only property that raises before ``compute()`` has been called."""
    @functools.wraps(func)
    def getter(self):
        if not self._called_compute:
            raise RuntimeError(f"{type(self).__name__}: call {self.compute_hint} first")
        return func(self)

    return property(getter, doc=func.__doc__)


__all__ = ["Compute", "computed_property"]
