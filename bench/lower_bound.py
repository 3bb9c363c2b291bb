"""A lower bound on the mean wait of a trace that no allocation policy can beat.

The mean-busy-time LP relaxation, time-indexed. For any schedule of the trace
on the hall's windows (whatever the skills and the policy, even knowing every
service time in advance), let job j start at S_j and run p_j; its mean busy
time is M_j = S_j + p_j / 2. Split the day into slots of `slot` seconds and
let x[j, t] be the work of j done in slot t. Every real schedule gives a
feasible point of

    minimise  sum_j sum_t x[j, t] * start(t) / p_j
    s.t.      sum_t x[j, t] = p_j                      (all work done)
              sum_j x[j, t] <= open_windows(t) * slot  (capacity, lunch breaks included)
              0 <= x[j, t] <= slot                      (one window at a time)
              x[j, t] = 0 if the slot ends before j arrives

whose objective is at most sum_j M_j (start(t) is the slot's start), so
mean wait >= (LP - sum_j (p_j / 2 + r_j)) / n over served tickets. Skills
are relaxed away, so the bound also holds for full pooling. No-shows take
their recall time and count only as capacity used. Solved by HiGHS.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from core.forecast.availability import lunch_of


def _open_windows(hall, start: float, slots: int, slot: float) -> np.ndarray:
    counts = np.zeros(slots)
    opening, closing = hall.hours.open * 60.0, hall.hours.close * 60.0
    for w in hall.windows:
        lunch = lunch_of(hall.hours, w)
        for k in range(slots):
            t0 = start + k * slot
            t1 = t0 + slot
            if t1 <= opening:
                continue
            on_lunch = lunch is not None and lunch[0] * 60 <= t0 and t1 <= lunch[1] * 60
            if not on_lunch or t0 >= closing:
                counts[k] += 1
    return counts


def mean_wait_lower_bound(hall, trace, recall_seconds: float = 45.0, slot: float = 60.0,
                          horizon: float = 6 * 3600.0) -> float:
    """The LP bound on the mean wait (minutes) of served tickets of `trace`."""
    start = min(min(t.arrival for t in trace), hall.hours.open * 60.0)
    end = max(t.arrival for t in trace) + horizon
    slots = int((end - start) // slot) + 1
    capacity = _open_windows(hall, start, slots, slot) * slot
    rows, cols, costs, bounds_hi = [], [], [], []
    job_rows, job_work = [], []
    constant, served = 0.0, 0
    for j, t in enumerate(trace):
        work = recall_seconds if t.no_show else t.service_minutes * 60.0
        work = max(work, 1.0)
        first = max(0, int((t.arrival - start) // slot))
        last = min(slots, first + int(horizon // slot))
        for k in range(first, last):
            rows.append(j)
            cols.append(k)
            costs.append(0.0 if t.no_show else (start + k * slot) / work)
            bounds_hi.append(min(slot, work))
        job_rows.append(j)
        job_work.append(work)
        if not t.no_show:
            constant += work / 2.0 + t.arrival
            served += 1
    n_vars = len(rows)
    index = np.arange(n_vars)
    a_eq = coo_matrix((np.ones(n_vars), (np.array(rows), index)), shape=(len(trace), n_vars))
    a_ub = coo_matrix((np.ones(n_vars), (np.array(cols), index)), shape=(slots, n_vars))
    result = linprog(np.array(costs), A_ub=a_ub.tocsr(), b_ub=capacity, A_eq=a_eq.tocsr(),
                     b_eq=np.array(job_work), bounds=list(zip([0.0] * n_vars, bounds_hi)),
                     method="highs")
    if result.status != 0:
        raise RuntimeError(f"lower-bound LP failed: {result.message}")
    return max(0.0, (result.fun - constant) / served / 60.0)
