"""The optimizer base class, in the shape of ``torch.optim.Optimizer``.

An optimizer holds

- ``param_groups``: a list of dicts, each with ``"params"`` (a list of Parameters) and every
  hyperparameter (``"lr"``, ...) filled in from the constructor's defaults. Groups let parts
  of a model use different hyperparameters; schedulers change ``group["lr"]`` between steps.
- ``state``: a dict ``{Parameter: {name: value}}`` with what the algorithm remembers per
  parameter (momentum buffers, averages of g², the step count ``t``), created on the
  parameter's first step (Adagrad's: at construction, as in torch).
- ``step_count``: the number of completed ``step()`` calls.

``step()`` does, in order:

1. apply ``grad_transforms`` (e.g. ``ClipGradNorm(1.0)``) to the gradients of all parameters;
2. check every gradient (an ndarray of the parameter's shape, all finite) *before* writing
   anything: a NaN or inf raises :class:`NonFiniteGradientError` and leaves the parameters
   and the state untouched;
3. update each parameter in place with the algorithm's ``_update``: parameter by parameter,
   or, when a group's parameters are views tiling one flat buffer (a ``Sequential``'s
   parameters are), once on the group's flat slices (``_flat.py``: fewer NumPy calls, no
   copies, the same numbers; ``state[p]`` then holds views of the flat state).

The finite check costs one pass per array (one per flat group), ``Σ g²`` as a BLAS dot
product: it is finite exactly when every entry is, unless finite entries overflow it, and
only then does the exact ``isfinite(g).all()`` run.

A subclass gives ``_hyperparameter_checks`` (name → checker), ``_init_state`` (the state of
a parameter before its first step), ``_update`` (one step for one parameter) and
``_n_work_arrays`` (how many preallocated temporaries ``_update`` needs, so that a step
allocates no new arrays).
"""
from __future__ import annotations

import copy
import difflib
import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..parameter import Parameter
from ._flat import FlatGroup
from .errors import NonFiniteGradientError

__all__ = ["Optimizer", "coupled_gradient"]

GradTransform = Callable[[list[Parameter]], Any]


def coupled_gradient(param: Parameter, weight_decay: float, maximize: bool,
                     out: np.ndarray | None) -> np.ndarray:
    """The gradient the algorithm follows: ``g`` (``−g`` if ``maximize``) ``+ weight_decay·θ``.

    ``weight_decay·θ`` is the gradient of the L2 penalty ``weight_decay/2·‖θ‖²`` ("coupled"
    weight decay: it goes through the algorithm's averages, unlike AdamW's decoupled decay).
    Returns ``param.grad`` itself when there is nothing to add; otherwise writes into ``out``
    and never modifies ``param.grad``.
    """
    grad = param.grad
    if weight_decay == 0:
        if not maximize:
            return grad
        return np.negative(grad, out=out)
    np.multiply(param.value, weight_decay, out=out)
    if maximize:
        out -= grad
    else:
        out += grad
    return out


_MISSING = object()


