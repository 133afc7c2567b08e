# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 04 — Growing a network by folding at typical mistakes
#
# Paper 002 (*Growing Networks by Folding Manifolds at Mistakes*) and the slides 000 grow a one-hidden-layer
# ReLU network **one neuron at a time**, and justify every neuron by a concrete mis-predicted training
# instance. In this tutorial we take the algorithm apart on the two-sine set.
#
# **Learning goals.** After this tutorial you can
# 1. find the *typical mistake* of a trained network in both readings (002 Alg. 1: largest cluster of
#    mis-predictions; slides: loss-weighted k-means) and check that it is a mistake;
# 2. compute the *local affine map* $f(x') = A x' + c$ of the mistake's activation region, the local
#    *decision boundary* $w\cdot x + b = 0$ with $w = A_i - A_j$, $b = c_i - c_j$, and the *fold point*
#    $x_{fold} = x - \frac{w\cdot x + b}{w\cdot w} w$;
# 3. build the *fold neuron* ($b^{new} = -w^{new}\cdot x_{fold}$, $w_B^{new} = \mathrm{mean}(W_B)\mathbf 1$) and see
#    **why Algorithm 1's objective is flat for softmax cross-entropy**, and what the alternatives do;
# 4. compute the fold-hyperplane regulariser $L_{fold\text{-}reg}$ (Def. 5) and check its gradient;
# 5. run the growth loop, read the per-neuron *explanation records*, export them as JSON, and roll back.
#
# **Follows** Sec. 2.2–2.3 (Def. 4, Thm. 3, Alg. 1, Def. 5) and Sec. 3.2–3.3 of the folding paper
# [[docs/references.md#folding]](../docs/references.md#folding) and the slides' sub-algorithms
# [[docs/references.md#folding-slides]](../docs/references.md#folding-slides).
#
# Run it as a script (`python tutorials/04_folding_at_mistakes.py`) or as a notebook (`python -m refgrow notebooks
# --execute 04`, the `notebooks` extra); `REFGROW_QUICK=1` (`--quick`) makes it fast. Figures go
# to `out/figures` (or `$REFGROW_FIGURES`); the gallery copies are listed in `figures/README.md`.

# %%
import json
import os

import numpy as np

from refgrow import geometry as G
from refgrow.datasets import two_sines
from refgrow.experiments.folding import fold_step_legend, plot_fold_step
from refgrow.growth import folding as F
from refgrow.losses import softmax_cross_entropy
from refgrow.mlp import MLP
from refgrow.optim import Adam
from refgrow.plotting import figure_dir, plt, show
from refgrow.stats import ADFConvergence

QUICK = bool(os.environ.get("REFGROW_QUICK"))
print("figures are written to", figure_dir(), "($REFGROW_FIGURES, else out/figures)")
P = plt()
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. A compact network, trained until "convergence"
#
# Algorithm 1 starts from a compact network trained **until convergence**; 002 Sec. 3.1 calls the training
# converged when the loss has reached a local minimum *and* an Augmented Dickey–Fuller test on the last 20
# epoch losses rejects a unit root ($p < 0.05$). `refgrow.stats.ADFConvergence` is that test (tutorial 05
# looks at it closely). We train a 2-2-2 network — the slides' starting point — with minibatch Adam.

# %%
ds = two_sines(400, rng=0)
X, y = ds.X, ds.y
grower = F.FoldingGrowth(MLP.init([2, 2, 2], rng=0), X, y, optimizer=Adam(1e-2), batch_size=32, rng=0,
                         max_epochs=400, min_epochs=100, alpha=0.1,
                         convergence=ADFConvergence(window=20, alpha=0.05))
hist = grower.train_initial()
net = grower.mlp.copy()
out = net.predict(X)
wrong = np.argmax(out, axis=1) != y
print(f"trained 2-2-2 for {len(hist)} epochs (stopped by {hist.stopped_by}); "
      f"train accuracy {1 - wrong.mean():.3f}, {wrong.sum()} mistakes")

# %% [markdown]
# ## 2. The typical mistake
#
# *Hypothesis 1 of 002: mis-predictions arising from the same model deficiency lie close together.*
#
# * **002 Algorithm 1** (`method="largest_cluster"`, the default): cluster the mis-predicted instances with
#   k-means, take the **largest** cluster, and the instance nearest its centroid.
# * **Slides 000** (`method="loss_weighted"`): k-means on (a sample of) all instances with the per-sample
#   loss $\ell_i$ as weight, minimising $\sum_i \ell_i \lVert x_i - c_{k(i)}\rVert^2$; take the cluster with
#   the **highest mean loss**, and its mistake nearest the centroid.
#
# Both return `None` when nothing is mis-predicted (then growth stops).

