# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 02 — Triangle waves: compelling a ReLU network to keep 2^d linear regions
#
# Paper 003 (*Compelling ReLU Networks to Exhibit Exponentially Many Linear Regions at Initialization
# and During Training*) re-parameterises a narrow, deep ReLU network by the **peaks** $a_i$ of
# triangle functions. Whatever the peaks, the network has $2^d$ linear regions; trained first in
# that space (pretraining), it fits convex curves orders of magnitude better than Kaiming-initialised
# gradient descent.
#
# **Learning goals.** After this tutorial you can
# 1. write the triangle function $T_a$ and its derivative (Eq. 1) and compose them into waves $W_i$ (Eq. 2);
# 2. count linear regions exactly and see that **any** peaks give $2^{i+1}$ pieces for $W_i$;
# 3. explain why a sum $F = x \pm \sum_i s_i W_i$ is only differentiable with the scales of
#    **Theorem 3.1**, $s_{i+1} = s_i (1 - a_{i+1}) a_{i+2}$, and check it on the slope jumps;
# 4. build the **width-4 network** of App. A.1 neuron by neuron (sum, t1, t2, bias) and verify it equals the series;
# 5. pretrain the peaks through the weight-setting map (Algorithm 1) and compare with Kaiming on $x^3$.
#
# **Follows** Sec. 3 (Eqs. 1–2), Sec. 3.1 (Theorem 3.1), Sec. 4 (Tables 1–3, Fig. 4) and App. A.1 of the
# triangle-waves paper [[docs/references.md#triangle]](../docs/references.md#triangle).
#
# Run it as a script (`python tutorials/02_triangle_waves.py`) or as a notebook (`python -m refgrow notebooks
# --execute 02`, the `notebooks` extra); `REFGROW_QUICK=1` (`--quick`) makes it fast. Figures go
# to `out/figures` (or `$REFGROW_FIGURES`); the gallery copies are listed in `figures/README.md`.

# %%
import os

import numpy as np

from refgrow import triangle as tr
from refgrow.datasets import sparse_split, target_1d
from refgrow.experiments.triangle import run_protocol
from refgrow.plotting import figure_dir, plot_layer_outputs, plt, show
from refgrow.regions import regions_1d

QUICK = bool(os.environ.get("REFGROW_QUICK"))
print("figures are written to", figure_dir(), "($REFGROW_FIGURES, else out/figures)")
P = plt()


# %% [markdown]
# ## 1. The triangle and its derivative (Sec. 3, Eq. 1)
#
# $$T_a(x) = \begin{cases} x/a & 0 \le x \le a \\ 1 - \dfrac{x-a}{1-a} & a \le x \le 1\end{cases},\qquad
# T_a'(x) = \begin{cases} 1/a & 0 < x < a \\ -1/(1-a) & a < x < 1\end{cases}$$
#
# (The paper prints the second slope without its minus sign; the triangle falls there.)

# %%
a = 0.3
x = np.linspace(0, 1, 11)
print("T_0.3 :", np.round(tr.triangle(x, a), 3))
print("T'    :", np.round(tr.triangle_derivative(x, a), 3))
assert tr.triangle(a, a) == 1.0 and tr.triangle(0.0, a) == 0.0 and tr.triangle(1.0, a) == 0.0

# %% [markdown]
# ## 2. Composition doubles the pieces (Eq. 2)
#
# $W_i = T_{a_i}\circ \dots \circ T_{a_0}$. Each linear piece of $W_{i-1}$ runs from 0 to 1 (or back),
# so $T_{a_i}$ puts one new peak inside it: $W_i$ has exactly $2^{i+1}$ pieces, **for any peaks**.
# Peaks of $W_{i-1}$ become valleys of $W_i$ (Fig. 10 of the paper). `triangle_breakpoints` computes
# the bends exactly.

# %%
rng = np.random.default_rng(0)
peaks = tr.random_peaks(5, rng=rng)          # uniform on [c, 1-c], c = 0.05
print("peaks a =", np.round(peaks, 3))
xs = np.linspace(0, 1, 2001)
W = tr.triangle_waves(xs, peaks)
for i in range(len(peaks)):
    B = tr.triangle_breakpoints(peaks, i)
    print(f"W_{i}: {len(B) - 1:3d} linear pieces (2^{i + 1} = {2 ** (i + 1)})")
    assert len(B) - 1 == 2 ** (i + 1)

fig, ax = P.subplots(1, 4, figsize=(14, 2.6))
for i in range(4):
    ax[i].plot(xs, W[i])
    ax[i].set_title(f"$W_{i}$ ({2 ** (i + 1)} pieces)")
    ax[i].set_xlabel("x")
ax[0].set_ylabel("$W_i(x)$")
fig.suptitle("Composed triangle waves (Eq. 2): any peaks give $2^{i+1}$ linear pieces", fontsize=10)
fig.tight_layout()
show(fig, "triangle_02_waves.png", dpi=90)

