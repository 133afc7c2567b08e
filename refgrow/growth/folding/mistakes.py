"""Typical mistakes: Def. 4 and Hypothesis 1 of folding [docs/references.md#folding] (Alg. 1 line 2).

Two readings (``method=``, interpretation note "Typical mistake, two readings" in
:mod:`refgrow.growth.folding`): ``"largest_cluster"`` (002 Alg. 1) and ``"loss_weighted"`` (slides 000).

Symbol table
------------
==============  =======================  =======  ==============================================
paper           code                     shape    meaning
==============  =======================  =======  ==============================================
x_mistake       ``TypicalMistake.x``     (D,)     typical mis-predicted instance
tau             ``tau``                  scalar   regression error tolerance (Def. 4)
S               ``sample_size``          int      random subset of the slides' reading
l_n             ``losses``               (n,)     per-sample loss (cluster weights)
==============  =======================  =======  ==============================================
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from refgrow.growth.folding._common import MISTAKE_METHODS, _check_data, _check_loss, _per_sample, _rng

__all__ = ["TypicalMistake", "typical_mistake", "MISTAKE_METHODS"]


def _mistake_mask(out, y, loss, tau):
    losses, _ = _per_sample(out, y, loss)
    if loss == "ce":
        return np.argmax(out, axis=1) != y, losses
    thr = float(np.mean(losses)) if tau is None else float(tau)
    return losses > thr, losses


# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TypicalMistake:
    """A typical mis-predicted instance (002 Def. 4) and how it was found.

    Attributes
    ----------
    index : int
        Row of the training set.
    x : ndarray (D,)
    y_true, y_pred : int (classification) or list of float (regression)
    cluster_size : int
        Instances in the chosen cluster (mistakes for ``largest_cluster``; sampled instances for
        ``loss_weighted``).
    cluster_mean_loss : float
        Mean per-sample loss of the chosen cluster.
    centroid : ndarray (D,)
    n_mistakes : int
        Mis-predicted training instances when it was chosen.
    loss : float
        Per-sample loss of the instance.
    method : str
    n_clusters : int
        Clusters actually used.
    """

    index: int
    x: np.ndarray
    y_true: object
    y_pred: object
    cluster_size: int
    cluster_mean_loss: float
    centroid: np.ndarray
    n_mistakes: int
    loss: float
    method: str
    n_clusters: int

    def to_dict(self) -> dict:
        """JSON-friendly dict."""
        d = asdict(self)
        d["x"] = self.x.tolist()
        d["centroid"] = self.centroid.tolist()
        return d


def _kmeans(X, weights, k, rng):
    from refgrow.kmeans import weighted_kmeans
    return weighted_kmeans(X, weights, k, rng=rng)


def typical_mistake(mlp, X, y, *, loss="ce", method="largest_cluster", n_clusters=5,
                    sample_size=None, tau=None, rng=None):
    """Find the typical mis-predicted instance of the training set.

    Implements 002 Algorithm 1 line 2 (``method="largest_cluster"``) and 000 "Find Typical
    Mis-Predicted Instance" (``method="loss_weighted"``); see the module's interpretation notes.

    Parameters
    ----------
    mlp : refgrow.mlp.MLP
    X : ndarray (n, D)
    y : int labels (n,) for ``loss="ce"``; targets (n, K) for ``"mse"``
    loss : {"ce", "mse"}
    method : {"largest_cluster", "loss_weighted"}
    n_clusters : int >= 1
        Upper bound on the clusters (capped by the number of distinct candidate points).
    sample_size : int, optional
        ``loss_weighted`` only: size of the random subset S (default: the whole set).
    tau : float, optional
        Regression error tolerance of 002 Def. 4 (default: mean per-sample loss).
    rng : seed or Generator

    Returns
    -------
    TypicalMistake or None
        None when nothing is mis-predicted.
    """
    loss = _check_loss(loss)
    X, y = _check_data(mlp, X, y, loss)
    if method not in MISTAKE_METHODS:
        raise ValueError(f"method: expected one of {MISTAKE_METHODS}, got {method!r}")
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)) or n_clusters < 1:
        raise ValueError(f"n_clusters: expected an int >= 1, got {n_clusters!r}")
    rng = _rng(rng)
    out, _ = mlp.forward(X, check_input=False)
    wrong, losses = _mistake_mask(out, y, loss, tau)
    n_wrong = int(wrong.sum())
    if n_wrong == 0:
        return None
    if method == "largest_cluster":
        idx = np.flatnonzero(wrong)
        pts = X[idx]
        k = int(min(n_clusters, np.unique(pts, axis=0).shape[0]))
        km = _kmeans(pts, np.ones(idx.size), k, rng)
        sizes = np.bincount(km.labels, minlength=k)
        c = int(np.argmax(sizes))                       # ties: the first cluster
        members = idx[km.labels == c]
        cand = members
        size = int(sizes[c])
        mean_loss = float(losses[members].mean())
    else:
        n = X.shape[0]
        if sample_size is None or sample_size >= n:
            S = np.arange(n)
        else:
            if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)) or sample_size < 1:
                raise ValueError(f"sample_size: expected an int >= 1, got {sample_size!r}")
            S = np.sort(rng.choice(n, size=int(sample_size), replace=False))
            if not wrong[S].any():                      # keep the sample's mistakes non-empty
                S = np.union1d(S, np.flatnonzero(wrong))
        wS = losses[S]
        pos = wS > 0
        k = int(min(n_clusters, np.unique(X[S][pos], axis=0).shape[0]))
        km = _kmeans(X[S], wS, k, rng)
        labels = km.labels
        means = np.array([losses[S][labels == c].mean() if np.any(labels == c) else -np.inf
                          for c in range(k)])
        has_wrong = np.array([np.any(wrong[S][labels == c]) for c in range(k)])
        means_ok = np.where(has_wrong, means, -np.inf)
        c = int(np.argmax(means_ok))
        members = S[labels == c]
        cand = members[wrong[members]]
        size = int(members.size)
        mean_loss = float(means[c])
    centroid = np.asarray(km.centers[c], dtype=np.float64)
    d2 = np.sum((X[cand] - centroid) ** 2, axis=1)
    t = int(cand[int(np.argmin(d2))])
    if loss == "ce":
        yt, yp = int(y[t]), int(np.argmax(out[t]))
    else:
        yt, yp = y[t].tolist(), out[t].tolist()
    return TypicalMistake(index=t, x=X[t].copy(), y_true=yt, y_pred=yp, cluster_size=size,
                          cluster_mean_loss=mean_loss, centroid=centroid, n_mistakes=n_wrong,
                          loss=float(losses[t]), method=method, n_clusters=k)
