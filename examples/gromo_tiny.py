"""gromo's TINY statistics and new neurons checked against refgrow (runs only when gromo is installed).

gromo (``pip install gromo``, PyTorch) implements TINY [docs/references.md#tiny] in its
``GrowingMLP``/``LinearGrowingModule``. Its conventions against refgrow's (docs/oracle.md, all
measured here):

* ``tensor_n`` equals refgrow's ``N = B_in^T V_goal_proj / n`` (same (d_in + 1, d_out) layout, bias row last);
* ``optimal_delta_layer`` is **minus** refgrow's ``dW`` (gromo subtracts its update);
* ``eigenvalues_extension`` are refgrow's singular values ``lambda``;
* the new neurons (``extended_output_layer`` of the previous layer = alpha, ``extended_input_layer`` =
  omega) equal refgrow's up to the SVD sign (refgrow makes the largest-|omega| entry positive);
* ``first_order_improvement`` equals ``first_order_decrease(...)["paper"]`` (Eq. 10 with sigma'(0) = 1);
* the loss must be summed over samples with refgrow's per-sample MSE: ``mse_loss(reduction="sum") / K``.

Run: ``python examples/gromo_tiny.py``. It raises AssertionError if anything disagrees.
"""
import numpy as np
import torch


def main():
    from gromo.containers.growing_mlp import GrowingMLP

    torch.manual_seed(0)
    model = GrowingMLP(4, 3, hidden_size=5, number_hidden_layers=1, activation=torch.nn.Tanh()).double()
    X, y = torch.randn(60, 4, dtype=torch.float64), torch.randn(60, 3, dtype=torch.float64)
    model.init_computation()
    loss = torch.nn.functional.mse_loss(model(X), y, reduction="sum") / y.shape[1]   # refgrow's per-sample MSE
    loss.backward()
    model.update_computation()
    model.compute_optimal_updates(dtype=torch.float64)
    prev, layer = model.layers[0], model.layers[1]

    def cat(lin):
        return torch.cat([lin.weight, lin.bias[:, None]], 1).detach().numpy()

    # ---- the check ----------------------------------------------------------------------------------------
    from refgrow.growth.tiny import first_order_decrease, tiny_step
    from refgrow.mlp import MLP
    from refgrow.testing import assert_allclose_report, assert_neurons_equivalent
    net = MLP([m.weight.detach().numpy() for m in model.layers], [m.bias.detach().numpy() for m in model.layers],
              activation="tanh")
    st = tiny_step(net, X.numpy(), y.numpy(), hidden_layer=0, loss="mse")
    n = X.shape[0]
    assert_allclose_report(layer.tensor_n.detach().numpy(), st.B_in.T @ st.V_goal_proj / n, rtol=1e-8, name="N")
    assert_allclose_report(-cat(layer.optimal_delta_layer), st.dW, rtol=1e-8, atol=1e-12, name="-dW (gromo subtracts)")
    assert_allclose_report(layer.eigenvalues_extension.detach().numpy(), st.neurons.singular_values, rtol=1e-8,
                           name="lambda")
    assert_neurons_equivalent((cat(prev.extended_output_layer), layer.extended_input_layer.weight.detach().numpy()),
                              st.neurons)
    fo = first_order_decrease(st.V_goal, st.B, st.dW, st.B_in, st.neurons)
    assert_allclose_report(float(layer.first_order_improvement), fo["paper"], rtol=1e-8, name="first-order improvement")
    # -------------------------------------------------------------------------------------------------------
    print(f"gromo TINY agrees with refgrow: lambda = {np.round(st.neurons.singular_values, 6).tolist()}, "
          f"first-order improvement {fo['paper']:.6g}")


def probe():
    """Issue 9's ill-conditioned probe (inputs scaled by 0.01): gromo (Gram-based, its thresholds lowered to keep
    every direction) and refgrow's default agree on lambda to ~1e-6 of lambda_1; refgrow's former 1e-10
    threshold was off by ~70 % on lambda_1 here."""
    from gromo.containers.growing_mlp import GrowingMLP

    from refgrow.growth.tiny import tiny_step
    from refgrow.mlp import MLP
    from refgrow.testing import assert_allclose_report
    torch.manual_seed(0)
    model = GrowingMLP(4, 3, hidden_size=5, number_hidden_layers=1, activation=torch.nn.Tanh()).double()
    X = torch.from_numpy(np.random.default_rng(1).standard_normal((100, 4)) * 0.01)
    with torch.no_grad():
        out = model(X)
    y = out + torch.from_numpy(np.random.default_rng(2).standard_normal(tuple(out.shape)))
    model.init_computation()
    (torch.nn.functional.mse_loss(model(X), y, reduction="sum") / 3).backward()
    model.update_computation()
    model.compute_optimal_updates(dtype=torch.float64, statistical_threshold=1e-8, numerical_threshold=1e-15)
    lam_gromo = model.layers[1].eigenvalues_extension.detach().numpy()
    net = MLP([m.weight.detach().numpy() for m in model.layers], [m.bias.detach().numpy() for m in model.layers],
              activation="tanh")
    lam = tiny_step(net, X.numpy(), y.numpy(), hidden_layer=0, loss="mse").neurons.singular_values
    assert_allclose_report(lam_gromo, lam, rtol=0, atol=1e-5 * lam[0], name="lambda on the ill-conditioned probe")
    print(f"probe: gromo and refgrow agree, max |d lambda| / lambda_1 = {np.abs(lam_gromo - lam).max() / lam[0]:.1e}")


if __name__ == "__main__":
    main()
    probe()