# %%
tm = F.typical_mistake(net, X, y, method="largest_cluster", n_clusters=5, rng=0)
tm_w = F.typical_mistake(net, X, y, method="loss_weighted", n_clusters=5, rng=0)
for t in (tm, tm_w):
    print(f"{t.method:>15}: instance #{t.index} at {np.round(t.x, 3)}, true {t.y_true}, predicted {t.y_pred}, "
          f"cluster of {t.cluster_size} (mean loss {t.cluster_mean_loss:.3f})")
    assert wrong[t.index]                        # check: it is a mistake
    assert t.y_pred == np.argmax(out[t.index]) != t.y_true

# %% [markdown]
# ## 3. Local affine map, decision boundary and fold point
#
# On the activation region of $x$ the network *is* an affine map (slides, Proposition 1):
# $f(x') = A x' + c$, with $A = W_B\,\mathrm{diag}(\text{pattern})\,W_A$ and $c = W_B\,\mathrm{diag}(\text{pattern})\,b_A + b_B$.
# The local decision boundary between the predicted class $i$ and the true class $j$ is
# $(A_i - A_j)\cdot x + (c_i - c_j) = 0$, and the fold point is the closest point of that hyperplane:
# $x_{fold} = x - \frac{w\cdot x + b}{w\cdot w}\,w$.

# %%
x_m, i, j = tm.x, tm.y_pred, tm.y_true
A, c = G.local_affine_map(net, x_m)
pattern = G.activation_pattern(net, x_m)
print("pattern at the mistake:", [p.astype(int).tolist() for p in pattern])
print("A =", np.round(A, 4).tolist(), " c =", np.round(c, 4).tolist())
assert np.allclose(A @ x_m + c, net.predict(x_m[None])[0], rtol=1e-12, atol=1e-12)   # exact on the region

w_ij, b_ij = G.decision_boundary(net, x_m, i, j)
if np.any(w_ij):
    x_lin = x_m - (w_ij @ x_m + b_ij) / (w_ij @ w_ij) * w_ij           # the slides' closed form
    assert np.allclose(x_lin, G.closest_point_on_hyperplane(x_m, w_ij, b_ij), rtol=1e-14, atol=1e-14)
    print("distance of the mistake to its local boundary:", abs(G.signed_distance(x_m, w_ij, b_ij)))
    fp = G.fold_point(net, x_m, i, j, refine=True)
    print(f"first projection {np.round(fp.x_linear, 4)} in the mistake's region: {fp.linear_in_region}; "
          f"fold point {np.round(fp.x_fold, 4)} (logit gap {fp.gap:.1e}, in region: {fp.in_region}, "
          f"{fp.n_iter} refinement steps)")
    x_fold = fp.x_fold
else:
    # every hidden unit is off at the mistake: the region is flat and has no boundary
    x_fold = F.classification_fold(net, X, tm)[0]
    print("flat region: fold point found by bisection towards the nearest instance of the true class")

# %% [markdown]
# The projection uses the *mistake's* affine map; the point it lands on may belong to a different
# region ("Next milestones" slide). `fold_point(refine=True)` re-linearises there and projects again
# (Newton's minimum-norm step on the logit gap) until logits $i$ and $j$ tie; the flags `in_region` and
# `converged` say what happened.
#
# ## 4. The fold neuron — and a flat objective
#
# Algorithm 1 initialises the new neuron by
#
# $$ w_A^{new} = \arg\max_{\lVert w\rVert=\rho}\ \cos\!\Big(\frac{\partial L}{\partial x}(x_{mistake}),\ x_{fold} - x_{mistake}\Big)
#    + \mathbb E_n \Big\lVert \frac{\partial \ell_n}{\partial w_A^{new}} \Big\rVert, \qquad
#    b_A^{new} = -w_A^{new}\cdot x_{fold}, \qquad w_B^{new} = \mathrm{mean}(W_B)\,\mathbf 1 .$$
#
# The new unit adds $w_B^{new}\,\mathrm{relu}(w\cdot x + b)$ to the logits. With $w_B^{new} = \beta\mathbf 1$ this
# shifts **all logits equally**, and softmax is shift-invariant: loss, predictions, $\partial L/\partial x$ and
# $\partial\ell/\partial w_A^{new} = (\beta\,\mathbf 1\cdot\delta)\,\mathrm{relu}'(s)\,x$ (with
# $\mathbf 1\cdot\delta = \sum_k (p_k - y_k) = 0$) do not depend on $w$. The objective is **flat**.

