r"""Comparison helpers for checking another implementation against refgrow ("refgrow vs yours").

They know the mathematics' real ambiguities, so a correct implementation that made a different but
equally valid choice passes, and a real difference fails with a message saying where and by how much.

Symbol table (n samples, D inputs, k new neurons, d fan-in width (with bias column), d_next fan-out)
-----------------------------------------------------------------------------------------------------
====================  ==========================  ==============  ==========================================
paper symbol          code                        shape           meaning
====================  ==========================  ==============  ==========================================
alpha_k (001)         ``fan_in[k]``               (d,)            fan-in of neuron k (bias last, if any)
omega_k (001)         ``fan_out[:, k]``           (d_next,)       fan-out of neuron k
lambda_k (001)        ``singular_values[k]``      (k,)            singular values (groups of near-equal ones)
omega_k alpha_k^T     ``_unit_matrix``            (d_next, d)     rank-one move of neuron k (Eq. 19 of TINY)
f_a, f_b              ``a``, ``b``                (n, K)          the two functions compared
====================  ==========================  ==============  ==========================================

Ambiguities accepted (and nothing else)
---------------------------------------
* **Permutation of units** (every ``kind``): hidden units can be listed in any order.
* **SVD signs** (``kind="tiny"``, ``"gradmax"``): ``(u_k, v_k) -> (-u_k, -v_k)`` flips ``alpha_k`` and
  ``omega_k`` together; refgrow makes the largest-|omega| entry of each neuron positive, other libraries
  (gromo) do not.
* **Order / basis within (near-)equal singular values** (``"tiny"``, ``"gradmax"``, when singular values
  are known): any orthogonal rotation of the singular vectors of a degenerate group is an equally valid
  SVD; the group's summed move ``sum_{k in G} omega_k alpha_k^T`` is what is determined.
* **Rescaling** ``(c alpha_k, omega_k / c)``: any ``c != 0`` for ``"tiny"`` (the linearised move
  ``omega_k alpha_k^T`` of TINY's Problem (8) is what Prop. 3.2 determines), only ``c > 0`` for ``"relu"``
  (``omega relu(c z) = c omega relu(z)``; a sign flip changes a ReLU network's function).

Interpretation note (what "same neurons" means)
    TINY's Prop. 3.2 solves a problem on the linearised move ``sum_k omega_k alpha_k^T b``: the
    neurons are determined up to the ambiguities of the SVD and of the split of each rank-one term
    into two factors. ``kind="tiny"`` therefore compares the rank-one matrices ``omega_k alpha_k^T``
    (sums over degenerate groups). GradMax's fan-outs are fixed in norm (``c``) but not in sign, and
    its fan-in is zero (or proportional to the fan-out): ``kind="gradmax"`` compares
    ``omega_k [omega_k; alpha_k]^T``, which is sign-free and keeps the norm. ``kind="relu"`` asks for
    the same function unit by unit: permutation and positive rescaling only.
"""
from __future__ import annotations

import numpy as np

from refgrow._validation import as_float_array, check_positive_int, check_rng

__all__ = ["assert_allclose_report", "assert_neurons_equivalent", "assert_same_function",
           "convention_hints", "deviation_report"]

_KINDS = ("tiny", "gradmax", "relu")


# ---------------------------------------------------------------------------------------------- arrays
def _fmt_index(idx):
    return "[" + ", ".join(str(int(i)) for i in idx) + "]"


