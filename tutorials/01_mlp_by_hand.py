# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Tutorial 01 — A ReLU MLP by hand: forward, backward, gradient check, linear regions
#
# **Learning goals.** After this tutorial you can
# 1. write the forward pass of a ReLU MLP as the papers do, $z_l = W_l a_l + b_l$, $a_{l+1} = \sigma(z_l)$,
#    with refgrow's conventions (rows are samples, weights are (out, in));
# 2. derive and code the backward pass layer by layer and **check it** with centred finite differences;
# 3. read off the *activation pattern* of an input and the *local affine map* $f(x') = A x' + c$ that the
#    network is on that input's linear region (the "activated linear segment" of the folding slides);
# 4. see that a ReLU network cuts its input space into linear regions.
#
# Everything is float64 NumPy.
#
# **Follows** the conventions shared by all four papers (no single paper section); the data is the
# two-sine set of the folding paper, Sec. 4 [[docs/references.md#folding]](../docs/references.md#folding).
#
# Run it as a script (`python tutorials/01_mlp_by_hand.py`) or as a notebook (`python -m refgrow notebooks
# --execute 01`, the `notebooks` extra); `REFGROW_QUICK=1` (`--quick`) makes it fast. Figures go
# to `out/figures` (or `$REFGROW_FIGURES`); the gallery copies are listed in `figures/README.md`.

# %%
import os

import numpy as np

from refgrow.datasets import two_sines
from refgrow.gradcheck import numerical_gradient, rel_error
from refgrow.losses import softmax_cross_entropy
from refgrow.mlp import MLP
from refgrow.optim import Adam
from refgrow.plotting import decision_regions, figure_dir, plt, show
from refgrow.train import train

QUICK = bool(os.environ.get("REFGROW_QUICK"))
print("figures are written to", figure_dir(), "($REFGROW_FIGURES, else out/figures)")
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Forward pass
#
# Symbols (one alphabet for shapes: $n$ samples, $D$ inputs, $h$ hidden units, $K$ outputs):
#
# | paper | code | shape |
# |---|---|---|
# | $x$ | `X` | (n, D), one sample per row |
# | $W_0, b_0$ | `W0, b0` | (h, D), (h,) |
# | $z_0 = W_0 x + b_0$ | `Z0 = X @ W0.T + b0` | (n, h) |
# | $a_1 = \mathrm{ReLU}(z_0)$ | `A1 = np.maximum(Z0, 0)` | (n, h) |
# | $f(x) = W_1 a_1 + b_1$ | `F = A1 @ W1.T + b1` | (n, K) |
#
# Because rows are samples, the paper's column formula $W x + b$ becomes `X @ W.T + b` for all samples at once.

# %%
D, h, K, n = 2, 8, 2, 6
net = MLP.init([D, h, K], rng=rng)                 # He-normal weights: N(0, 2/fan_in)
W0, b0, W1, b1 = net.parameters()
X = rng.normal(size=(n, D))
y = rng.integers(0, K, size=n)

Z0 = X @ W0.T + b0                                 # z_0 = W_0 x + b_0
A1 = np.maximum(Z0, 0.0)                           # a_1 = ReLU(z_0)
F = A1 @ W1.T + b1                                 # f(x) = W_1 a_1 + b_1
out, cache = net.forward(X)
print("by hand == refgrow:", np.array_equal(F, out))
assert np.allclose(F, out, rtol=1e-14, atol=1e-15)

