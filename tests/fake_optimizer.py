"""A stand-in optimizer for the scheduler tests: just what a scheduler reads and writes."""


class FakeOptimizer:
    """``param_groups`` (lr plus momentum, betas or any other hyperparameters), ``defaults``,
    ``step_count`` (advanced by ``step()``) and a torch-like ``state_dict``."""

    def __init__(self, lrs=(0.1,), momentum=0.9, betas=None, **hyper):
        extra = hyper or ({"betas": betas} if betas is not None else {"momentum": momentum})
        self.param_groups = [{"params": [], "lr": lr, **extra} for lr in lrs]
        self.defaults = {"lr": lrs[0], **extra}
        self.step_count = 0

    def step(self):
        self.step_count += 1

    def state_dict(self):
        return {"param_groups": [dict(g) for g in self.param_groups], "step_count": self.step_count}

    def load_state_dict(self, state):
        self.param_groups = [dict(g) for g in state["param_groups"]]
        self.step_count = state["step_count"]
