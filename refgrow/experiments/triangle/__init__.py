r"""Triangle-paper experiments [docs/references.md#triangle]: Tables 1-3 (Sec. 4) and the Sec. 5 / App. A.9
extensions.

``python -m refgrow reproduce triangle-table1 | triangle-table2 | triangle-table3 | triangle-nonconvex``
with ``--seeds``, ``--epochs``, ``--quick``, ``--out``.

Protocol (Sec. 4.1): networks 1-4-4-4-4-4-1 (five hidden layers, so six peaks), MSE, Adam with
learning rate 1e-3, 30 seeds, 500 evenly spaced points on [0, 1]; reparameterised types share the
starting peaks of each seed; pretraining 1000 epochs, then 1000 epochs on the raw weights with a
fresh Adam state (App. A.9). Table entries are the minimum and mean over seeds of the final training
MSE (Tables 1-2) or of the test MSE on the sparse split (Table 3).

Every run of a table is trained at once: parameters carry a leading "run" axis (seeds x targets),
forward/backward are batched matrix products, Adam is elementwise, so R runs cost about one run's
Python overhead.

Interpretation notes
--------------------
* **Epoch = one full-batch step.** The paper does not give a batch size; 500 points are one batch
  here (``--batch-size`` gives minibatches instead).
* **Baselines get the paper's 1000 epochs.** "All models are trained ... for 1,000 epochs"; the
  pretrained types run 1000 pretraining + 1000 weight epochs (App. A.1). ``--baseline-epochs`` changes
  the baselines' (and "pretraining skipped"'s) budget, e.g. to 2000 for equal step counts.
* **RAAI** is the anti-correlated approximation documented in :func:`refgrow.triangle.raai_init`
  and is printed as "RAAI (approx.)".
* **Collapsed networks.** A run is counted as collapsed when some hidden layer is zero on every
  training input at the end (the dying-ReLU failure of Sec. 4.2); the count is printed beside the table.

Modules: :mod:`~refgrow.experiments.triangle.labels` (published numbers, labels),
:mod:`~refgrow.experiments.triangle.tables` (protocol, Tables 1-3), :mod:`~refgrow.experiments.triangle.nonconvex`
(Sec. 5), :mod:`~refgrow.experiments.triangle.figures` (figure analogues).
"""
from __future__ import annotations

from refgrow.experiments.triangle.labels import LABELS, NONCONVEX_LABELS, PAPER, PAPER_NONCONVEX, TYPES
from refgrow.experiments.triangle.nonconvex import nonconvex, nonconvex_runs
from refgrow.experiments.triangle.tables import format_table, run_protocol, table1, table2, table3, train_raw

__all__ = ["table1", "table2", "table3", "nonconvex", "run_protocol", "train_raw", "format_table",
           "nonconvex_runs", "TYPES", "LABELS", "PAPER", "NONCONVEX_LABELS", "PAPER_NONCONVEX"]
