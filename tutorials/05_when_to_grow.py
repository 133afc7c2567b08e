# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 05 — When to grow: loss plateaus and the Augmented Dickey-Fuller test
#
# Paper 002 (*Growing Networks by Folding Manifolds at Mistakes*, Sec. 3.1) grows a neuron only once
# training has **converged**, verified by two criteria: *(i) attainment of a local minimum in training
# loss; and (ii) stationarity confirmed by an Augmented Dickey-Fuller (ADF) test (p-value < 0.05) applied
# to the losses over the last 20 epochs.*
#
# **Learning goals.** After this tutorial you can
# 1. write the ADF regression and compute its statistic by hand for the simplest case (no lags),
#    and reproduce `refgrow.stats.adf_test` from it;
# 2. turn the statistic into a p-value with MacKinnon's (1994) response surface and read the
#    MacKinnon (2010) critical values;
# 3. explain what "stationary" means for a loss curve, and why the ADF test alone would fire in the
#    *middle* of an exponentially decaying loss (so criterion (i) matters);
# 4. measure, by simulation, how unreliable the test is on a 20-point window (the **small-sample
#    caveats**: lag selection by AIC eats the degrees of freedom and inflates the false-alarm rate);
# 5. plug `refgrow.stats.ADFConvergence` into `refgrow.train.train` and compare it with a plain
#    plateau rule.
#
# **Follows** Sec. 3.1 of the folding paper [[docs/references.md#folding]](../docs/references.md#folding),
# with the ADF procedure [[docs/references.md#dickey-fuller]](../docs/references.md#dickey-fuller) and
# MacKinnon's constants [[docs/references.md#mackinnon]](../docs/references.md#mackinnon).
#
# Run it as a script (`python tutorials/05_when_to_grow.py`) or as a notebook (`python -m refgrow notebooks
# --execute 05`, the `notebooks` extra); `REFGROW_QUICK=1` (`--quick`) makes it fast. Figures go
# to `out/figures` (or `$REFGROW_FIGURES`); the gallery copies are listed in `figures/README.md`.

# %%
import os

import numpy as np

from refgrow.datasets import two_sines
from refgrow.mlp import MLP
from refgrow.optim import SGD
from refgrow.plotting import figure_dir, plt, show
from refgrow.stats import (ADFConvergence, adf_test, default_maxlag, mackinnon_critical_values,
                           mackinnon_pvalue)
from refgrow.train import PlateauTest, train

QUICK = bool(os.environ.get("REFGROW_QUICK"))
print("figures are written to", figure_dir(), "($REFGROW_FIGURES, else out/figures)")
REPS = 300 if QUICK else 3000          # Monte Carlo repetitions in section 4
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. The ADF regression
#
# A series $y_0, \dots, y_{n-1}$ (here: epoch losses) has a **unit root** if it behaves like a random
# walk, $y_t = y_{t-1} + e_t$: shocks never die out and the series wanders. It is **stationary** if it
# keeps returning to a level. The ADF test fits, by least squares,
#
# $$\Delta y_t = \alpha + \gamma\, y_{t-1} + \sum_{i=1}^{p} \phi_i\, \Delta y_{t-i} + e_t ,
# \qquad \Delta y_t = y_t - y_{t-1},$$
#
# and tests $H_0: \gamma = 0$ (unit root) against $\gamma < 0$ (mean reversion) with the t-value
# $\tau = \hat\gamma / \mathrm{se}(\hat\gamma)$. The $p$ lagged differences soak up short-range
# correlation. `regression="c"` keeps $\alpha$, `"n"` drops it, `"ct"` adds a trend $\beta t$.
#
# With $p = 0$ and a constant, $\hat\gamma$ is the slope of $\Delta y_t$ on $y_{t-1}$ after removing
# both means (Frisch-Waugh), and $\mathrm{se}(\hat\gamma)^2 = s^2 / \sum_t (y_{t-1}-\bar y)^2$ with
# $s^2 = \mathrm{SSR}/(T-2)$, $T = n-1$ rows. Let us do it by hand.

# %%
n = 20
y = np.cumsum(rng.normal(size=n))                  # a random walk: H0 is true
lev = y[:-1] - y[:-1].mean()                       # y_{t-1}, demeaned
dy = np.diff(y) - np.diff(y).mean()                # Delta y_t, demeaned
gamma = lev @ dy / (lev @ lev)                     # OLS slope
resid = dy - gamma * lev
s2 = resid @ resid / (n - 1 - 2)                   # SSR / (T - number of coefficients)
tau_by_hand = gamma / np.sqrt(s2 / (lev @ lev))

res = adf_test(y, maxlag=0, autolag=None)          # p = 0 lags, regression "c"
print(f"tau by hand {tau_by_hand:.12f}   adf_test {res.statistic:.12f}")
assert abs(res.statistic - tau_by_hand) < 1e-10 * abs(tau_by_hand)
print(res)

