"""The one result guard of the post-processing classes (freud's ``_Compute`` habit).

A class derives from :class:`Compute` and declares its results with
:func:`computed_property`: reading one before ``compute()`` has returned
raises a RuntimeError that says which call is missing. The base wraps every
``compute`` a subclass defines (:meth:`Compute.__init_subclass__`), so the
flag is set when ``compute`` returns, and only then (not when it raises): a
class never marks itself. Its outputs, ``table()``, ``summary()``, ``write()``
and every ``plot*()``, are guarded the same way. ``compute`` returns ``self`` (for chaining,
``Structure(...).compute(...).rdf``). Every ``summary()`` returns one type,
``dict[str, float]`` with ``/``-joined keys (:func:`flat_summary`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any, Callable


_OUTPUTS = ("table", "summary", "write")


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` that raises before ``compute()``, as :func:`computed_property`."""
    @functools.wraps(method)
    def guarded(self, *args: Any, **kw: Any) -> Any:
        if not self._called_compute:
            raise RuntimeError(f"{type(self).__name__}: call {self.compute_hint} first")
        return method(self, *args, **kw)

    guarded._guarded = True
    return guarded


class Compute:
    """Base of classes whose results exist only after ``compute()``.

    ``compute_hint`` names the call in the error message (e.g. ``"compute(t, f)"``).
    """

    compute_hint = "compute()"
    _called_compute = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Wrap the ``compute`` of the subclass so that its return marks the results as available."""
        super().__init_subclass__(**kwargs)
        for name, attr in list(cls.__dict__.items()):   # the outputs: guarded like the results
            if (name in _OUTPUTS or name.startswith("plot")) and callable(attr) and not hasattr(attr, "_guarded"):
                setattr(cls, name, _guarded(attr))
        compute = cls.__dict__.get("compute")
        if compute is None or getattr(compute, "_marks_computed", False):
            return

        @functools.wraps(compute)
        def marked(self, *args: Any, **kw: Any) -> Any:
            self._called_compute = False   # results of an earlier call are replaced (or lost on an error)
            try:
                result = compute(self, *args, **kw)
            except BaseException:
                self._called_compute = False
                raise
            self._called_compute = True
            return result

        marked._marks_computed = True
        cls.compute = marked

    def _computed(self):
        """Mark the results as available without ``compute()`` (e.g. an object assembled from parts);
        returns ``self``. ``compute()`` needs no call of it: the base marks its return.
        """
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


def flat_summary(nested: Mapping[Any, Any] | Sequence[Mapping[str, Any]], keys: Sequence[str] = ()) -> dict[str, float]:
    """The one type of every ``summary()``: ``{"a/b/c": value}`` from nested mappings ``{a: {b: {c: value}}}``.

    Parameters
    ----------
    nested : mapping, or sequence of mappings
        Numbers at the leaves. A sequence of flat rows is keyed by the values of ``keys`` in each row
        (e.g. ``keys=("phi", "method")``: ``"0.6/nnls/rmse_best"``); those columns are not repeated.
    keys : sequence of str
        Columns of the rows of a sequence that name them.

    Returns
    -------
    dict[str, float]
        Keys joined by ``/`` (numbers as ``%g``), values as float.
    """
    def name(k: Any) -> str:
        return f"{k:g}" if isinstance(k, float) else str(k)

    if not isinstance(nested, Mapping):
        nested = {"/".join(name(row[k]) for k in keys): {c: v for c, v in row.items() if c not in keys}
                  for row in nested}
    out: dict[str, float] = {}
    for k, v in nested.items():
        if isinstance(v, Mapping):
            out.update({f"{name(k)}/{sub}": val for sub, val in flat_summary(v).items()})
        else:
            out[name(k)] = float(v)
    return out


__all__ = ["Compute", "computed_property", "flat_summary"]
