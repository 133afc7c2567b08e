# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 03 — Expressivity bottlenecks and the best neurons to add (TINY)
#
# Paper: *Growing Tiny Networks: Spotting Expressivity Bottlenecks and Fixing Them Optimally*
# (Verbockhaven et al., TMLR 2024; TINY [docs/references.md#tiny](../docs/references.md#tiny)), with
# GradMax (Evci et al. 2022, [docs/references.md#gradmax](../docs/references.md#gradmax)) as
# the baseline.
#
# **Learning goals.** After this tutorial you can
# 1. compute the *desired move* $v_{goal}$ of a layer's pre-activations from backpropagation
#    (per sample, not averaged) and say what it means;
# 2. compute the **best update** of the existing weights (Prop. 3.1) and see that it is an orthogonal
#    projection — and how far it stays from the goal: the **expressivity bottleneck** (Def. 3.1);
# 3. build the matrices $S$, $N$, $S^{-1/2}N$ and read the **best new neurons** off one SVD (Prop. 3.2);
# 4. check numerically that $K$ neurons reduce the bottleneck by exactly $\sum_{k\le K}\lambda_k^2$ (Eq. 9)
#    and that the loss decreases at first order as Prop. 3.3 predicts — and where that fails (ReLU);
# 5. compare TINY, GradMax and Random growth on a small problem.
#
# **Follows** Sec. 2 (v_goal), Sec. 3.1 (Prop. 3.1, Def. 3.1), Sec. 3.2 (Prop. 3.2, Eq. 9, Props.
# 3.3–3.4), Sec. 5 and App. B.1 of TINY [[docs/references.md#tiny]](../docs/references.md#tiny).
#
# Run it as a script (`python tutorials/03_expressivity_bottlenecks.py`) or as a notebook (`python -m refgrow notebooks
# --execute 03`, the `notebooks` extra); `REFGROW_QUICK=1` (`--quick`) makes it fast. Figures go
# to `out/figures` (or `$REFGROW_FIGURES`); the gallery copies are listed in `figures/README.md`.

# %%
import functools
import os

import numpy as np

from refgrow.growth.gradmax import fan_in_gradient_norm, gradmax_neurons, propose_gradmax
from refgrow.growth.loop import grow
from refgrow.growth.random_neurons import propose_random
from refgrow.growth.tiny import (apply_tiny, best_update, expressivity_bottleneck, first_order_decrease,
                                 linearised_move, new_neurons, propose_tiny, relu_first_order,
                                 tiny_step, v_goal, with_ones)
from refgrow.mlp import MLP
from refgrow.optim import SGD
from refgrow.plotting import figure_dir, plt, show

QUICK = bool(os.environ.get("REFGROW_QUICK"))
print("figures are written to", figure_dir(), "($REFGROW_FIGURES, else out/figures)")
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. A network that is too small
#
# A 2-D regression target $f^*(x) = \sin(3x_1) + x_2^2$ and a ReLU network with **2** hidden neurons.
# Notation (rows are samples; the paper stacks samples as columns, so $B_{paper} = B^T$):
#
# | paper | code | shape |
# |---|---|---|
# | $b_{l-2}(x)$ (input of the grown layer, with a 1) | `B_in` | (n, D+1) |
# | $b_{l-1}(x)$ (hidden activities, with a 1) | `B` | (n, h+1) |
# | $a_l(x)$ (output pre-activation) | `out` | (n, K) |
# | $v_{goal}(x) = -\partial \ell / \partial a_l$ | `V_goal` | (n, K) |

# %%
n = 300
X = rng.uniform(-1.5, 1.5, size=(n, 2))
Y = (np.sin(3 * X[:, 0]) + X[:, 1] ** 2)[:, None]
net = MLP.init([2, 2, 1], rng=1)
for b in net.biases:
    b += 0.1                                  # start away from the ReLU kink
print(net, " MSE:", round(net.loss(X, Y, "mse"), 4))

# %% [markdown]
# ## 2. The desired move $v_{goal}$ (Sec. 2.3)
#
# For the per-sample loss $\ell_i$, $v_{goal}(x_i) = -\nabla_{a}\ell_i$: the direction in which the output
# of sample $i$ should move. For MSE with $K = 1$ output, $\ell_i = (f(x_i) - y_i)^2$ so
# $v_{goal}(x_i) = 2\,(y_i - f(x_i))$ — the residual, doubled. The loss is **not** averaged over the
# batch here (DESIGN convention); statistics divide by $n$ later.

# %%
V_goal = v_goal(net, X, Y, hidden_layer=0, loss="mse")  # goal at the output of weights[1]
assert np.allclose(V_goal, 2 * (Y - net.predict(X)))
print("V_goal shape", V_goal.shape, " first rows", V_goal[:3].ravel().round(3))