# %% [markdown]
# ## 2. From $\tau$ to a p-value
#
# Under $H_0$, $\tau$ does **not** follow a t-distribution (the regressor $y_{t-1}$ is itself a random
# walk). MacKinnon (1994) fitted its distribution function by a normal CDF of a polynomial:
# $p = \Phi(c_0 + c_1\tau + c_2\tau^2)$ for small p ($\tau \le \tau^*$) and a cubic above.
# The check points of MacKinnon [docs/references.md#mackinnon](../docs/references.md#mackinnon) for `"c"`: $p(-3) = 0.0349$, $p(-1.61) = 0.478$.
# Critical values come from MacKinnon's (2010) finite-sample surfaces
# $\mathrm{cv}(T) = b_0 + b_1/T + b_2/T^2 + b_3/T^3$.

# %%
for t, p_ref in ((-3.0, 0.034894400275345266), (-5.0, 2.2193154713956276e-05),
                 (-1.61, 0.4779756525941893), (0.0, 0.958532086060056)):
    p = mackinnon_pvalue(t, "c")
    print(f"p({t:+.2f}) = {p:.15g}   reference {p_ref:.15g}")
    assert abs(p - p_ref) <= 1e-12 * p_ref
cv100 = mackinnon_critical_values(100, "c")
print("critical values, T = 100:", {k: round(v, 8) for k, v in cv100.items()})
assert np.allclose(list(cv100.values()), [-3.49750103, -2.89090644, -2.5824349], atol=5e-9)
print("critical values, T = 11 (a 20-point window with 8 lags):",
      {k: round(v, 3) for k, v in mackinnon_critical_values(11, "c").items()})

taus = np.linspace(-6, 3, 400)
fig, ax = plt().subplots(figsize=(6, 3.5))
for reg in ("n", "c", "ct"):
    ax.plot(taus, [mackinnon_pvalue(t, reg) for t in taus], label=f'regression="{reg}"')
ax.axhline(0.05, color="k", lw=0.8, ls="--")
ax.set_xlabel(r"ADF statistic $\tau$")
ax.set_ylabel("MacKinnon p-value")
ax.set_title("p-value surfaces (MacKinnon 1994)")
ax.legend()
show(fig, "adf_pvalue_curves.png", dpi=110)

# %% [markdown]
# ## 3. What the two criteria see on a loss curve
#
# A typical loss decays like $L_t = L_\infty + A e^{-t/\kappa}$ plus noise. Its differences satisfy
# $\Delta L_t \approx (e^{-1/\kappa} - 1)(L_{t-1} - L_\infty)$: that is *exactly* the mean-reverting
# form $\gamma < 0$ that the ADF test looks for. So the ADF test alone can declare a window
# "stationary" while the loss is still going down — which is why 002 also requires a local minimum.
#
# `ADFConvergence` reads criterion (i) on the observed losses: the last epoch did not improve on the
# best loss of the window (the window's minimum was attained before its last epoch). See the
# interpretation note in `refgrow.stats.ADFConvergence`.

# %%
E = 160
t = np.arange(E)
curve = 0.2 + np.exp(-t / 12.0) + 0.003 * rng.normal(size=E)
pvals = np.full(E, np.nan)
local_min = np.zeros(E, dtype=bool)
conv = ADFConvergence()
for e in range(20, E + 1):
    conv({"train_loss": curve[:e]})
    local_min[e - 1] = conv.last_local_min
    pvals[e - 1] = adf_test(curve[e - 20:e]).pvalue
fires_adf_only = int(np.argmax(pvals < 0.05))
both = np.flatnonzero((pvals < 0.05) & local_min)
fires_both = int(both[0]) if both.size else None
print(f"ADF alone first fires at epoch {fires_adf_only} (loss still {curve[fires_adf_only]:.3f}, "
      f"final level 0.2)")
if fires_both is not None:
    print(f"ADF and local minimum first fire at epoch {fires_both} (loss {curve[fires_both]:.3f})")

fig, axes = plt().subplots(2, 1, figsize=(7, 5), sharex=True)
axes[0].plot(t, curve)
axes[0].axvline(fires_adf_only, color="tab:orange", ls="--", label="ADF p<0.05 alone")
if fires_both is not None:
    axes[0].axvline(fires_both, color="tab:green", ls="--", label="ADF and local minimum")
axes[0].set_ylabel("loss (synthetic)")
axes[0].legend()
axes[1].semilogy(t, pvals, ".", ms=3)
axes[1].axhline(0.05, color="k", lw=0.8, ls="--")
axes[1].set_ylabel("ADF p-value, last 20 epochs (log)")
axes[1].set_xlabel("epoch")
axes[0].set_title("Synthetic decaying loss: when do the two 'when to grow' criteria fire?", fontsize=10)
show(fig, "adf_decaying_loss.png", dpi=110)

