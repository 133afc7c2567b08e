"""Losses with their gradients with respect to the network outputs.

Symbol table (n samples, K outputs)
-----------------------------------
=======  ============  ========  ===============================================
symbol   code          shape     meaning
=======  ============  ========  ===============================================
f(x)     ``logits``    (n, K)    network output (pre-softmax scores / prediction)
y        ``y``         (n,)      integer class labels in [0, K) (cross-entropy)
y        ``target``    (n, K)    regression targets (MSE); any shape equal to pred
l_i      --            scalar    loss of sample i
L        ``loss``      scalar    reduced loss (mean over samples by default)
=======  ============  ========  ===============================================

Reductions (keyword ``reduction``)
    ``"mean"`` (default; PyTorch's default), ``"sum"`` (TINY's per-sample convention: the gradient row i
    is ``d l_i / d f(x_i)``, not divided by n), ``"none"`` (per-sample losses (n,) and per-sample
    gradients, rows as for ``"sum"``).

Interpretation note (MSE per sample)
    ``mse`` with ``reduction="mean"`` averages over **all** entries, like ``torch.nn.MSELoss()``:
    ``L = (1/(nK)) sum_{i,k} (f_ik - y_ik)^2``. The per-sample loss is defined so that its mean is ``L``:
    ``l_i = (1/K) sum_k (f_ik - y_ik)^2``; ``"sum"`` returns ``sum_i l_i = nL``.
"""
from __future__ import annotations

import math

import numpy as np

from refgrow._validation import all_finite, array_namespace, as_float_array, as_labels
from refgrow.backend import astype, device_kw

__all__ = ["softmax", "log_softmax", "softmax_cross_entropy", "mse", "accuracy", "get_loss", "LOSSES"]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def log_softmax(logits):
    """Stable ``log softmax`` row-wise: ``z - max(z) - log sum exp(z - max(z))``. Shape (n, K).

    ``logits`` must be a finite real (n, K) array (validated); entries ``-inf`` in the result mean a
    probability that underflows float64 (a logit gap beyond ~1.8e308).
    """
    logits = as_float_array(logits, "logits", ndim=2, allow_empty=True)
    return _log_softmax(logits)


def _log_softmax(logits):
    """Pure math of :func:`log_softmax` (no validation), in the namespace of ``logits``."""
    xp = array_namespace(logits)
    shifted = logits - xp.max(logits, axis=1, keepdims=True)
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


def softmax(logits):
    """Row-wise softmax ``p_ik = exp(z_ik) / sum_j exp(z_ij)``, computed stably. Shape (n, K)."""
    return array_namespace(logits).exp(log_softmax(logits))


def _finite_loss(value, grad, names):
    """Raise a clear ``ValueError`` when a loss of finite inputs is not representable in float64."""
    if not all_finite(value, grad):
        raise ValueError(f"{' and '.join(names)} are too large in magnitude: the loss or its gradient "
                         "overflows float64 (rescale the inputs)")
    return value, grad


def _sce(logits, y, reduction="mean"):
    """Pure math of softmax cross-entropy (no validation).

    NumPy indexes ``logp[i, y_i]`` directly; other namespaces (the array API has no paired integer
    indexing) use the one-hot mask ``y_i == k``, which selects the same entries: same values."""
    xp = array_namespace(logits, y)
    n = logits.shape[0]
    logp = _log_softmax(logits)
    d = xp.exp(logp)                              # d l_i / d z_i = p_i - e_{y_i}
    if xp is np:
        rows = np.arange(n)
        losses = -logp[rows, y]                   # l_i = -log p_{i, y_i}
        d[rows, y] -= 1.0
    else:
        onehot = y[:, None] == xp.arange(logits.shape[1], **device_kw(xp, logits))[None, :]
        losses = -xp.sum(xp.where(onehot, logp, 0.0), axis=1)
        d = d - astype(xp, onehot, d.dtype)
    if reduction == "mean":
        return float(xp.mean(losses)), d / n
    if reduction == "sum":
        return float(xp.sum(losses)), d
    return losses, d


def softmax_cross_entropy(logits, y, *, reduction="mean"):
    """Softmax cross-entropy and its gradient with respect to the logits.

    ``l_i = -log softmax(z_i)_{y_i} = logsumexp(z_i) - z_{i, y_i}``, ``d l_i / d z_i = softmax(z_i) - e_{y_i}``.
    Computed with the log-sum-exp shift, so logits of +-1e4 give finite values.

    Parameters
    ----------
    logits : ndarray, shape (n, K)
    y : ndarray of int, shape (n,), values in [0, K)
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    loss : float (or (n,) for ``"none"``)
    d_logits : ndarray, shape (n, K)
        Gradient of ``loss`` (for ``"none"``: row i is ``d l_i / d z_i``).

    Examples
    --------
    >>> import numpy as np
    >>> loss, d = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    >>> bool(np.isclose(loss, np.log(4)))              # uniform softmax: -log(1/4)
    True
    >>> d[0]                                             # (softmax - onehot) / n
    array([-0.375,  0.125,  0.125,  0.125])
    """
    _check_reduction(reduction)
    logits = as_float_array(logits, "logits", ndim=2)
    y = as_labels(y, "y", logits.shape[0], logits.shape[1])
    return _finite_loss(*_sce(logits, y, reduction), ("logits",))