# %%
v_uniform = np.full(2, np.mean(net.weights[1]))
vals = [F.fold_objective(net, wr, X, y, x_m, j, x_fold, v_uniform)[0:2] for wr in rng.normal(size=(5, 2))]
print("objective at 5 random w (uniform fan-out):", [f"{v:.6f}" for v, _ in vals])
print("max gradient norm:", max(np.linalg.norm(g) for _, g in vals))
nn = F.fold_neuron(net, X, y, x_m, j, x_fold, out_init="uniform", rng=0)
print("fold_neuron reports flat =", nn.info["flat"])
assert nn.info["flat"]
w_new, b_new = nn.w_in[0], nn.b_in[0]
assert b_new == -(w_new @ x_fold)                      # the hyperplane passes through x_fold exactly
grown = net.add_neurons(0, nn.w_in, nn.b_in, nn.w_out)
L0, L1 = softmax_cross_entropy(net.predict(X), y)[0], softmax_cross_entropy(grown.predict(X), y)[0]
print(f"softmax loss before {L0:.12f}, after adding the neuron {L1:.12f}")
assert abs(L1 - L0) <= 1e-12 * L0 and np.array_equal(np.argmax(grown.predict(X), 1), np.argmax(net.predict(X), 1))

# %% [markdown]
# With a flat objective the literal algorithm has nothing to maximise; refgrow keeps the starting
# direction $w \propto x_{mistake} - x_{fold}$ (the neuron is then active on the mistake's side) and records
# `flat=True`. The neuron is still useful: $\partial L/\partial w_B^{new} = \sum_n \delta_n\,\mathrm{relu}(s_n)$ is not
# zero, so fine-tuning moves $w_B^{new}$ off the uniform vector and then $w_A^{new}$ starts to learn.
#
# Two documented alternatives (`out_init=`):
# * `"zero"` — the slides' *Hidden Layer Broaden* ($W_B^{new} = [W_B\ 0]$): exactly function-preserving, also flat;
# * `"descent"` — $w_B^{new} = -\rho_B\,\delta_{mistake}/\lVert\delta_{mistake}\rVert$, the steepest-descent output
#   direction at the mistake. The objective is no longer flat and gradient ascent improves it.

# %%
nn_d = F.fold_neuron(net, X, y, x_m, j, x_fold, out_init="descent", rng=0)
print(f"descent fan-out {np.round(nn_d.w_out[:, 0], 4)}: flat = {nn_d.info['flat']}, objective "
      f"{nn_d.info['objective_before']:.4f} -> {nn_d.info['objective_after']:.4f}")
assert nn_d.info["objective_after"] >= nn_d.info["objective_before"]

# %% [markdown]
# ## 5. The fold-hyperplane regulariser (Def. 5)
#
# $$ L_{fold\text{-}reg} = \frac{|w\cdot x_{mistake} + b| + |w\cdot x_{fold} + b|}{\lVert w\rVert} $$
#
# is the sum of the distances of the two points to the new hyperplane. At initialisation $x_{fold}$ is on the
# hyperplane, so the value is the distance of the mistake. It is zero exactly when the hyperplane contains
# both points, i.e. when the crease runs from the fold point through the mistake.

# %%
val, gw, gb = F.fold_regularizer(w_new, b_new, x_m, x_fold)
print(f"L_fold-reg at init = {val:.6f}; distance of the mistake = {abs(G.signed_distance(x_m, w_new, b_new)):.6f}")
assert np.isclose(val, abs(G.signed_distance(x_m, w_new, b_new)), rtol=1e-12)
theta, eps = np.r_[w_new, b_new], 1e-6
num = np.array([(F.fold_regularizer(*(lambda t: (t[:2], t[2]))(theta + eps * e), x_m, x_fold)[0]
                 - F.fold_regularizer(*(lambda t: (t[:2], t[2]))(theta - eps * e), x_m, x_fold)[0]) / (2 * eps)
                for e in np.eye(3)])
print("gradient", np.round(np.r_[gw, gb], 6), "finite differences", np.round(num, 6))
assert np.allclose(np.r_[gw, gb], num, rtol=1e-6, atol=1e-8)