# %% [markdown]
# ## 3. Summing the waves: Yarotsky's $x^2$ and Theorem 3.1
#
# With all $a_i = 1/2$ and $s_i = 4^{-(i+1)}$, $f_n = x - \sum_{i<n} s_i W_i$ is the piecewise-linear
# interpolant of $x^2$ on the grid $k 2^{-n}$ (Sec. 2.1, Fig. 1); its error is exactly $2^{-2n-2}$.

# %%
xg = np.linspace(0, 1, 2 ** 8 + 1)                # contains every cell midpoint for n <= 7
for n in range(1, 7):
    a_half = np.full(n + 1, 0.5)
    s = tr.differentiable_scales(a_half)          # = 4^{-(i+1)}
    err = np.abs(tr.triangle_series(xg, a_half, s) - xg ** 2).max()
    print(f"n = {n}: max |f_n - x^2| = {err:.3e}   (2^(-2n-2) = {tr.yarotsky_error(n):.3e})")
    assert abs(err - tr.yarotsky_error(n)) < 1e-12

# %% [markdown]
# For other peaks, the scales must be chosen so that the **slope jumps** at the bends close up.
# Theorem 3.1 (Eq. 4): $s_{i+1} = s_i (1-a_{i+1}) a_{i+2}$, with the first scale $s_0 = a_0 a_1$ when the
# waves are subtracted (convex targets, $F'(0)\to 0$) and $s_0 = (1-a_0)a_1$ when added (concave, $F'(1)\to 0$).
# Eq. (9) then says the jump left at the bend $x = a_0$ after $n$ waves is
# $(1/a_0 + 1/(1-a_0))\, s_0 \prod_{q=2}^{n} (1 - a_q)$: it shrinks geometrically.
# With arbitrary geometric scales $4^{-(i+1)}$ it converges to a non-zero value (Lemma A.2).
# `regions_1d` reads slopes off the network's exact pieces.

# %%
def jump_at_a0(a, s):
    r = regions_1d(tr.triangle_network(a, s))
    k = int(np.argmin(np.abs(r.breakpoints[1:-1] - a[0])))
    return abs(r.slopes[k + 1, 0] - r.slopes[k, 0])


a_long = np.full(12, 0.8)
a_long[0] = 0.35
print(" n   jump (Thm 3.1 scales)   Eq. (9) prediction   jump (s_i = 4^-(i+1))")
for n in range(1, 11):
    a_n = a_long[: n + 1]
    s_thm = tr.differentiable_scales(a_n)
    pred = (1 / a_n[0] + 1 / (1 - a_n[0])) * s_thm[0] * np.prod(1 - a_n[2:])
    j_thm = jump_at_a0(a_n, s_thm)
    j_geo = jump_at_a0(a_n, 4.0 ** -(np.arange(n) + 1.0))
    print(f"{n:2d}   {j_thm:.3e}              {pred:.3e}            {j_geo:.3e}")
    assert abs(j_thm - pred) < 1e-9 * max(1, pred)

# %% [markdown]
# ## 4. The width-4 network, neuron by neuron (App. A.1, Figs. 2-3)
#
# Hidden layer $l$ holds four neurons:
#
# | neuron | value (on [0,1]) | role |
# |---|---|---|
# | sum | $x - \sum_{i<l-1} s_i W_i$ | accumulates the series (weight 1 on its own past) |
# | t1 | $c_l\,W_{l-2}$ | the current wave (always active) |
# | t2 | $c_l\,\mathrm{ReLU}(W_{l-2} - a_{l-1})$ | switched on past the next peak |
# | bias | $c_l$ | a constant that decays like the waves |
#
# The next wave is $T_a(w) = w/a - \mathrm{ReLU}(w - a)/(a - a^2)$: t1 and t2 feed every next neuron in the
# same proportion $S_l/a$, $-S_l/(a-a^2)$ (shared weights), with the ratio $S_l = s_{l-1}/s_{l-2}$.
# refgrow resolves the paper's index shift (its $H_i$ uses $a_i$ where the previous layer cut at $a_{i-1}$):
# weight matrix $l$ folds with $a_{l-1}$ and cuts at $a_l$.

# %%
a6 = tr.random_peaks(6, rng=1)                   # six peaks -> five hidden layers (the paper's depth)
net = tr.triangle_network(a6, sign=-1)
print("sizes:", net.sizes)
np.set_printoptions(precision=3, suppress=True)
print("weights[1] (rows: sum, t1, t2, bias):\n", net.weights[1])
s6 = tr.differentiable_scales(a6)
gap = np.abs(net.predict(xs[:, None])[:, 0] - tr.triangle_series(xs, a6, s6)).max()
print(f"max |network - series| on [0,1] = {gap:.1e}")
assert gap < 1e-12
r = regions_1d(net)
print(f"exact count: {r.n_linear_regions} linear regions, {r.n_activation_regions} activation regions (2^5 = 32)")
assert r.n_linear_regions == 32

out, cache = net.forward(xs[:, None])
fig, ax = P.subplots(1, 5, figsize=(16, 2.8))
plot_layer_outputs(xs, cache, ["sum", "t1", "t2", "bias"], axes=ax)   # neuron j of layer l vs x
fig.suptitle("The width-4 triangle network (App. A.1, Fig. 3): each neuron's output against the input",
             fontsize=10)