# %% [markdown]
# ## 3. Best update and expressivity bottleneck (Prop. 3.1, Def. 3.1)
#
# Changing only the last layer by $\delta W$ moves the outputs by $V = B\,\delta W^T$. The best such move
# minimises $\frac1n\|B\,\delta W^T - V_{goal}\|^2$:
# $$\delta W^* = \tfrac1n V_{goal}^T B\,\big(\tfrac1n B^T B\big)^+ \qquad\text{(Prop. 3.1)}$$
# so $B\,\delta W^{*T}$ is the **orthogonal projection** of $V_{goal}$ on the columns of $B$. What it misses is
# the bottleneck $\Psi = \frac1n\|V_{goal} - B\,\delta W^{*T}\|^2$.

# %%
_, cache = net.forward(X)
B_in = with_ones(cache.inputs[0])            # (n, 3): x and the bias input
B = with_ones(cache.inputs[1])               # (n, 3): 2 hidden activities and the bias input
dW = best_update(B, V_goal)                  # (1, 3)
P = B @ dW.T
residual = V_goal - P
print("residual orthogonal to B:", np.abs(B.T @ residual).max() < 1e-9)
psi_goal = expressivity_bottleneck(V_goal, np.zeros_like(V_goal))
psi = expressivity_bottleneck(V_goal, P)
print(f"||V_goal||^2/n = {psi_goal:.4f}   bottleneck after the best update Psi = {psi:.4f}")

# The usual gradient step moves along V_goal^T B (no metric); even with its best step size it does worse:
g = V_goal.T @ B / n
Vg = B @ g.T
t = np.sum(Vg * V_goal) / np.sum(Vg * Vg)          # best scalar step for the gradient direction
print(f"best-scaled gradient step leaves {expressivity_bottleneck(V_goal, t * Vg):.4f} >= {psi:.4f}")
assert expressivity_bottleneck(V_goal, t * Vg) >= psi - 1e-12

# %% [markdown]
# ## 4. New neurons from one SVD (Prop. 3.2)
#
# Add $K$ neurons to the hidden layer, fan-in $\alpha_k$ (on `B_in`), fan-out $\omega_k$. Linearised,
# they move the outputs by $V(\theta) = \sum_k \omega_k\,\alpha_k^T b(x)$ (Eq. 19). The best ones for the
# **projected** goal $V_{goal,proj} = V_{goal} - B\,\delta W^{*T}$ come from
# $$S = \tfrac1n B_{in}^T B_{in},\quad N = \tfrac1n B_{in}^T V_{goal,proj},\quad
#   S^{-1/2}N = \sum_k \lambda_k u_k v_k^T,\quad \alpha_k = \sqrt{\lambda_k}\,S^{-1/2}u_k,\ \
#   \omega_k = \sqrt{\lambda_k}\, v_k .$$
# We do it by hand and compare with `new_neurons`.

# %%
Vp = V_goal - P
S = B_in.T @ B_in / n
N = B_in.T @ Vp / n
mu, O = np.linalg.eigh(S)
S_m12 = O @ np.diag(mu ** -0.5) @ O.T        # S is positive definite here
U, lam, Vt = np.linalg.svd(S_m12 @ N, full_matrices=False)
alpha_hand = (S_m12 @ U * np.sqrt(lam)).T
omega_hand = Vt.T * np.sqrt(lam)
nn = new_neurons(B_in, Vp)
print("singular values lambda_k:", lam.round(5), " library:", nn.singular_values.round(5))
assert np.allclose(np.abs(nn.alpha), np.abs(alpha_hand)) and np.allclose(nn.singular_values, lam)

# %% [markdown]
# ## 5. The gain is $\sum_k \lambda_k^2$ (Eq. 9)
#
# With one output there is a single singular value, so let us use a 3-output target to see several.
# For every $K$, the bottleneck left after the first $K$ neurons must equal
# $\Psi_{proj} - \sum_{k\le K}\lambda_k^2$.

# %%
Y3 = np.column_stack([np.sin(3 * X[:, 0]), X[:, 1] ** 2, X[:, 0] * X[:, 1]])
net3 = MLP.init([2, 2, 3], rng=2)
st3 = tiny_step(net3, X, Y3, hidden_layer=0, loss="mse")
lam3 = st3.neurons.singular_values
psi_proj = st3.bottleneck_proj
measured = [expressivity_bottleneck(st3.V_goal_proj,
                                    linearised_move(st3.B_in, st3.neurons.alpha[:K], st3.neurons.omega[:, :K]))
            for K in range(len(lam3) + 1)]
predicted = [psi_proj - np.sum(lam3[:K] ** 2) for K in range(len(lam3) + 1)]
for K, (m_, p_) in enumerate(zip(measured, predicted)):
    print(f"K={K}: bottleneck measured {m_:.6f}  predicted Psi_proj - sum lambda^2 = {p_:.6f}")