def _mse(pred, target, reduction="mean"):
    xp = array_namespace(pred, target)
    diff = pred - target
    n = pred.shape[0]
    size = math.prod(diff.shape)
    m = size // max(n, 1)                         # K: entries per sample
    if reduction == "mean":
        return float(xp.mean(diff * diff)), 2.0 * diff / size
    if reduction == "sum":
        return float(xp.sum(diff * diff) / m), 2.0 * diff / m
    return xp.mean(xp.reshape(diff * diff, (n, -1)), axis=1), 2.0 * diff / m


def mse(pred, target, *, reduction="mean"):
    """Mean squared error over all entries (``torch.nn.MSELoss()``) and its gradient.

    ``L = (1/(nK)) sum (pred - target)^2``, ``dL/dpred = 2 (pred - target) / (nK)``.

    Parameters
    ----------
    pred : ndarray, shape (n, K) (or (n,))
    target : ndarray, same shape as ``pred``
    reduction : {"mean", "sum", "none"}; see the module note for the per-sample definition.

    Returns
    -------
    loss : float (or (n,) for ``"none"``)
    d_pred : ndarray, shape of ``pred``

    Examples
    --------
    >>> import numpy as np
    >>> mse(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]))
    (2.5, array([[1., 2.]]))
    """
    _check_reduction(reduction)
    pred = as_float_array(pred, "pred", ndim=(1, 2))
    target = as_float_array(target, "target", ndim=(1, 2))
    if pred.shape != target.shape:
        raise ValueError(f"target must have the shape of pred {pred.shape}, got {target.shape}")
    with np.errstate(over="ignore", invalid="ignore"):      # overflow is handled just below
        value, grad = _mse(pred, target, reduction)
    if not all_finite(value, grad):
        value, grad = _mse_scaled(pred, target, reduction)
    return _finite_loss(value, grad, ("pred", "target"))


def _mse_scaled(pred, target, reduction):
    """:func:`_mse` for inputs whose difference or square overflows: with ``s = max |pred|, |target|``,
    ``(p - t)^2 = s^2 (p/s - t/s)^2`` is evaluated without intermediate overflow (the value itself
    may still exceed float64, which :func:`mse` reports)."""
    xp = array_namespace(pred, target)
    s = float(xp.max(xp.maximum(xp.abs(pred), xp.abs(target))))
    d = pred / s - target / s                      # |d| <= 2: no overflow
    m = float(xp.max(xp.abs(d))) or 1.0
    u = d / m                                      # |u| <= 1
    n = pred.shape[0]
    k = d.size // max(n, 1)
    scale = s * m
    with np.errstate(over="ignore"):
        grad = (2.0 * u) * (scale / (d.size if reduction == "mean" else k))
        if reduction == "mean":                   # (mean u^2 * scale) * scale: no scale^2 formed
            return float((float(xp.mean(u * u)) * scale) * scale), grad
        if reduction == "sum":
            return float((float(xp.sum(u * u)) / k * scale) * scale), grad
        return (xp.mean(xp.reshape(u * u, (n, -1)), axis=1) * scale) * scale, grad


def accuracy(logits, y, *, check_input: bool = True) -> float:
    """Fraction of rows whose arg-max logit equals the label (ties: the first index).

    Parameters
    ----------
    logits : ndarray, shape (n, K), finite
    y : ndarray of int, shape (n,), values in [0, K)
    check_input : bool, default True
        ``False`` skips the validation (training loops, on data validated once).
    """
    from refgrow._validation import check_bool
    if check_bool(check_input, "check_input"):
        logits = as_float_array(logits, "logits", ndim=2)
        y = as_labels(y, "y", logits.shape[0], logits.shape[1])
    return _accuracy(logits, y)


def _accuracy(logits, y) -> float:
    """Pure math of :func:`accuracy` (no validation), in the namespace of ``logits``."""
    xp = array_namespace(logits, y)
    if xp is np:
        return float(np.mean(np.argmax(np.asarray(logits), axis=1) == np.asarray(y)))
    return float(xp.mean(astype(xp, xp.argmax(logits, axis=1) == y, xp.float64)))


#: name -> validated loss function ``(out, target, *, reduction) -> (loss, d_out)``
LOSSES = {"ce": softmax_cross_entropy, "cross_entropy": softmax_cross_entropy, "mse": mse}


def get_loss(name, *, validate=True):
    """Loss function by name (``"ce"``/``"cross_entropy"`` or ``"mse"``), or a callable passed through.

    With ``validate=False`` the unvalidated pure function ``(out, target, reduction) -> (loss, d_out)``
    is returned (for inner loops on data validated once; non-finite outputs then propagate as NaN
    instead of raising, so a training loop can report divergence).
    """
    from refgrow._validation import check_bool
    check_bool(validate, "validate")
    if callable(name):
        return name if validate else (lambda out, t, reduction="mean": name(out, t, reduction=reduction))
    if name not in LOSSES:
        raise ValueError(f"loss must be one of {sorted(LOSSES)} or a callable, got {name!r}")
    fn = LOSSES[name]
    if validate:
        return fn
    return _sce if fn is softmax_cross_entropy else _mse


def is_classification(name) -> bool:
    """True for the cross-entropy loss names."""
    return get_loss(name) is softmax_cross_entropy