# %% [markdown]
# ## 6. The growth loop, with explanations
#
# Each step: typical mistake → fold point → fold neuron → add it → fine-tune on $L + \alpha L_{fold\text{-}reg}$
# until ADF convergence. Every neuron gets a record: which instance it was grown for, its labels, the cluster,
# the fold point, the flags, and loss/accuracy before and after.

# %%
steps = 2 if QUICK else 5
nets = [grower.mlp.copy()]
for _ in range(steps):
    if grower.step() is None:
        break
    nets.append(grower.mlp.copy())
print(f"{'step':>4} {'neuron':>6} {'instance':>8} {'true':>4} {'pred':>4} {'flat':>5} {'acc before':>10} {'acc after':>9}")
for r in grower.records:
    print(f"{r.step:>4} {r.neuron_index:>6} {r.mistake_index:>8} {r.y_true:>4} {r.y_pred:>4} {str(r.flat):>5} "
          f"{r.acc_before:10.3f} {r.acc_after:9.3f}")
    assert r.y_true != r.y_pred                             # every neuron is explained by a mistake

fig, axes = P.subplots(1, len(nets), figsize=(4 * len(nets), 3.4), squeeze=False)
plot_fold_step(axes[0, 0], None, nets[0], None, X, y, title="trained 2-2-2")
for k, r in enumerate(grower.records, start=1):
    plot_fold_step(axes[0, k], nets[k - 1], nets[k], r, X, y,
                   title=f"step {k}: for #{r.mistake_index}, acc {r.acc_before:.3f}->{r.acc_after:.3f}")
fig.suptitle("Growing a 2-2-2 ReLU network by folding at typical mistakes: one panel per grown neuron",
             fontsize=9)
fold_step_legend(fig)
fig.tight_layout(rect=(0, 0.1, 1, 1))
show(fig, "folding_tutorial_growth.png", dpi=120)

# %% [markdown]
# Dashed: the boundary before the step; solid black: after fine-tuning; green: the new neuron's hyperplane at
# initialisation (through the star, the fold point) and dotted after fine-tuning; red x: the typical mistake.
#
# The records are JSON, and a growth step that a human judges inappropriate can be rolled back (002 Sec. 5):

# %%
record = json.loads(grower.to_json())["records"][0]
print({k: record[k] for k in ("step", "mistake_index", "y_true", "y_pred", "in_region", "flat",
                              "acc_before", "acc_after")})
width = grower.mlp.sizes[1]
grower.rollback(1)
print(f"rolled back: width {width} -> {grower.mlp.sizes[1]}, {len(grower.records)} records kept")
assert grower.mlp.sizes[1] == width - 1
for a_, b_ in zip(grower.mlp.parameters(), nets[-2].parameters()):
    assert np.array_equal(a_, b_)

# %% [markdown]
# ## Exercises
#
# 1. Run the loop with `mistake_method="loss_weighted"`. Do the two readings pick the same instances? When
#    do they differ, and why can the highest-mean-loss cluster contain correctly predicted points?
# 2. Re-run section 4 with `loss="mse"` and one-hot targets. Show by hand why the objective is *not* flat
#    any more ($\mathbf 1^\top H\mathbf 1 = 2$ for the per-sample MSE Hessian $H = \frac2K I$, $K = 2$).
# 3. Grow with `out_init="descent"` and compare the accuracy after each step with the literal algorithm.
# 4. Set `alpha=0` and `alpha=1`. Plot `reg_after` of every record: does the crease stay between the
#    mistake and the fold point?
# 5. Find a mistake whose fold point leaves its activation region (`in_region=False`). Draw the regions
#    (`refgrow.geometry.activation_pattern` on a grid) and the refinement path.
# 6. The cosine term of the objective uses $+\partial L/\partial x$. For two classes in the flat case show
#    that it equals $-1$ (the gradient points *away* from the boundary). What would change with
#    $-\partial L/\partial x$?

# %% [markdown]
# ## Checked exercises
#
# These come with an automatic checker that compares your code with refgrow to ~1e-10. Copy the
# exercise set once with `python -m refgrow exercises copy my_exercises`, fill in the stub, then run:
#
# * `python -m refgrow check weighted_kmeans my_exercises/weighted_kmeans.py` — the loss-weighted k-means of the typical mistake (section 2)
# * `python -m refgrow check hyperplane my_exercises/hyperplane.py` — the closest point on a hyperplane, the fold point (section 3)
# * `python -m refgrow check fold_regularizer my_exercises/fold_regularizer.py` — the fold-hyperplane regulariser and its gradient (section 5)
#
# The checker names the first quantity that differs and by how much.