fig.tight_layout()
show(fig, "triangle_02_fig3_neurons.png", dpi=90)

# %% [markdown]
# ## 5. Pretraining: gradient through the weight-setting map (Algorithm 1)
#
# The loss is a function of the peaks only: $a \mapsto$ weights (App. A.1) $\mapsto$ network $\mapsto$ MSE.
# `pretrain_loss_and_grad` back-propagates to the raw weights and then through the map (and through the
# Theorem 3.1 scales, which depend on $a$). Check it with centred finite differences:

# %%
data = target_1d("x3", 200)
xd, yd = data.X[:, 0], data.y[:, 0]
loss, g = tr.pretrain_loss_and_grad(a6, xd, yd)
h = 1e-6
fd = np.array([(tr.pretrain_loss_and_grad(a6 + h * e, xd, yd)[0]
                - tr.pretrain_loss_and_grad(a6 - h * e, xd, yd)[0]) / (2 * h) for e in np.eye(6)])
print("analytic:", g)
print("finite d:", fd)
assert np.allclose(g, fd, rtol=1e-5, atol=1e-10)

res = tr.pretrain(a6, xd, yd, epochs=200 if QUICK else 1000, lr=1e-3, sign=-1)
print(f"pretraining: MSE {res.loss[0]:.2e} -> {res.loss[-1]:.2e}; peaks stay in [c, 1-c]: {np.round(res.a, 3)}")

# %% [markdown]
# ## 6. Pretraining vs Kaiming on sparse $x^3$ (Fig. 4, Table 3)
#
# Ten training points, ten test points in between. The Default network (PyTorch's `nn.Linear` init)
# against "differentiability enforced" (pretrain the peaks, then train the raw weights with a fresh Adam).
# All seeds train at once (a leading "run" axis).

# %%
seeds, epochs = (6, 200) if QUICK else (30, 1000)
resd = run_protocol(["x3"], seeds=seeds, epochs=epochs, data="sparse", types=("default", "enforced"),
                    keep_models=True)
for typ in ("default", "enforced"):
    te = np.array(resd[typ]["x3"]["test_mse"])
    print(f"{typ:9s} test MSE: min {te.min():.2e}  median {np.median(te):.2e}")

from refgrow.triangle import batched_forward  # the batched forward used by the experiments

trs, tes = sparse_split("x3")
fig, ax = P.subplots(1, 2, figsize=(10, 3.4))
for i, typ in enumerate(("default", "enforced")):
    Ws, bs = resd["_models"][typ]
    k = int(np.argmin(resd[typ]["x3"]["test_mse"]))
    y_hat = batched_forward([w[k:k + 1] for w in Ws], [b[k:k + 1] for b in bs], xs[:, None])[0][0, :, 0]
    ax[i].plot(xs, xs ** 3, "k:", label="$x^3$")
    ax[i].plot(xs, y_hat, label=typ)
    ax[i].plot(trs.X, trs.y, "o", label="train")
    ax[i].plot(tes.X, tes.y, "x", label="test")
    ax[i].set_title(f"{typ}: best test MSE {resd[typ]['x3']['test_mse'][k]:.1e}")
    ax[i].legend(fontsize=7)
    ax[i].set_xlabel("x")
    ax[i].set_ylabel("y")
fig.suptitle(f"Fig. 4 / Table 3: Kaiming default vs pretraining on sparse $x^3$ (best of {seeds} seeds)",
             fontsize=10)
fig.tight_layout()
show(fig, "triangle_02_fig4_sparse.png", dpi=90)

# %% [markdown]
# ## Exercises
#
# 1. Set every peak to 1/2 and check that the Theorem 3.1 scales are $4^{-(i+1)}$; which function is the limit?
# 2. Draw peaks with `c = 0.01` and compare the largest weight $1/(a - a^2)$ with `c = 0.05`. Why does App. A.4
#    need the peaks bounded away from 0 and 1?
# 3. Use `sign=+1` and the target `sin` (waves added): verify that the slope at $x = 1$ of the depth-$n$
#    truncation equals $\prod_{q=1}^n (1-a_q)$.
# 4. Give `triangle_network` scales `[2.0, 0.1]` with peaks `[0.5, 0.5, 0.5]`. Why would the paper's network
#    be wrong here, and what does `network_parameters(...)[2]["offset"]` do about it?
# 5. Train `run_protocol(["x3"], types=("skipped", "enforced"), keep_models=True)` and plot the
#    pre-activations of every layer of the best model of each type (Fig. 6): where does the triangle
#    structure get lost without pretraining?

# %% [markdown]
# ## Checked exercises
#
# These come with an automatic checker that compares your code with refgrow to ~1e-10. Copy the
# exercise set once with `python -m refgrow exercises copy my_exercises`, fill in the stub, then run:
#
# * `python -m refgrow check triangle my_exercises/triangle.py` — the triangle function, its composition and the Theorem 3.1 scales (sections 1-3)
#
# The checker names the first quantity that differs and by how much.
