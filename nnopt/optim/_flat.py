"""One step for a whole group of small parameters at once: how ``Optimizer.step`` stays fast.

NumPy pays about a microsecond per call, and an optimizer step is a dozen array operations
*per parameter*. For a network of small arrays (an MLP's weights and biases) the calls, not
the arithmetic, then dominate. For such a group the optimizer instead runs the algorithm's
unchanged ``_update`` once, on a stand-in parameter whose

- ``grad`` is one flat copy of all the gradients (gathered at the start of the step),
- ``value`` is a :class:`ScatteredValue`: ``value -= step`` and ``value *= factor`` are
  applied to each real parameter in place, and reading it (the L2 term ``λ·θ``) gathers
  the current values,

and whose state is flat as well; ``optimizer.state[p]`` holds *views* of it, so
``state[p]["exp_avg"]`` has ``p``'s shape and can be read or changed in place. A step then
costs a dozen whole-group operations plus about two calls per parameter (gather the
gradient, apply the step). The arithmetic is elementwise, so the numbers are bit for bit
those of the parameter-by-parameter loop.

A group is handled this way when it has at least two parameters of one dtype, all with a
gradient, averaging at most ``FLAT_MAX_MEAN_SIZE`` values (beyond that, copying the
gradients costs more than the calls it saves), and when the per-parameter states agree
(same keys, same step count). Otherwise the group is stepped parameter by parameter.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

FLAT_MAX_MEAN_SIZE = 8192


class ScatteredValue:
    """The stand-in's ``value``: the group's parameters, seen as one flat array.

    Supports what the algorithms do with ``param.value``: ``-=`` and ``*=`` (applied to every
    parameter in place, from views of a flat step), and reading (``np.asarray``,
    ``np.zeros_like``), which gathers the current values into a flat buffer.
    """

    __slots__ = ("_params", "_bounds", "_shapes", "_gathered", "_known_views")

    def __init__(self, params: list, bounds: list, shapes: list, gathered: np.ndarray,
                 known: list[np.ndarray]):
        self._params, self._bounds, self._shapes, self._gathered = params, bounds, shapes, gathered
        self._known_views = {id(flat): (flat, self._views(flat)) for flat in [gathered, *known]}

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        return [flat[start:stop].reshape(shape) for (start, stop), shape in zip(self._bounds, self._shapes)]

    def _views_of(self, flat: np.ndarray) -> list[np.ndarray]:
        known = self._known_views.get(id(flat))
        return known[1] if known is not None and known[0] is flat else self._views(flat)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._gathered.shape

    @property
    def dtype(self):
        return self._gathered.dtype

    def __isub__(self, step: np.ndarray) -> ScatteredValue:
        for param, part in zip(self._params, self._views_of(step)):
            param.value -= part
        return self

    def __imul__(self, factor: float) -> ScatteredValue:
        for param in self._params:
            param.value *= factor
        return self

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        for param, part in zip(self._params, self._views_of(self._gathered)):
            np.copyto(part, param.value)
        if dtype is not None and np.dtype(dtype) != self._gathered.dtype:
            return self._gathered.astype(dtype)
        return self._gathered.copy() if copy else self._gathered


class FlatParameter:
    """The stand-in: one flat ``value`` and ``grad`` for a whole group."""

    __slots__ = ("value", "grad", "name")

    def __init__(self, value: ScatteredValue, grad: np.ndarray):
        self.value, self.grad, self.name = value, grad, "flat group"


class FlatGroup:
    """Flat buffers for one parameter group, and the views that tie them to the parameters."""

    def __init__(self, params: list, n_work_arrays: int):
        self.params = list(params)
        dtypes = {p.value.dtype for p in params}
        sizes = [p.value.size for p in params]
        self.enabled = (len(params) >= 2 and len(dtypes) == 1
                        and sum(sizes) <= FLAT_MAX_MEAN_SIZE * len(params))
        if not self.enabled:
            return
        dtype = dtypes.pop()
        self.shapes = [p.value.shape for p in params]
        stops = np.cumsum(sizes).tolist()
        self.bounds = list(zip([0, *stops[:-1]], stops))
        total = stops[-1]
        self.work = [np.empty(total, dtype) for _ in range(n_work_arrays)]
        value = ScatteredValue(self.params, self.bounds, self.shapes, np.empty(total, dtype), self.work)
        self.param = FlatParameter(value, np.empty(total, dtype))
        self.grad_views = self._views(self.param.grad)
        self.state: dict[str, Any] | None = None
        self.installed: list[dict[str, Any]] = []       # the dicts put into optimizer.state
        self.published: dict[str, np.ndarray] = {}      # flat arrays whose views are installed

    def _views(self, flat: np.ndarray) -> list[np.ndarray]:
        return [flat[start:stop].reshape(shape) for (start, stop), shape in zip(self.bounds, self.shapes)]

    def holds(self, params: list) -> bool:
        return len(params) == len(self.params) and all(map(operator.is_, params, self.params))

    def gather_grads(self) -> np.ndarray:
        for view, param in zip(self.grad_views, self.params):
            np.copyto(view, param.grad)
        return self.param.grad

    def owns_state(self, state: dict) -> bool:
        """Are the per-parameter states still the views this group installed?"""
        return self.state is not None and all(
            state.get(param) is installed for param, installed in zip(self.params, self.installed))

    def invalidate(self) -> None:
        """The group was stepped parameter by parameter: the flat scalars may be stale."""
        if self.enabled:
            self.state = None

    def adopt_state(self, optimizer, group: dict) -> bool:
        """Make the flat state from the per-parameter states (or fresh), then install views."""
        states = [optimizer.state.get(param) for param in self.params]
        if not any(states):                     # no state yet (or emptied): start fresh
            flat_state = optimizer._init_state(self.param, group)
        else:
            flat_state = self._concatenate(states)
            if flat_state is None:
                return False
        self.state, self.published = flat_state, {}
        self.installed = [{} for _ in self.params]
        self.publish()
        for param, installed in zip(self.params, self.installed):
            optimizer.state[param] = installed
        return True

    def _concatenate(self, states: list) -> dict[str, Any] | None:
        if not all(states) or any(s.keys() != states[0].keys() for s in states):
            return None
        flat_state: dict[str, Any] = {}
        for key, first in states[0].items():
            values = [s[key] for s in states]
            if isinstance(first, np.ndarray):
                if not all(isinstance(v, np.ndarray) and v.shape == shape
                           for v, shape in zip(values, self.shapes)):
                    return None
                flat = np.empty_like(self.param.grad)
                for view, value in zip(self._views(flat), values):
                    np.copyto(view, value)
                flat_state[key] = flat
            elif all(v == first for v in values):
                flat_state[key] = first
            else:
                return None
        return flat_state

    def publish(self) -> None:
        """Point the per-parameter states at the flat state (views) and copy its scalars."""
        for key, value in self.state.items():
            if isinstance(value, np.ndarray):
                if self.published.get(key) is not value:   # a new flat array: make its views
                    self.published[key] = value
                    for installed, view in zip(self.installed, self._views(value)):
                        installed[key] = view
            else:
                for installed in self.installed:
                    installed[key] = value

    def step(self, optimizer, group: dict) -> None:
        optimizer._update(self.param, self.state, group, self.work)
        self.publish()