class ParamGroup(dict):
    """A parameter group: a plain dict (as in torch) that notes when a value is written.

    The optimizer checks a group's hyperparameters again at the next ``step()`` only after a
    write (a scheduler setting ``lr``, a user setting ``betas``), so stepping costs no check.
    A change *inside* a mutable value (``group["betas"][1] = 1.0`` on a list) is not noticed.
    """

    __slots__ = ("changed",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed = True

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.changed = True

    def __delitem__(self, key):
        super().__delitem__(key)
        self.changed = True

    def update(self, *args, **kwargs):
        super().update(*args, **kwargs)
        self.changed = True

    def setdefault(self, key, default=None):
        self.changed = True
        return super().setdefault(key, default)

    def pop(self, *args):
        self.changed = True
        return super().pop(*args)

    def clear(self):
        super().clear()
        self.changed = True

    def __reduce__(self):  # copy and pickle: a ParamGroup again, checked at its next step
        return type(self), (dict(self),)
#: Names from other libraries or courses for a hyperparameter, for the hint on an unknown group key.
_USUAL_NAMES = {"learning_rate": "lr", "learningrate": "lr", "alpha": "lr", "eta": "lr", "epsilon": "eps",
                "beta1": "betas", "beta2": "betas", "beta_1": "betas", "beta_2": "betas", "decay": "weight_decay",
                "l2": "weight_decay", "wd": "weight_decay", "mu": "momentum", "beta": "momentum", "rho": "alpha"}


def _check_state_array(param: Parameter, key: str, value) -> None:
    where = f"optimizer.state[{param!r}][{key!r}]"
    fix = (f"write into it in place (state[p][{key!r}][...] = 0) or assign a float array of shape "
           f"{param.value.shape}, e.g. np.zeros_like(p.value)")
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{where} must be an array of shape {param.value.shape}, got "
                        f"{type(value).__name__} {value!r:.60}; {fix}.")
    if value.shape != param.value.shape:
        raise ValueError(f"{where} must have the parameter's shape {param.value.shape}, got an array of "
                         f"shape {value.shape}; {fix}.")
    if value.dtype.kind != "f":
        raise TypeError(f"{where} must be a float array, got dtype {value.dtype}; {fix}.")
    if not np.isfinite(value).all():
        raise ValueError(f"{where} contains NaN or inf, which would turn the parameter into NaN; {fix}.")


def _check_state_step(param: Parameter, step) -> None:
    if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, np.integer)) or step < 0:
        raise ValueError(f"optimizer.state[{param!r}]['step'] must be a whole number >= 0 (the steps "
                         f"taken so far; 0 restarts the bias correction), got {step!r}.")


def _all_finite(grad: np.ndarray) -> bool:
    """Is every entry finite? ``Σ g²`` (one BLAS dot product, allocates nothing for a
    contiguous ``g``) is finite exactly when they all are, unless finite entries overflow it;
    only then is the exact, slower ``isfinite(g).all()`` needed."""
    try:
        if math.isfinite(np.vdot(grad, grad)):
            return True
    except (RuntimeWarning, FloatingPointError):     # overflow, with warnings turned into errors
        pass
    return bool(np.isfinite(grad).all())


