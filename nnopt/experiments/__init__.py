"""The experiments the notebooks run, one module per notebook.

A notebook cell should show what teaches (the optimizer, the hyperparameters, the plot call); the
bookkeeping of an experiment (loops over seeds and learning rates, collecting curves) lives here,
so cells stay short and the same experiment can be tested.
"""