assert np.allclose(measured, predicted)

fig, ax = plt().subplots(figsize=(5, 3.2))
ax.plot(range(len(measured)), measured, "o-", label="measured (1/n)||V - V_goal_proj||^2")
ax.plot(range(len(predicted)), predicted, "x--", label="Eq. (9): Psi_proj - sum lambda_k^2")
ax.set_xlabel("number of neurons K added"); ax.set_ylabel("expressivity bottleneck (1/n)||.||^2")
ax.set_xticks(range(len(measured))); ax.legend(fontsize=8)
ax.set_title("Eq. (9) of TINY: measured vs predicted bottleneck", fontsize=9)
show(fig, "tiny_tutorial_eq9.png", dpi=100)

# %% [markdown]
# ## 6. Does the real loss follow? (Prop. 3.3)
#
# Add $\gamma\,\delta W^*$ and the neurons $(\sqrt\gamma\alpha, \sqrt\gamma\omega)$. Prop. 3.3 predicts
# $L(\gamma) = L(0) - \gamma\,(\sigma'(0)\sum_k\lambda_k^2 + \Delta_{\delta W}) + o(\gamma)$ with
# $\Delta_{\delta W} = \frac1n\langle V_{goal}, B\,\delta W^{*T}\rangle \ge 0$. This needs an activation that
# is differentiable at 0: **tanh** ($\sigma'(0)=1$). The exact derivative also contains a cross term
# $\frac1n\langle B\,\delta W^{*T}, V(\theta)\rangle$ (see the interpretation note of `refgrow.growth.tiny`),
# which is zero for the identity activation and small here.

# %%
net_t = MLP.init([2, 4, 3], rng=3, activation="tanh")
st_t = tiny_step(net_t, X, Y3, hidden_layer=0, loss="mse")
fo = first_order_decrease(st_t.V_goal, st_t.B, st_t.dW, st_t.B_in, st_t.neurons)
print({k: round(v, 6) for k, v in fo.items()})
L0 = net_t.loss(X, Y3, "mse")
for gam in (1e-1, 1e-2, 1e-3, 1e-4):
    grown = apply_tiny(net_t, 0, st_t.neurons.alpha, st_t.neurons.omega, st_t.dW, gam)
    ratio = (grown.loss(X, Y3, "mse") - L0) / (-gam * fo["exact"])
    print(f"gamma={gam:.0e}: real change / first-order prediction = {ratio:.6f}")
assert abs(ratio - 1) < 1e-3

# The neurons alone (no update of the existing weights): slope (1/n)<V_goal, V(theta)> = sum lambda^2 + cross
fo_n = first_order_decrease(st_t.V_goal, st_t.B, st_t.dW, st_t.B_in, st_t.neurons, update_applied=False)
for gam in (1e-2, 1e-4):
    grown = apply_tiny(net_t, 0, st_t.neurons.alpha, st_t.neurons.omega, None, gam)
    print(f"neurons only, gamma={gam:.0e}: ratio {(grown.loss(X, Y3, 'mse') - L0) / (-gam * fo_n['exact']):.6f}")

# %% [markdown]
# **ReLU.** $\mathrm{ReLU}$ is not differentiable at 0, so Eq. (19)'s $\sigma(z)\approx\sigma'(0)z$ fails.
# But ReLU is positively homogeneous: $\sqrt\gamma\,\omega\,\mathrm{relu}(\sqrt\gamma\,\alpha^T b) =
# \gamma\,\omega\,\mathrm{relu}(\alpha^T b)$, so the neurons' effect is *exactly* linear in $\gamma$ and
# $\mathrm{relu}(z) = z/2 + |z|/2$ splits it into "$\sigma'(0) = 1/2$" plus an even part.
# We measure the real slope and compare with Eq. (10) read with $\sigma'(0) \in \{0, 1/2, 1\}$.

# %%
st_r = tiny_step(net3, X, Y3, hidden_layer=0, loss="mse")
rf = relu_first_order(st_r.V_goal, st_r.B, st_r.dW, st_r.B_in, st_r.neurons)
gam = 1e-6
slope = -(apply_tiny(net3, 0, st_r.neurons.alpha, st_r.neurons.omega, st_r.dW, gam).loss(X, Y3, "mse")
          - net3.loss(X, Y3, "mse")) / gam
lam2 = float(np.sum(st_r.neurons.singular_values ** 2))
print(f"real first-order decrease       {slope:.6f}")
print(f"exact ReLU coefficient          {rf['exact']:.6f}   (= update {rf['delta_update']:.4f}"
      f" + relu part {rf['relu']:.4f})")
for s0 in (0.0, 0.5, 1.0):
    print(f"Eq. (10) with sigma'(0) = {s0:3.1f}    {s0 * lam2 + rf['delta_update']:.6f}")