def deviation_report(yours, reference, *, rtol=1e-10, atol=1e-12, n_worst=5):
    """Deviations of ``yours`` from ``reference`` (refgrow's value), entry by entry.

    Parameters
    ----------
    yours, reference : array_like, same shape
    rtol, atol : float, the ``numpy.allclose`` rule ``|yours - ref| <= atol + rtol |ref|``
    n_worst : int, how many of the largest deviations to list

    Returns
    -------
    dict
        ``ok`` (bool), ``max_abs``, ``max_rel`` (``|yours - ref| / |ref|``, inf where ref = 0 and they
        differ), ``n_bad`` (entries breaking the rule), ``size``, ``worst`` (list of
        ``(index, ref, yours, abs_dev)`` by decreasing excess over the rule).
    """
    y = np.asarray(yours, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if y.shape != r.shape:
        raise ValueError(f"yours must have the shape of refgrow's value {r.shape}, got {y.shape}")
    dev = np.abs(y - r)
    both_nan = np.isnan(y) & np.isnan(r)
    dev = np.where(both_nan, 0.0, dev)
    dev = np.where(np.isnan(dev), np.inf, dev)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(dev == 0, 0.0, dev / np.abs(r))
    excess = dev - (atol + rtol * np.abs(r))
    bad = excess > 0
    order = np.argsort(-excess, axis=None, kind="stable")[:n_worst] if y.size else []
    worst = [(np.unravel_index(i, y.shape), float(r.flat[i]), float(y.flat[i]), float(dev.flat[i]))
             for i in order if excess.flat[i] > 0]
    return {"ok": not bool(bad.any()), "max_abs": float(dev.max()) if y.size else 0.0,
            "max_rel": float(rel.max()) if y.size else 0.0, "n_bad": int(bad.sum()), "size": int(y.size),
            "worst": worst}


def _close(a, b, rtol, atol):
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def convention_hints(yours, reference, *, factors=None, rtol=1e-8, atol=1e-10):
    """Known convention mismatches that explain ``yours != reference`` (an empty list if none does).

    Checks, in order: a transposed matrix ("transposed weight", refgrow stores (out, in)); the
    opposite sign ("sign of the update"); a constant factor, named when it equals one of ``factors``
    (e.g. ``{"K": 3}`` gives "factor K in MSE"); per-column or per-row signs ("SVD sign"); permuted
    columns ("order of neurons").

    Parameters
    ----------
    yours, reference : array_like
    factors : dict name -> number, optional
        Known dimensions of the case (``K`` outputs, ``n`` samples...) tried as explanations of a ratio.
    rtol, atol : float, tolerance of each explanation

    Returns
    -------
    list of str
    """
    y = np.asarray(yours, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    hints = []
    if y.ndim == 2 and y.shape == r.shape[::-1] and _close(y.T, r, rtol, atol):
        return ["transposed weight: yours is refgrow's transpose; refgrow stores weights as (out, in) like "
                "torch nn.Linear.weight, and activity matrices with rows = samples (B_paper = B.T)"]
    if y.shape != r.shape or not y.size or not np.all(np.isfinite(y)):
        return hints
    scale = max(float(np.max(np.abs(r))), atol)
    if np.max(np.abs(r)) > atol and _close(y, -r, rtol, atol):
        return ["sign of the update: yours = -refgrow (refgrow's dW and V_goal = -dl/da are *added*; "
                "gromo's update is subtracted)"]
    k = int(np.argmax(np.abs(r)))
    if abs(r.flat[k]) > atol and abs(y.flat[k]) > atol:
        c = y.flat[k] / r.flat[k]
        if not np.isclose(c, 1.0, rtol=rtol, atol=0) and _close(y, c * r, rtol, atol):
            names = [name for name, v in (factors or {}).items()
                     for p in (1, -1) if v and np.isclose(abs(c), float(v) ** p, rtol=1e-9)]
            what = f"yours = {c:.6g} x refgrow"
            if names:
                name = names[0]
                if name == "K":
                    what += (" = factor K in MSE: refgrow's per-sample MSE is (1/K) sum_k (f_k - y_k)^2 "
                             "(torch MSELoss(reduction='mean') convention); a summed MSE is K times larger")
                elif name == "n":
                    what += " = factor n: mean vs sum over samples (refgrow's V_goal is per sample, unaveraged)"
                else:
                    what += f" = factor {name}"
            if c < 0:
                what += " (and the opposite sign: sign of the update)"
            hints.append(what)
            return hints
    if y.ndim == 2:
        for axis, what in ((0, "column"), (1, "row")):
            ref_sum = np.sum(r * y, axis=axis, keepdims=True)
            s = np.where(ref_sum < 0, -1.0, 1.0)
            if np.any(s < 0) and _close(y * s, r, rtol, atol):
                idx = np.flatnonzero(s < 0).tolist()
                hints.append(f"SVD sign: {what}s {idx} have the opposite sign (singular vectors are defined up "
                             "to sign; refgrow makes the largest-|omega| entry of each neuron positive)")
                return hints
        if y.shape[1] > 1:
            from scipy.optimize import linear_sum_assignment
            cost = np.abs(r[:, :, None] - y[:, None, :]).max(axis=0)
            ri, ci = linear_sum_assignment(cost)
            if np.any(ci != ri) and np.all(cost[ri, ci] <= atol + rtol * scale):
                hints.append(f"order of neurons: yours' columns are refgrow's permuted by {ci.tolist()} (same "
                             "neurons in another order; refgrow lists them by decreasing singular value)")
    return hints


def assert_allclose_report(yours, reference, *, rtol=1e-10, atol=1e-12, name="value", n_worst=5, factors=None):
    """Assert ``|yours - refgrow| <= atol + rtol |refgrow|`` entry-wise, with a report when not.

    The message says "refgrow vs yours", the number of entries outside the tolerance, the largest
    absolute and relative deviations, the ``n_worst`` worst entries with their indices, and any known
    convention mismatch that explains the difference (:func:`convention_hints`).

    Parameters
    ----------
    yours : array_like
        The value computed by the implementation under test.
    reference : array_like
        refgrow's value.
    rtol, atol : float
    name : str, what is compared (used in the message)
    n_worst : int
    factors : dict, optional, dimensions tried as explanations of a constant ratio (``{"K": 3}``)

    Returns
    -------
    dict, the :func:`deviation_report` (when the assertion holds)

    Raises
    ------
    AssertionError

    Examples
    --------
    >>> assert_allclose_report([1.0, 2.0], [1.0, 2.0])["max_abs"]
    0.0
    >>> try:
    ...     assert_allclose_report([[1.0, -2.0]], [[1.0, 2.0]], name="dW")
    ... except AssertionError as e:
    ...     print(str(e).splitlines()[0])
    dW: refgrow vs yours: 1 of 2 entries differ (rtol=1e-10, atol=1e-12)
    """
    y = np.asarray(yours, dtype=np.float64)
    r = np.asarray(reference, dtype=np.float64)
    if y.shape != r.shape:
        msg = f"{name}: refgrow vs yours: shapes differ, refgrow {r.shape} vs yours {y.shape}"
        hints = convention_hints(y, r, factors=factors)
        raise AssertionError(msg + "".join(f"\n  hint: {h}" for h in hints))
    rep = deviation_report(y, r, rtol=rtol, atol=atol, n_worst=n_worst)
    if rep["ok"]:
        return rep
    lines = [f"{name}: refgrow vs yours: {rep['n_bad']} of {rep['size']} entries differ (rtol={rtol:g}, atol={atol:g})",
             f"  max abs deviation {rep['max_abs']:.3e}, max rel deviation {rep['max_rel']:.3e}",
             f"  largest deviations ({len(rep['worst'])} shown):",
             f"    {'index':<14}{'refgrow':>24}{'yours':>24}{'abs dev':>12}"]
    for idx, rv, yv, d in rep["worst"]:
        lines.append(f"    {_fmt_index(idx):<14}{rv!r:>24}{yv!r:>24}{d:>12.3e}")
    lines += [f"  hint: {h}" for h in convention_hints(y, r, factors=factors)]
    raise AssertionError("\n".join(lines))


# ---------------------------------------------------------------------------------------------- neurons
def _as_units(nn, name):
    """(fan_in (k, d), fan_out (d_next, k), singular_values or None) of a neuron record."""
    sv = None
    if hasattr(nn, "alpha") and hasattr(nn, "omega"):                    # TinyNeurons
        fi, fo = nn.alpha, nn.omega
        sv = getattr(nn, "singular_values", None)
    elif hasattr(nn, "w_in") and hasattr(nn, "w_out"):                   # NewNeurons
        fi = np.column_stack([np.asarray(nn.w_in, float), np.asarray(nn.b_in, float)])
        fo = nn.w_out
        info = getattr(nn, "info", None) or {}
        sv = info.get("singular_values")
    elif isinstance(nn, (tuple, list)) and len(nn) in (2, 3):
        if len(nn) == 2:
            fi, fo = nn
        else:
            b = as_float_array(nn[1], f"{name}[1] (b_in)", ndim=1, allow_empty=True)
            fi = np.column_stack([as_float_array(nn[0], f"{name}[0] (w_in)", ndim=2, allow_empty=True), b])
            fo = nn[2]
    else:
        raise TypeError(f"{name} must be TinyNeurons, NewNeurons, (fan_in, fan_out) or (w_in, b_in, w_out), "
                        f"got {type(nn).__name__}")
    fi = as_float_array(fi, f"{name} fan-in", ndim=2, allow_empty=True)
    fo = as_float_array(fo, f"{name} fan-out", ndim=2, allow_empty=True)
    if fo.shape[1] != fi.shape[0]:
        raise ValueError(f"{name}: fan-out must have one column per fan-in row ({fi.shape[0]}), got shape {fo.shape}")
    if sv is not None:
        sv = np.asarray(sv, dtype=np.float64)[: fi.shape[0]]
    return fi, fo, sv


def _left_right(fi, fo, kind):
    """Per unit, the factors ``l_k`` (d_next,) and ``r_k`` of the invariant ``l_k r_k^T`` (module note)."""
    if kind == "tiny":
        return fo.T, fi
    return fo.T, np.hstack([fo.T, fi])                                   # gradmax: omega [omega; alpha]^T


def _relu_features(fi, fo):
    """``(alpha/|alpha|, omega |alpha|)`` per unit: invariant to positive rescaling only."""
    nrm = np.linalg.norm(fi, axis=1)
    safe = np.where(nrm > 0, nrm, 1.0)
    return np.hstack([fi / safe[:, None], fo.T * nrm[:, None] + fo.T * (nrm == 0)[:, None]])


def _groups(sv, sv_rtol):
    """Index groups of near-equal singular values (descending input order kept)."""
    order = np.argsort(-sv, kind="stable")
    groups, cur = [], [order[0]]
    top = max(float(sv.max()), np.finfo(float).tiny)
    for i in order[1:]:
        if abs(sv[cur[-1]] - sv[i]) <= sv_rtol * top:
            cur.append(i)
        else:
            groups.append(cur)
            cur = [i]
    groups.append(cur)
    return groups


def assert_neurons_equivalent(yours, reference, *, kind="tiny", singular_values=None, rtol=1e-8, atol=1e-10,
                              sv_rtol=1e-6):
    """Assert that two sets of new neurons are the same up to the mathematics' real ambiguities.

    Accepted: permutation of units; for ``kind="tiny"`` and ``"gradmax"`` the SVD sign of each unit and
    any orthogonal mixing of units with (near-)equal singular values; for ``"tiny"`` any rescaling
    ``(c alpha, omega/c)``; for ``"relu"`` positive rescaling only (module note).

    Parameters
    ----------
    yours, reference : TinyNeurons, NewNeurons, ``(fan_in (k, d), fan_out (d_next, k))`` or
        ``(w_in (k, d), b_in (k,), w_out (d_next, k))``; ``reference`` is refgrow's.
    kind : {"tiny", "gradmax", "relu"}
    singular_values : array_like (k,), optional
        refgrow's singular values, used to group near-equal ones; default: those carried by
        ``reference`` (TinyNeurons, or NewNeurons ``info["singular_values"]``); none: no grouping.
    rtol, atol : float
        A unit (or a group) passes when ``||yours - ref||_F <= atol + rtol * max_k ||ref_k||_F``.
    sv_rtol : float
        Singular values within ``sv_rtol * lambda_1`` of each other form a degenerate group.

    Raises
    ------
    AssertionError
        Naming the unit or group of refgrow's neurons without a counterpart and the deviation.
    """
    from scipy.optimize import linear_sum_assignment

    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")
    fi_y, fo_y, _ = _as_units(yours, "yours")
    fi_r, fo_r, sv = _as_units(reference, "reference")
    if singular_values is not None:
        sv = as_float_array(singular_values, "singular_values", shape=(fi_r.shape[0],))
    head = f"neurons ({kind}): refgrow vs yours"
    if fi_y.shape != fi_r.shape or fo_y.shape != fo_r.shape:
        raise AssertionError(f"{head}: shapes differ, refgrow fan-in {fi_r.shape} / fan-out {fo_r.shape} vs "
                             f"yours {fi_y.shape} / {fo_y.shape} (k units, fan-in with the bias as last column)")
    k = fi_r.shape[0]
    if k == 0:
        return
    if kind == "relu":
        Fr, Fy = _relu_features(fi_r, fo_r), _relu_features(fi_y, fo_y)
        scale = max(float(np.linalg.norm(Fr, axis=1).max()), atol)
        cost = np.linalg.norm(Fr[:, None, :] - Fy[None, :, :], axis=2)
        ri, ci = linear_sum_assignment(cost)
        bad = [(i, j, cost[i, j]) for i, j in zip(ri, ci) if cost[i, j] > atol + rtol * scale]
        if bad:
            i, j, d = max(bad, key=lambda t: t[2])
            neg = np.linalg.norm(Fr[i] - _relu_features(-fi_y[j:j + 1], -fo_y[:, j:j + 1])[0]) <= atol + rtol * scale
            msg = (f"{head}: {len(bad)} of {k} units have no counterpart up to permutation and positive "
                   f"rescaling; worst: refgrow unit {i} vs yours unit {j}, deviation {d:.3e} "
                   f"(relative {d / scale:.3e})")
            if neg:
                msg += ("\n  hint: yours = refgrow with (alpha, omega) -> (-alpha, -omega): an SVD sign, which "
                        "changes a ReLU network's function (use kind='tiny' to compare the linearised move)")
            raise AssertionError(msg)
        return
    Lr, Rr = _left_right(fi_r, fo_r, kind)
    Ly, Ry = _left_right(fi_y, fo_y, kind)
    Mr = np.einsum("ki,kj->kij", Lr, Rr)                                  # l_k r_k^T, (k, d_next, d')
    My = np.einsum("ki,kj->kij", Ly, Ry)
    scale = max(float(np.sqrt((Mr ** 2).sum(axis=(1, 2))).max()), atol)
    tol = atol + rtol * scale
    groups = _groups(sv, sv_rtol) if sv is not None and sv.size == k else [[i] for i in range(k)]
    # cost of giving yours' unit j to refgrow's group g: the part of l_j r_j^T outside the group's span
    cost = np.empty((k, k))
    slot_group = []
    for g in groups:
        Pl = _projector(Lr[g].T)
        Pr = _projector(Rr[g].T)
        res = My - np.einsum("ab,kbc,cd->kad", Pl, My, Pr)
        c = np.sqrt((res ** 2).sum(axis=(1, 2)))
        if len(g) == 1:                                                  # a single unit: compare it directly
            c = np.maximum(c, np.sqrt(((My - Mr[g[0]]) ** 2).sum(axis=(1, 2))))
        for _ in g:
            cost[len(slot_group)] = c
            slot_group.append(tuple(g))
    ri, ci = linear_sum_assignment(cost)
    owner = {}
    for i, j in zip(ri, ci):
        owner.setdefault(slot_group[i], []).append(j)
    worst = None
    for g in groups:
        js = owner[tuple(g)]
        d = float(np.sqrt(((My[js].sum(axis=0) - Mr[g].sum(axis=0)) ** 2).sum()))
        if d > tol and (worst is None or d > worst[1]):
            worst = (g, d, js)
    if worst is None:
        return
    g, d, js = worst
    what = (f"refgrow unit {g[0]}" if len(g) == 1 else f"refgrow's group of units {list(map(int, g))} "
            "(near-equal singular values)")
    if sv is not None:
        what += f" (singular value {sv[g[0]]:.6g})"
    inv = "omega_k alpha_k^T" if kind == "tiny" else "omega_k [omega_k; alpha_k]^T"
    raise AssertionError(f"{head}: {what} has no counterpart in yours up to permutation, SVD sign"
                         f"{' and rescaling' if kind == 'tiny' else ''}: closest is yours "
                         f"{'unit' if len(js) == 1 else 'units'} {list(map(int, js))} with "
                         f"||{inv}|| deviation {d:.3e} (relative {d / scale:.3e}, tolerance {tol:.3e})")


def _projector(A):
    """Orthogonal projector on the column space of ``A`` (d, m)."""
    if A.size == 0:
        return np.zeros((A.shape[0], A.shape[0]))
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    r = int(np.count_nonzero(s > max(A.shape) * np.finfo(float).eps * s[0])) if s[0] > 0 else 0
    return U[:, :r] @ U[:, :r].T


# ---------------------------------------------------------------------------------------------- functions
def _evaluator(net, name):
    if hasattr(net, "weights") and hasattr(net, "forward"):
        return lambda X: np.asarray(net.forward(X)[0], dtype=np.float64)
    if callable(net):
        return lambda X: np.asarray(net(X), dtype=np.float64)
    raise TypeError(f"{name} must be a refgrow MLP or a callable X (n, D) -> (n, K), got {type(net).__name__}")


def _segment_breakpoints(net, x0, x1):
    """Breakpoints t in [0, 1] of a piecewise-linear MLP along ``x0 + t (x1 - x0)`` (exact, regions_1d)."""
    from refgrow.regions import regions_1d
    d = x1 - x0
    W = [w.copy() for w in net.weights]
    b = [np.asarray(v, dtype=np.float64).copy() for v in net.biases]
    b[0] = b[0] + W[0] @ x0
    W[0] = (W[0] @ d)[:, None]
    if getattr(net, "activation", "relu") == "identity":
        return np.array([0.0, 1.0])
    return regions_1d((W, b), 0.0, 1.0).breakpoints


def assert_same_function(a, b, X=None, *, n_samples=64, rng=0, box=None, n_segments=16, rtol=1e-10, atol=1e-12):
    """Assert that two networks compute the same function: on sampled inputs and on every activation region crossed.

    Points checked: ``X`` (or ``n_samples`` points drawn uniformly in ``box``), then, along
    ``n_segments`` segments joining consecutive points, every breakpoint of every piecewise-linear
    refgrow MLP among ``a``, ``b`` (computed exactly with :func:`refgrow.regions.regions_1d`) and the
    midpoint of every piece between them. Two functions that are affine on each piece and agree at its
    two ends agree on the whole segment, so this checks every activation region the segments cross.
    When both are ReLU/identity MLPs, their local affine maps (``A``, ``c``) are also compared at each
    piece midpoint (:func:`refgrow.geometry.local_affine_map`): equal maps mean equal functions on the
    whole (full-dimensional) intersection of the two regions.

    Parameters
    ----------
    a : refgrow MLP or callable X (n, D) -> (n, K)
        refgrow's network (reported as "refgrow").
    b : refgrow MLP or callable
        Yours (reported as "yours").
    X : array_like (n, D), optional
        Sample inputs; default: ``n_samples`` uniform points in ``box``.
    n_samples : int
    rng : seed or Generator (sampling only)
    box : (lo, hi), optional, default (-1, 1) in every input dimension
    n_segments : int >= 0
    rtol, atol : float, entry-wise tolerance (:func:`assert_allclose_report`)

    Returns
    -------
    int, the number of points checked
    """
    fa, fb = _evaluator(a, "a"), _evaluator(b, "b")
    mlps = [n for n in (a, b) if hasattr(n, "weights") and getattr(n, "activation", "relu") in ("relu", "identity")]
    if X is None:
        D = None
        for n in (a, b):
            if hasattr(n, "weights"):
                D = n.weights[0].shape[1]
        if D is None:
            raise ValueError("X must be given when neither a nor b is a refgrow MLP (the input size is unknown)")
        rng = check_rng(rng)
        lo, hi = (-1.0, 1.0) if box is None else (float(box[0]), float(box[1]))
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"box must be (lo, hi) with lo < hi, got {box!r}")
        X = rng.uniform(lo, hi, size=(check_positive_int(n_samples, "n_samples"), D))
    else:
        X = as_float_array(X, "X", ndim=2)
    n_segments = check_positive_int(n_segments, "n_segments", minimum=0)
    assert_allclose_report(fb(X), fa(X), rtol=rtol, atol=atol, name="f(X) on the sampled inputs")
    n_checked = X.shape[0]
    if not mlps:
        return n_checked
    from refgrow.geometry import local_affine_map
    for s in range(min(n_segments, X.shape[0] - 1)):
        x0, x1 = X[s], X[s + 1]
        t = np.unique(np.concatenate([_segment_breakpoints(m, x0, x1) for m in mlps]))
        # the two networks' copies of one kink differ by round-off: merge them, so that no piece midpoint
        # sits on a kink (where the two patterns may legitimately differ)
        t = t[np.concatenate([[True], np.diff(t) > 1e-9])]
        t[-1] = 1.0
        mids = 0.5 * (t[:-1] + t[1:])
        P = x0 + np.concatenate([t, mids])[:, None] * (x1 - x0)
        assert_allclose_report(fb(P), fa(P), rtol=rtol, atol=atol,
                               name=f"f on segment {s} (X[{s}] -> X[{s + 1}]) at its {t.size} breakpoints and "
                                    f"{mids.size} piece midpoints")
        n_checked += P.shape[0]
        if len(mlps) == 2:
            for p, m in enumerate(mids):
                x = x0 + m * (x1 - x0)
                (Aa, ca), (Ab, cb) = local_affine_map(a, x), local_affine_map(b, x)
                scale = max(1.0, float(np.abs(Aa).max()))
                assert_allclose_report(Ab, Aa, rtol=rtol, atol=atol * scale,
                                       name=f"local affine map A on segment {s}, piece {p}")
                assert_allclose_report(cb, ca, rtol=rtol, atol=atol * scale,
                                       name=f"local affine map c on segment {s}, piece {p}")
    return n_checked