class Optimizer:
    """Base class of all nnopt optimizers (the ``torch.optim.Optimizer`` interface).

    ``params`` is an iterable of :class:`~nnopt.Parameter` (or of ``(name, Parameter)``
    pairs, as ``model.named_parameters()`` gives; the names go to ``group["param_names"]``)
    or of group dicts such as ``[{"params": model_a, "lr": 1e-3}, {"params": model_b}]``;
    keys a group leaves out are taken from ``defaults``. ``grad_transforms`` is a list of
    callables ``f(params)`` applied to the gradients at the start of every ``step()`` (see
    ``nnopt.optim.clip``)::

        opt = Adam(model.parameters(), lr=1e-3)
        opt.grad_transforms.append(ClipGradNorm(max_norm=1.0))
    """

    _hyperparameter_checks: dict[str, Callable[[str, Any, str], None]] = {}
    _n_work_arrays = 2

    def __init__(self, params: Iterable, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self._check_hyperparameters(self.defaults, where="")
        self.state: dict[Parameter, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        self.step_count = 0
        self.grad_transforms: list[GradTransform] = []
        self._work_arrays: dict[Parameter, list[np.ndarray]] = {}
        self._flat_groups: dict[int, FlatGroup] = {}
        self._state_seen: dict[Parameter, dict[str, np.ndarray]] = {}  # the arrays last stepped, per key

        if isinstance(params, Parameter):
            raise TypeError("params must be an iterable of Parameters or of group dicts, got a "
                            "single Parameter; pass [param].")
        if isinstance(params, (set, frozenset, dict)):
            raise TypeError(f"params must be an ordered iterable (a list) of Parameters or group "
                            f"dicts, got a {type(params).__name__}; the order matters for "
                            f"state_dict(), and a single group dict goes in a list.")
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(f"params must be an iterable of Parameters or of group dicts, got "
                            f"{type(params).__name__}.") from None
        if not groups:
            raise ValueError("params is empty: the optimizer got no parameters to optimize "
                             "(did the model build any layers?).")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, its missing hyperparameters taken from ``defaults``."""
        where = f" in param_groups[{len(self.param_groups)}]"
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict like {{'params': [...], 'lr': 0.01}}, "
                            f"got {type(param_group).__name__}; do not mix Parameters and dicts "
                            f"in params.")
        if "params" not in param_group:
            raise ValueError(f"parameter group{where} has no 'params' key; give "
                             f"{{'params': [...], ...}}.")
        params = param_group["params"]
        if isinstance(params, Parameter):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"'params'{where} must be an ordered collection (a list), got a set.")
        else:
            try:
                params = list(params)
            except TypeError:
                raise TypeError(f"'params'{where} must be a list of Parameters, got "
                                f"{type(params).__name__}.") from None
        if not params:
            raise ValueError(f"'params'{where} is empty: a parameter group needs at least one "
                             f"Parameter.")
        names = None
        named = [isinstance(item, tuple) for item in params]
        if any(named):                      # model.named_parameters(): (name, Parameter) pairs
            if not all(named) or not all(len(item) == 2 and isinstance(item[0], str) for item in params):
                raise TypeError(f"'params'{where} mixes Parameters and other items; give all "
                                f"Parameters or all (name, Parameter) pairs.")
            names = [name for name, _ in params]
            params = [param for _, param in params]
        for index, param in enumerate(params):
            if not isinstance(param, Parameter):
                raise TypeError(f"'params'{where} must hold nnopt.Parameter objects, but item {index} "
                                f"is a {type(param).__name__}; wrap arrays as Parameter(array).")
        seen: set[int] = set()
        for param in params:
            if id(param) in seen:
                raise ValueError(f"'params'{where} lists {param!r} twice; each Parameter may appear "
                                 f"once.")
            seen.add(id(param))
        for index, group in enumerate(self.param_groups):
            for param in group["params"]:
                if id(param) in seen:
                    raise ValueError(f"{param!r} is already in param_groups[{index}]; a Parameter may "
                                     f"belong to one group only.")

        group = ParamGroup(params=params)
        if names is not None:
            group["param_names"] = names
        for name, default in self.defaults.items():
            group[name] = param_group.get(name, default)
        for name, value in param_group.items():
            group.setdefault(name, value)
        self._check_hyperparameters(group, where)
        unknown = [name for name in param_group if name not in self.defaults
                   and name not in ("params", "param_names", "initial_lr", "max_lr", "min_lr", "name")]
        for name in unknown:  # other keys are allowed (metadata, as in torch); a likely typo is not
            meant = _USUAL_NAMES.get(name.lower()) if isinstance(name, str) else None
            close = difflib.get_close_matches(name, list(self.defaults), n=1, cutoff=0.75) if isinstance(name, str) else []
            meant = meant if meant in self.defaults else (close[0] if close else None)
            if meant is not None:
                warnings.warn(f"{name!r}{where} is not a hyperparameter of {type(self).__name__} "
                              f"({', '.join(self.defaults)}), so it changes nothing; did you mean {meant!r}?",
                              UserWarning, stacklevel=3)
        self.param_groups.append(group)

    def _check_hyperparameters(self, hyperparameters: dict[str, Any], where: str) -> None:
        """Raise ValueError/TypeError for a value outside its allowed range."""
        for name, check in self._hyperparameter_checks.items():
            if name in hyperparameters:
                check(name, hyperparameters[name], where)

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set every parameter's gradient to zero in place (gradients accumulate until cleared).

        torch's ``set_to_none=True`` is not offered: nnopt layers add into ``.grad`` with
        ``+=``, so the arrays must stay.
        """
        if set_to_none:
            raise ValueError("zero_grad(set_to_none=True) is not supported: nnopt layers accumulate "
                             "into param.grad with +=, so gradients are zeroed in place; call "
                             "zero_grad().")
        for group in self.param_groups:
            flat = self._flat_groups.get(id(group))
            if flat is not None and flat.holds(group["params"]):
                flat.param.grad.fill(0)          # the group's gradients are one flat slice
            else:
                for param in group["params"]:
                    if param.grad is not None:
                        param.zero_grad()

    def step(self, closure: Callable[[], float] | None = None):
        """Update every parameter once from its gradient; returns ``closure()`` if given.

        ``closure`` (optional, as in torch) recomputes the loss and the gradients.
        """
        loss = closure() if closure is not None else None
        if self.grad_transforms:
            with_grad = [p for group in self.param_groups for p in group["params"] if p.grad is not None]
            for transform in self.grad_transforms:
                transform(with_grad)
        self._check_changed_hyperparameters()
        plans = self._check_gradients()          # raises before anything is written
        for group, flat in zip(self.param_groups, plans):
            if flat is not None and (flat.owns_state(self.state) or flat.adopt_state(self, group)):
                flat.step(self, group)           # the whole group as one flat array (see _flat.py)
            else:
                self._step_each(group)
        self.step_count += 1
        return loss

    def _check_changed_hyperparameters(self) -> None:
        """Check a group's hyperparameters again when something (a scheduler, the user) changed them."""
        for index, group in enumerate(self.param_groups):
            if getattr(group, "changed", True):  # a plain dict put in by hand is checked every step
                self._check_hyperparameters(group, f" in param_groups[{index}] (changed after the "
                                                   f"optimizer was built)")
                if isinstance(group, ParamGroup):
                    group.changed = False

    def _step_each(self, group: dict[str, Any]) -> None:
        """Step the parameters of ``group`` one by one."""
        flat = self._flat_groups.get(id(group))
        if flat is not None:
            flat.invalidate()
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state.get(param)
            if not state:                        # first step (or state emptied by the user)
                state = self.state[param] = self._init_state(param, group)
            else:
                self._check_state_edits(param, state, group)
            work = self._work_arrays.get(param)
            if work is None:
                work = self._work_arrays[param] = [np.empty_like(param.value)
                                                   for _ in range(self._n_work_arrays)]
            self._update(param, state, group, work)
            self._state_seen[param] = {key: value for key, value in state.items() if isinstance(value, np.ndarray)}

    def _array_keys(self, param: Parameter, group: dict[str, Any]) -> list[str]:
        """The state keys that hold arrays shaped like ``param`` (from a fresh state, warnings muted)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            template = self._init_state(param, group)
        return [key for key, value in template.items() if isinstance(value, np.ndarray)]

    def _check_state_edits(self, param: Parameter, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Honour a user's write into ``state[param]`` when it can be used; refuse it clearly otherwise.

        An array the optimizer stepped last time and that is still the same object is not looked at
        again (this costs one identity test per key and step).
        """
        if not isinstance(state, dict):
            raise TypeError(f"optimizer.state[{param!r}] must be a dict of the parameter's state, got "
                            f"{type(state).__name__}; set it to {{}} to start this parameter afresh.")
        seen = self._state_seen.get(param)
        if seen is None:                         # after a copy or load_state_dict: learn the array keys
            seen = dict.fromkeys(self._array_keys(param, group))
            seen.update({key: None for key, value in state.items() if isinstance(value, np.ndarray)})
        for key, last in seen.items():
            value = state.get(key, _MISSING)
            if value is last:
                continue
            if value is _MISSING:
                if last is None:                 # created on demand by this optimizer (e.g. after a load)
                    continue
                raise KeyError(f"optimizer.state[{param!r}] lost its entry {key!r}; put an array of shape "
                               f"{param.value.shape} back, or set optimizer.state[p] = {{}} to start this "
                               f"parameter's averages afresh.")
            _check_state_array(param, key, value)
        if "step" in state:
            _check_state_step(param, state["step"])

    def _check_gradients(self) -> list[FlatGroup | None]:
        """Check every gradient (array, shape, finite); return each group's flat plan or None.

        A group whose gradients are one flat slice (see ``_flat.py``) gets one finite check.
        """
        plans: list[FlatGroup | None] = []
        first_index = 0
        for group in self.param_groups:
            params = group["params"]
            flat = self._flat_groups.get(id(group))
            if flat is None or not flat.holds(params):     # new, or a value or grad was rebound
                self._check_shapes(params, first_index)
                flat = FlatGroup.of(params, self._n_work_arrays)
                if flat is not None:
                    self._flat_groups[id(group)] = flat
            if flat is not None:
                if not _all_finite(flat.param.grad):
                    self._raise_first_non_finite(params, first_index)
            else:
                for index, param in enumerate(params, start=first_index):
                    if param.grad is not None and not _all_finite(param.grad):
                        self._raise_non_finite(index, param, param.grad)
            plans.append(flat)
            first_index += len(params)
        return plans

    @staticmethod
    def _check_shapes(params: list[Parameter], first_index: int) -> None:
        for index, param in enumerate(params, start=first_index):
            grad = param.grad
            if grad is None:
                continue
            if not isinstance(grad, np.ndarray):
                raise TypeError(f"the gradient of parameter {index} ({param!r}) must be a "
                                f"NumPy array, got {type(grad).__name__}.")
            if grad.shape != param.value.shape:
                raise ValueError(f"the gradient of parameter {index} ({param!r}) has shape "
                                 f"{grad.shape}, but the parameter has shape "
                                 f"{param.value.shape}; they must match.")

    def _raise_first_non_finite(self, params: list[Parameter], first_index: int) -> None:
        for index, param in enumerate(params, start=first_index):
            if not np.isfinite(param.grad).all():
                self._raise_non_finite(index, param, param.grad)

    def _raise_non_finite(self, index: int, param: Parameter, grad: np.ndarray) -> None:
        n_nan = int(np.isnan(grad).sum())
        n_inf = int(np.isinf(grad).sum())
        lr = next(group.get("lr") for group in self.param_groups
                  if any(p is param for p in group["params"]))
        raise NonFiniteGradientError(
            f"the gradient of parameter {index} ({param!r}) has {n_nan} NaN and {n_inf} infinite "
            f"entries at step {self.step_count + 1}; nothing was updated. The loss has probably "
            f"diverged: lower the learning rate (lr={lr}) or clip the gradients, e.g. "
            f"optimizer.grad_transforms.append(ClipGradNorm(1.0))."
        )

    def _init_state(self, param: Parameter, group: dict[str, Any]) -> dict[str, Any]:
        """The state of ``param`` before its first step (arrays in the parameter's dtype)."""
        return {}

    def _update(self, param: Parameter, state: dict[str, Any], group: dict[str, Any],
                work: list[np.ndarray]) -> None:
        """Change ``param.value`` in place from ``param.grad``: one step of the algorithm.

        ``work`` holds ``_n_work_arrays`` preallocated arrays shaped like the parameter, for
        intermediate results (they are not state: their content does not survive the call).
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement _update")

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """A deep copy of the optimizer's state, parameters replaced by their index.

        Keys: ``"optimizer"`` (the class name), ``"step_count"``, ``"state"``
        (``{index: {...}}``) and ``"param_groups"`` (hyperparameters, ``"params"`` as lists of
        indices). Indices count the parameters group by group, as in torch.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {name: copy.deepcopy(value) for name, value in group.items() if name != "params"}
            packed["params"] = []
            for param in group["params"]:
                index_of[id(param)] = len(index_of)
                packed["params"].append(index_of[id(param)])
            groups.append(packed)
        state = {index_of[id(param)]: copy.deepcopy(dict(values)) for param, values in self.state.items()
                 if values and id(param) in index_of}
        return {"optimizer": type(self).__name__, "step_count": self.step_count,
                "state": dict(sorted(state.items())), "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a ``state_dict()``: hyperparameters, per-parameter state and step_count.

        The optimizer must be of the same class with the same number of groups and of
        parameters per group; arrays are copied (in each parameter's dtype).
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise TypeError("state_dict must be a dict from Optimizer.state_dict() with keys "
                            "'optimizer', 'step_count', 'state' and 'param_groups'.")
        saved_by = state_dict.get("optimizer", type(self).__name__)  # torch's state dicts do not name it
        step_count = state_dict.get("step_count", 0)
        if isinstance(step_count, (bool, np.bool_)) or not isinstance(step_count, (int, np.integer)) or step_count < 0:
            raise ValueError(f"state_dict['step_count'] must be a whole number >= 0, got {step_count!r}.")
        step_count = int(step_count)
        if saved_by != type(self).__name__:
            raise ValueError(f"state_dict was saved by a {saved_by} optimizer and cannot be loaded "
                             f"into a {type(self).__name__}; create a {saved_by} instead.")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"state_dict has {len(saved_groups)} parameter groups, this optimizer "
                             f"has {len(self.param_groups)}; they must match.")
        params: list[Parameter] = []
        for index, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"param_groups[{index}] of state_dict has {len(saved['params'])} "
                                 f"parameters, this optimizer's has {len(group['params'])}; they "
                                 f"must match.")
            params.extend(group["params"])
        new_groups = []
        for index, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            restored = {name: copy.deepcopy(value) for name, value in saved.items() if name != "params"}
            restored = {"params": group["params"], **restored}
            self._check_hyperparameters(restored, f" in state_dict['param_groups'][{index}]")
            new_groups.append(restored)
        new_state: dict[Parameter, dict[str, Any]] = {}
        for key, values in state_dict["state"].items():
            if not (isinstance(key, (int, np.integer)) and 0 <= key < len(params)):
                raise ValueError(f"state_dict['state'] has key {key!r}, but parameter indices run "
                                 f"from 0 to {len(params) - 1}.")
            param = params[key]
            if not isinstance(values, dict):
                raise TypeError(f"state_dict['state'][{key}] must be a dict of parameter {key}'s state, "
                                f"got {type(values).__name__} {values!r:.60}.")
            group = next(g for g in new_groups if any(p is param for p in g["params"]))
            array_keys = self._array_keys(param, group)
            restored_values = {}
            for name, value in values.items():
                if name in array_keys and not isinstance(value, np.ndarray):
                    raise TypeError(f"state_dict['state'][{key}][{name!r}] must be an array of shape "
                                    f"{param.value.shape}, got {type(value).__name__} {value!r:.60}.")
                if name == "step":
                    _check_state_step(param, value)
                if isinstance(value, np.ndarray):
                    if value.shape != param.value.shape:
                        raise ValueError(f"state_dict['state'][{key}][{name!r}] has shape {value.shape},"
                                         f" but parameter {key} has shape {param.value.shape}.")
                    value = np.array(value, dtype=param.value.dtype, copy=True)
                else:
                    value = copy.deepcopy(value)
                restored_values[name] = value
            new_state[param] = restored_values
        for group, restored in zip(self.param_groups, new_groups):
            group.clear()
            group.update(restored)
        self.state = new_state
        self._state_seen = {}
        self.step_count = step_count

    # ------------------------------------------------------------------ copying
    def __getstate__(self) -> dict[str, Any]:
        """What ``copy.deepcopy`` and ``pickle`` save: everything but the speed caches.

        The flat-step bookkeeping (``_flat.py``) and the work arrays are rebuilt on the first
        step after a copy, from the per-parameter states, so a copy steps bit for bit like the
        original. Copied together with its model (``copy.deepcopy((model, opt))``) the copy
        follows the copied parameters; copied alone, it steps its own copies of them.
        """
        state = dict(self.__dict__)
        state["state"] = {param: dict(values) for param, values in self.state.items()}
        state["_flat_groups"] = {}
        state["_work_arrays"] = {}
        state["_state_seen"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("_state_seen", {})
        self.__dict__.update(state)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for name in sorted(group):
                if name != "params":
                    lines.append(f"    {name}: {group[name]}")
        lines.append(")")
        return "\n".join(lines)