assert np.isclose(slope, rf["exact"], rtol=1e-4)

# %% [markdown]
# ## 7. GradMax: function preserving, maximal fan-in gradient
#
# GradMax sets the fan-in to 0 and picks the fan-out among matrices with orthogonal columns of equal
# norm so that $\|\partial L/\partial w_{in}\|$ is largest: the top-$k$ left singular vectors of
# $G = V_{goal}^T B_{in}/n$ (Ky Fan). It ignores what the existing neurons can already do (no projection).

# %%
gm = gradmax_neurons(st3.B_in, st3.V_goal, 2, c=1.0)
best = fan_in_gradient_norm(st3.B_in, st3.V_goal, gm.w_out)
others = [fan_in_gradient_norm(st3.B_in, st3.V_goal, np.linalg.qr(rng.normal(size=(3, 2)))[0] / np.sqrt(2))
          for _ in range(200)]
print(f"GradMax fan-in gradient norm {best:.4f} >= best of 200 random orthogonal fan-outs {max(others):.4f}")
assert best >= max(others)
grown = net3.add_neurons(0, gm.w_in, gm.b_in, gm.w_out)
print("function unchanged bit for bit:", np.array_equal(grown.predict(X), net3.predict(X)))

# %% [markdown]
# ## 8. TINY vs GradMax vs Random growth
#
# Start from 1 hidden neuron on the 3-output problem, add one neuron every `dt` full-batch SGD steps.
# GradMax (literal, zero fan-in) neurons are dead in a ReLU network with ReLU'(0) = 0, so we use its
# `first_step` variant (documented in `refgrow.growth.gradmax`).

# %%
dt = 30 if QUICK else 150
target = 5 if QUICK else 9
runs = {}
for name, prop in {"TINY": propose_tiny,
                   "GradMax (first step)": functools.partial(propose_gradmax, fan_in="first_step"),
                   "Random": propose_random}.items():
    res = grow(MLP.init([2, 1, 3], rng=4), X, Y3, propose=prop, loss="mse", optimizer=SGD(0.05),
               target_width=target, epochs_between=dt, final_epochs=dt, rng=0)
    runs[name] = res.history.curve
    print(f"{name:<22} final train MSE {res.history.curve['train_loss'][-1]:.4f}  width {res.mlp.sizes[1]}")

fig, axes = plt().subplots(1, 2, figsize=(10, 3.4))
for name, c in runs.items():
    axes[0].plot(c["epoch"], c["train_loss"], label=name)
    axes[1].step(c["n_params"], c["train_loss"], where="post", label=name)
for ax, xl in zip(axes, ("SGD steps", "number of parameters")):
    ax.set_yscale("log"); ax.set_xlabel(xl); ax.set_ylabel("train MSE (log scale)"); ax.legend(fontsize=8)
fig.suptitle(f"TINY vs GradMax vs Random: one neuron every {dt} SGD steps, width 1 -> {target}", fontsize=10)
fig.tight_layout()
show(fig, "tiny_tutorial_growth.png", dpi=100)

# %% [markdown]
# The TINY curve drops at every growth step (its neurons are first-order optimal and the amplitude is
# chosen by a line search on the real loss, Eq. 14), GradMax's does not move at the growth step
# (function preserving) and Random's barely moves.
#
# ## Exercises
# 1. Duplicate every sample of `X` and recompute `best_update` and `new_neurons`. What changes? Why
#    (hint: every statistic is divided by $n$)?
# 2. Multiply `net.weights[0]` and `net.biases[0]` by 3 and `net.weights[1]` by 1/3. Show that the
#    function, $V_{goal}$ and the singular values are unchanged and that $\delta W^*$ is divided by 3 on
#    the hidden columns. Derive it from $B' = B\,\mathrm{diag}(3, 3, 1)$.
# 3. Use `new_neurons(..., max_neurons=1)` repeatedly (add one neuron, recompute) and compare with adding
#    two at once (Corollary 1 of the paper says they agree at first order).
# 4. Replace `"mse"` by `"ce"` on a classification set (e.g. `refgrow.datasets.two_spirals`) and redo
#    section 8. Which method gains accuracy at the growth steps themselves?
# 5. Set the activation to `"identity"` and check that the cross term of `first_order_decrease` vanishes.
#    Prove it from $\mathrm{span}(B) \subseteq \mathrm{span}(B_{in})$.

# %% [markdown]
# ## Checked exercises
#
# These come with an automatic checker that compares your code with refgrow to ~1e-10. Copy the
# exercise set once with `python -m refgrow exercises copy my_exercises`, fill in the stub, then run:
#
# * `python -m refgrow check tiny my_exercises/tiny.py` — v_goal, the best update and the new neurons of TINY (sections 2-5)
#
# The checker names the first quantity that differs and by how much.