# %% [markdown]
# ## 2. Loss and backward pass
#
# Softmax cross-entropy, averaged over the batch: $L = \frac1n\sum_i \ell_i$,
# $\ell_i = -\log \mathrm{softmax}(f_i)_{y_i}$, and $\partial \ell_i / \partial f_i = \mathrm{softmax}(f_i) - e_{y_i}$.
#
# The chain rule, from the output down (with $\delta_l = \partial L/\partial z_l$):
#
# $$\delta_1 = \frac{\partial L}{\partial f},\quad
# \frac{\partial L}{\partial W_1} = \delta_1^\top a_1,\quad \frac{\partial L}{\partial b_1} = \textstyle\sum_i \delta_{1,i},\quad
# \frac{\partial L}{\partial a_1} = \delta_1 W_1,$$
# $$\delta_0 = \frac{\partial L}{\partial a_1} \odot \mathbb 1[z_0 > 0],\quad
# \frac{\partial L}{\partial W_0} = \delta_0^\top x,\quad \frac{\partial L}{\partial x} = \delta_0 W_0 .$$
#
# ReLU is not differentiable at 0; refgrow uses ReLU'(0) = 0, like PyTorch.

# %%
L, dF = softmax_cross_entropy(F, y)                # dF = (softmax(F) - onehot(y)) / n
d1 = dF
dW1, db1 = d1.T @ A1, d1.sum(axis=0)
dA1 = d1 @ W1
d0 = dA1 * (Z0 > 0)
dW0, db0, dX = d0.T @ X, d0.sum(axis=0), d0 @ W0

g = net.backward(cache, dF)
for name, mine, ref in [("dW0", dW0, g.weights[0]), ("db0", db0, g.biases[0]),
                        ("dW1", dW1, g.weights[1]), ("db1", db1, g.biases[1]), ("dX", dX, g.inputs)]:
    print(f"{name}: shape {mine.shape}, max |by hand - refgrow| = {np.abs(mine - ref).max():.1e}")
    assert np.allclose(mine, ref, rtol=1e-13, atol=1e-15)

# %% [markdown]
# ## 3. A gradient check you can run
#
# Centred finite differences approximate each partial derivative with error $O(\varepsilon^2)$:
# $\partial L/\partial \theta_j \approx (L(\theta + \varepsilon e_j) - L(\theta - \varepsilon e_j)) / 2\varepsilon$.
# For a ReLU network this is valid as long as no pre-activation is within $\varepsilon$ of 0 (there the
# function has a kink). We compare with the norm-wise relative error $\|a-b\| / \max(\|a\|, \|b\|)$.

# %%
def loss_now():
    return softmax_cross_entropy(net.forward(X)[0], y)[0]


print("closest pre-activation to a kink:", np.abs(Z0).min())
for name, param, grad in [("W0", W0, dW0), ("b0", b0, db0), ("W1", W1, dW1), ("b1", b1, db1), ("X", X, dX)]:
    err = rel_error(grad, numerical_gradient(loss_now, param, eps=1e-6))
    print(f"relative error {name}: {err:.2e}")
    assert err < 1e-6

# %% [markdown]
# ## 4. Train on the two-sine data set (paper 002, Sec. 4)

# %%
data = two_sines(400, rng=rng)
net = MLP.init([2, 8, 2], rng=rng)
hist = train(net, *data, optimizer=Adam(1e-2), epochs=150 if QUICK else 600, record_initial=True)
print(f"loss {hist.train_loss[0]:.3f} -> {hist.train_loss[-1]:.3f}, accuracy {hist.train_acc[-1]:.3f}")
assert hist.train_loss[-1] < hist.train_loss[0]

# %% [markdown]
# ## 5. Activation pattern and the local affine map of one input
#
# For an input $x$, the **activation pattern** is the 0/1 vector $d = \mathbb 1[z_0(x) > 0]$. On the set of
# inputs sharing that pattern (the *linear region* of $x$), ReLU acts as multiplication by
# $\mathrm{diag}(d)$, so the whole network is one affine map:
#
# $$f(x') = W_1\,\mathrm{diag}(d)\,(W_0 x' + b_0) + b_1 = A x' + c,\quad
# A = W_1 \mathrm{diag}(d) W_0 \in \mathbb R^{K\times D},\quad c = W_1 \mathrm{diag}(d)\, b_0 + b_1 .$$
#
# (For deeper nets multiply one $W_l\,\mathrm{diag}(d_l)$ per layer; `refgrow.geometry.local_affine_map`
# does this for any depth.)

