"""scikit-learn's ``verbose`` lines, printed from the core's progress
reports: the core calls ``progress(iteration, total, objective, smoothed)``
after every iteration (taking the GIL only for that call), and these
printers write what scikit-learn's learners write at the same verbosity."""

import sys
import time

import numpy as np


class BatchLines:
    """``DictionaryLearning``'s lines (scikit-learn's ``_dict_learning``):
    ``verbose=1`` a dot per iteration after ``[dict_learning]``; higher, one
    ``Iteration …`` line per iteration with the elapsed time and the cost so
    far; then the convergence line."""

    def __init__(self, verbose):
        self.verbose = int(verbose)
        self.start = time.time()
        self.cost = np.nan
        if self.verbose == 1:
            print("[dict_learning]", end=" ")

    def __call__(self, iteration, total, objective, smoothed):
        dt = time.time() - self.start
        if self.verbose == 1:
            sys.stdout.write(".")
            sys.stdout.flush()
        else:
            print("Iteration % 3i (elapsed time: % 3is, % 4.1fmn, current cost % 7.3f)" % (iteration - 1, dt, dt / 60, self.cost))
        self.cost = objective

    def stopped(self, stop, n_iter):
        if stop != "tol":
            return
        if self.verbose == 1:
            print("")
        else:
            print("--- Convergence reached after %d iterations" % (n_iter - 1))


class MiniBatchLines:
    """``MiniBatchDictionaryLearning``'s lines: ``[dict_learning]``, one
    ``Minibatch step …`` line per step (with the smoothed cost once the
    stopping rules look at it), then why the fit stopped early."""

    def __init__(self):
        self.step, self.total = 0, 0
        print("[dict_learning]")

    def __call__(self, iteration, total, objective, smoothed):
        self.step, self.total = iteration, total
        line = f"Minibatch step {iteration}/{total}: mean batch cost: {objective}"
        print(line if smoothed is None else f"{line}, ewa cost: {smoothed}")

    def stopped(self, stop, n_iter):
        where = f"at step {self.step}/{self.total}"
        if stop == "tol":
            print(f"Converged (small dictionary change) {where}")
        elif stop == "max_no_improvement":
            print(f"Converged (lack of improvement in objective function) {where}")