# %% [markdown]
# ## 4. Small-sample caveats (the 20-epoch window)
#
# The p-values are **asymptotic**. With $n = 20$ and `regression="c"` the default maximal lag is
# $\min(\lceil 12 (20/100)^{1/4}\rceil, 20/2 - 2) = 8$; AIC compares lags 0..8 on the same 11 rows and
# very often picks 8, and the final regression then has $T = 11$ rows for 10 coefficients: **one**
# residual degree of freedom. We measure by simulation
#
# * the **size**: how often the test rejects ($p < 0.05$) when $H_0$ is true (random walks) — it
#   should be 5 %;
# * the **power**: how often it rejects on white noise (a perfectly flat, noisy plateau).

# %%
print("default maxlag for n = 20:", default_maxlag(20, "c"))


def rejection_rate(make, n, **kw):
    """Fraction of p < 0.05 and the lags chosen, over REPS simulated series."""
    r = np.random.default_rng(1)
    p, lags = np.empty(REPS), np.empty(REPS, dtype=int)
    for i in range(REPS):
        res = adf_test(make(r, n), **kw)
        p[i], lags[i] = res.pvalue, res.usedlag
    return np.mean(p < 0.05), lags, p


def walk(r, n):
    return np.cumsum(r.normal(size=n))


def noise(r, n):
    return r.normal(size=n)


settings = [("n=20, AIC (paper default)", 20, {}),
            ("n=20, BIC", 20, {"autolag": "BIC"}),
            ("n=20, maxlag=2, AIC", 20, {"maxlag": 2}),
            ("n=20, lag 0 (Dickey-Fuller)", 20, {"maxlag": 0, "autolag": None}),
            ("n=200, AIC", 200, {})]
table = {}
for name, nn, kw in settings:
    size, lags, p_h0 = rejection_rate(walk, nn, **kw)
    power, _, _ = rejection_rate(noise, nn, **kw)
    table[name] = (size, power, np.bincount(lags).argmax(), p_h0)
    print(f"{name:30s} size {size:6.3f} (nominal 0.05)   power on white noise {power:6.3f}   "
          f"most frequent lag {np.bincount(lags).argmax()}")
size_aic20 = table["n=20, AIC (paper default)"][0]
size_df20 = table["n=20, lag 0 (Dickey-Fuller)"][0]
assert size_aic20 > 2 * 0.05, "AIC on 20 points over-rejects"     # many false alarms
assert size_df20 < size_aic20

fig, ax = plt().subplots(figsize=(6, 3.5))
for name in ("n=20, AIC (paper default)", "n=20, lag 0 (Dickey-Fuller)", "n=200, AIC"):
    ax.hist(table[name][3], bins=20, range=(0, 1), histtype="step", density=True, label=name)
ax.axhline(1.0, color="k", lw=0.8, ls="--")
ax.set_xlabel("p-value under H0 (random walks)")
ax.set_ylabel("density (uniform = 1)")
ax.set_title("ADF p-values on random walks (H0 true): uniform if the test is calibrated", fontsize=10)
ax.legend(fontsize=8)
show(fig, "adf_small_sample_pvalues.png", dpi=110)

# %% [markdown]
# **Reading the numbers.** With the paper's setting (20 points, AIC) the test rejects a true unit
# root far more often than 5 % (about 20 % in our runs): "p < 0.05" on a 20-epoch window is a weak
# statement, and it also *misses* many flat noisy plateaus (low power). Fixing the lag (`maxlag=0`, the
# plain Dickey-Fuller test) brings the size close to nominal and raises the power on white noise. In
# `ADFConvergence` you can pass `maxlag=0, autolag=None` (or `autolag="BIC"`, a longer `window`).
# The absurdly small p-values in the figures of sections 3 and 5 (below 1e-10) come from regressions
# with a single residual degree of freedom, whose $s^2$ is one squared residual.
# refgrow keeps the paper's default and documents the caveat rather than silently changing it.

# %% [markdown]
# ## 5. In the training loop
#
# `ADFConvergence` is a convergence test for `refgrow.train.train`: it is called after every epoch
# with the history and returns True when both criteria hold. We train the same small network
# (2-8-2, minibatch SGD) on the two-sines set four times: stopped by the paper's criterion, by the
# same criterion with a fixed lag 0, by a plain plateau rule (the best loss has not improved for 10
# epochs), and not stopped at all (the reference: does training longer help?).

# %%
data = two_sines(200 if QUICK else 400, rng=0)
max_epochs = 150 if QUICK else 400


