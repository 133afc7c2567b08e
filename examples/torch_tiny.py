"""A PyTorch implementation of TINY's V_goal, best update, S, N and new neurons, checked with refgrow.

TINY [docs/references.md#tiny]: for hidden layer 0 of a one-hidden-layer network, with
``B_in = [X, 1]`` (input of the grown layer), ``B = [relu(hidden), 1]`` (input of the next layer) and
``V_goal = -d l_i / d a`` at the next layer's pre-activation (per sample, loss not averaged):

    dW = N_B^T S_B^+ (Prop. 3.1),  V_proj = V_goal - B dW^T,
    S = B_in^T B_in / n,  N = B_in^T V_proj / n,  S^{-1/2} N = U diag(lambda) V^T (Prop. 3.2),
    alpha_k = sqrt(lambda_k) S^{-1/2} u_k,  omega_k = sqrt(lambda_k) v_k.

The part after "the check" is all a user adds to their own test suite: build the refgrow MLP from the
torch weights (``nn.Linear.weight`` is already (out, in)), call ``tiny_step``, compare with
``refgrow.testing`` (which accepts the SVD sign and order of the neurons). Conventions to align
(docs/oracle.md): refgrow's per-sample MSE is ``(1/K) sum_k (f_k - y_k)^2``, so the torch loss summed over
samples is ``mse_loss(out, y, reduction="sum") / K``; refgrow's ``dW`` is *added* to the weights.

Run: ``python examples/torch_tiny.py`` (needs torch). It raises AssertionError if anything disagrees.
"""
import numpy as np
import torch


def torch_tiny(model, X, y):
    """TINY step for hidden layer 0 of ``model = Sequential(Linear, ReLU, Linear)`` in float64 torch."""
    lin1, act, lin2 = model
    n, K = X.shape[0], y.shape[1]
    hidden = act(lin1(X))
    hidden_leaf = hidden.detach().requires_grad_(False)
    a2 = lin2(hidden_leaf).detach().requires_grad_(True)              # pre-activation of layer 2
    loss = torch.nn.functional.mse_loss(a2, y, reduction="sum") / K   # sum over samples of (1/K) sum_k
    loss.backward()
    V_goal = -a2.grad                                                 # (n, K): -dl_i/da, per sample
    ones = torch.ones(n, 1, dtype=X.dtype)
    B_in = torch.cat([X, ones], 1)
    B = torch.cat([hidden_leaf, ones], 1)
    dW = torch.linalg.lstsq(B, V_goal).solution.T                     # Prop. 3.1 (B full rank here)
    V_proj = V_goal - B @ dW.T
    S, N = B_in.T @ B_in / n, B_in.T @ V_proj / n
    mu, Q = torch.linalg.eigh(S)
    S_inv_sqrt = Q @ torch.diag(mu ** -0.5) @ Q.T                     # S is positive definite here
    U, lam, Vh = torch.linalg.svd(S_inv_sqrt @ N, full_matrices=False)
    alpha = (S_inv_sqrt @ U * lam.sqrt()).T                           # (k, d_in + 1), bias last
    omega = Vh.T * lam.sqrt()                                         # (K, k)
    return {"V_goal": V_goal, "dW": dW, "S": S, "N": N, "alpha": alpha, "omega": omega, "lambda": lam}


def main():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3)).double()
    X = torch.randn(60, 4, dtype=torch.float64)
    y = torch.randn(60, 3, dtype=torch.float64)
    mine = {k: v.detach().numpy() for k, v in torch_tiny(model, X, y).items()}

    # ---- the check: five lines -------------------------------------------------------------------------
    from refgrow.growth.tiny import tiny_step
    from refgrow.mlp import MLP
    from refgrow.testing import assert_allclose_report, assert_neurons_equivalent
    net = MLP([m.weight.detach().numpy() for m in model[::2]], [m.bias.detach().numpy() for m in model[::2]])
    st = tiny_step(net, X.numpy(), y.numpy(), hidden_layer=0, loss="mse")
    assert_allclose_report(mine["V_goal"], st.V_goal, name="V_goal")
    assert_allclose_report(mine["dW"], st.dW, rtol=1e-8, atol=1e-12, name="dW")
    assert_allclose_report(mine["lambda"], st.neurons.singular_values, rtol=1e-8, name="singular values")
    assert_neurons_equivalent((mine["alpha"], mine["omega"]), st.neurons)   # up to SVD sign and order
    # -------------------------------------------------------------------------------------------------------
    S = st.B_in.T @ st.B_in / st.B_in.shape[0]
    assert_allclose_report(mine["S"], S, name="S")
    print(f"torch TINY agrees with refgrow: lambda = {np.round(st.neurons.singular_values, 6).tolist()}")


if __name__ == "__main__":
    main()