# %%
x = data.X[0]
W0, b0, W1, b1 = net.parameters()
d = (W0 @ x + b0 > 0).astype(float)                # activation pattern of x
A = W1 @ (d[:, None] * W0)                         # A = W_1 diag(d) W_0
c = W1 @ (d * b0) + b1                             # c = W_1 diag(d) b_0 + b_1
print("pattern:", d.astype(int), " A =", np.round(A, 3).tolist(), " c =", np.round(c, 3))

# points near x with the same pattern get exactly A x' + c
near = x + 1e-3 * rng.normal(size=(50, 2))
same = np.all(net.activation_patterns(near)[0] == d.astype(bool), axis=1)
err = np.abs(net.predict(near[same]) - (near[same] @ A.T + c)).max()
print(f"{same.sum()} of 50 nearby points share the pattern; max |f(x') - (A x' + c)| = {err:.1e}")
assert err < 1e-12

# %% [markdown]
# ## 6. Picture: linear regions and the decision boundary
#
# Colour every point of a grid by its activation pattern: each colour is one linear region, on which the
# network is affine. The decision boundary (black) is piecewise linear, bending only where it crosses from
# one region to another. The red star is $x$; its region is outlined.

# %%
g1, g2 = np.meshgrid(np.linspace(-4, 4, 250), np.linspace(-3, 3, 250))
grid = np.column_stack([g1.ravel(), g2.ravel()])
pats = net.activation_patterns(grid)[0]
_, region_id = np.unique(np.packbits(pats, axis=1), axis=0, return_inverse=True)
region_id = region_id.reshape(g1.shape)
print("linear regions visible on the grid:", region_id.max() + 1)

fig, axes = plt().subplots(1, 2, figsize=(11, 4))
axes[0].pcolormesh(g1, g2, region_id, cmap="tab20", shading="auto")
mine = np.all(pats == d.astype(bool), axis=1).reshape(g1.shape)
axes[0].contour(g1, g2, mine.astype(float), levels=[0.5], colors="r")
axes[0].plot(*x, "r*", ms=14)
axes[0].set_title("linear regions (colours) and the region of x (red)")
axes[0].set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
decision_regions(net, data.X, data.y, ax=axes[1], title="decision regions after training")
show(fig, "01_linear_regions.png", dpi=120)

# %% [markdown]
# ## Exercises
#
# 1. Add a second hidden layer (`MLP.init([2, 8, 8, 2])`) and extend the by-hand backward of section 2.
#    Check it against `net.backward` and with finite differences.
# 2. Replace the cross-entropy by `refgrow.losses.mse` with one-hot targets. Which line of the backward
#    changes, and why does nothing else?
# 3. Put one pre-activation exactly at 0 (choose `b0`) and run the gradient check with
#    `eps=1e-6`. Explain the error you see, and why ReLU'(0) = 0 is a convention, not a fact.
# 4. For a 3-layer network write $A$ and $c$ of the local affine map as products, then compare with
#    `refgrow.geometry.local_affine_map`.
# 5. How does the number of linear regions on the grid grow with the hidden width (4, 8, 16, 32)?

# %% [markdown]
# ## Checked exercises
#
# These come with an automatic checker that compares your code with refgrow to ~1e-10. Copy the
# exercise set once with `python -m refgrow exercises copy my_exercises`, fill in the stub, then run:
#
# * `python -m refgrow check affine_relu my_exercises/affine_relu.py` — the affine layer and ReLU forward/backward of sections 1-2
# * `python -m refgrow check softmax_ce my_exercises/softmax_ce.py` — softmax cross-entropy and its gradient (section 2)
#
# The checker names the first quantity that differs and by how much.