def fit(convergence):
    net = MLP.init([2, 8, 2], rng=0)
    pv = []

    def record_p(epoch, mlp, history):           # a callback: just records the ADF p-value
        L = history.train_loss
        pv.append(adf_test(L[-20:]).pvalue if len(L) >= 20 and max(L[-20:]) > min(L[-20:])
                  else np.nan)

    h = train(net, data.X, data.y, optimizer=SGD(0.1), epochs=max_epochs, batch_size=16, rng=0,
              convergence=convergence, callbacks=[record_p], progress=False)
    return h, np.array(pv)


runs = {"ADF + local min (paper)": fit(ADFConvergence()),
        "ADF lag 0 + local min": fit(ADFConvergence(maxlag=0, autolag=None)),
        "plateau, patience 10": fit(PlateauTest(patience=10)),
        "no stopping": fit(None)}
for name, (h, _) in runs.items():
    print(f"{name:24s} stopped by {h.stopped_by!s:12s} after {len(h.train_loss):4d} epochs, "
          f"train loss {h.train_loss[-1]:.4f}, train acc {h.train_acc[-1]:.3f}")
h_adf, pv_adf = runs["ADF + local min (paper)"]
if h_adf.stopped_by == "convergence":
    w = np.array(h_adf.train_loss[-20:])
    assert adf_test(w).pvalue < 0.05 and w[-1] >= w[:-1].min()   # both criteria hold at the stop

fig, axes = plt().subplots(2, 1, figsize=(7, 5), sharex=True)
h_ref = runs["no stopping"][0]
axes[0].plot(h_ref.epoch, h_ref.train_loss, color="0.7", label="no stopping")
for name in ("ADF + local min (paper)", "ADF lag 0 + local min", "plateau, patience 10"):
    h = runs[name][0]
    axes[0].axvline(h.epoch[-1], ls="--", color=axes[0].plot([], [])[0].get_color(),
                    label=f"{name}: stop at {h.epoch[-1]}")
axes[0].set_ylabel("training loss")
axes[0].legend(fontsize=8)
axes[1].semilogy(runs["no stopping"][0].epoch, runs["no stopping"][1], ".", ms=3)
axes[1].axhline(0.05, color="k", lw=0.8, ls="--")
axes[1].set_ylabel("ADF p-value, last 20 epochs (log)")
axes[1].set_xlabel("epoch")
axes[0].set_title("Stopping rules in a real training loop: ADF + local minimum vs plateau", fontsize=10)
show(fig, "adf_training_stop.png", dpi=110)

# %% [markdown]
# With minibatch noise the loss of this 8-neuron network reaches a noisy plateau within a few tens
# of epochs (grey curve); training longer moves it only slowly and not monotonically (compare the
# final losses printed above). The ADF criterion fires early — sometimes at the first epoch it can
# (20) — which matches section 4's inflated false-alarm rate on 20 points; in the lower panel the
# p-values of the unstopped run fall below 0.05 again and again. For growth this is a mild problem
# (growing a neuron a little early costs little); for a *claim* that training had converged it is
# not evidence. The plateau rule is the more conservative stop here.

# %% [markdown]
# ## Summary
#
# * The ADF statistic is the t-value of $\gamma$ in $\Delta y_t = \alpha + \gamma y_{t-1} +
#   \sum_i \phi_i \Delta y_{t-i} + e_t$; its p-value comes from MacKinnon's response surface, not a
#   t-table.
# * A decaying loss is mean-reverting, so the ADF test alone fires too early; 002's local-minimum
#   criterion stops that.
# * On 20 points the test with AIC lag selection is unreliable (inflated size, low power); fixing the
#   lag or lengthening the window helps.
#
# ## Exercises
#
# 1. Show by algebra that the ADF statistic with `regression="c"` is unchanged when the losses are
#    multiplied by $a \ne 0$ and shifted by $b$, then check it numerically with `adf_test`.
# 2. Repeat section 4 with `regression="ct"`. Why is a trend term a poor choice for a window that
#    should be flat at convergence?
# 3. Find the smallest window length for which the AIC size (section 4) is below 8 %.
# 4. With full-batch gradient descent the loss decreases monotonically, so criterion (i) never holds
#    with `min_delta=0`. Train the network of section 5 full-batch and find a `min_delta` for which
#    `ADFConvergence` stops near the plateau rule.
# 5. Replace the 5 % level by a Bonferroni-style level for testing after *every* epoch. How much later
#    does training stop?

# %% [markdown]
# ## Checked exercises
#
# These come with an automatic checker that compares your code with refgrow to ~1e-10. Copy the
# exercise set once with `python -m refgrow exercises copy my_exercises`, fill in the stub, then run:
#
# * `python -m refgrow check adf my_exercises/adf.py` — the ADF regression statistic and MacKinnon's p-value (sections 1-2)
#
# The checker names the first quantity that differs and by how much.
