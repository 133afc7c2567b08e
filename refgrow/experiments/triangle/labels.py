"""Labels of the training types and the published numbers of the triangle paper
[docs/references.md#triangle] (Tables 1-3, Sec. 5 / App. A.9), shared by tables, figures and Sec. 5.

Symbol table: ``PAPER[table][type][target] = (min, mean)`` of the final MSE (Table 3: test MSE,
mean not printed); ``PAPER_NONCONVEX[task]`` the losses quoted in Sec. 5 / App. A.9.
"""
from __future__ import annotations

__all__ = ["TYPES", "LABELS", "PAPER", "NONCONVEX_LABELS", "PAPER_NONCONVEX"]

TYPES = ("default", "raai", "skipped", "not_enforced", "enforced")
LABELS = {
    "default": "Default Network (Kaiming)",
    "raai": "RAAI Distribution (approx.)",
    "skipped": "Pretraining Skipped",
    "not_enforced": "Differentiability Not Enforced",
    "enforced": "Differentiability Enforced",
}
PAPER = {  # Tables 1-3 of the paper: (min, mean) per target
    "table1": {
        "default": {"x3": (2.11e-5, 7.20e-2), "x11": (2.19e-5, 2.82e-2)},
        "raai": {"x3": (2.14e-5, 3.97e-2), "x11": (4.40e-5, 4.12e-2)},
        "skipped": {"x3": (7.63e-7, 3.89e-5), "x11": (1.86e-5, 3.56e-4)},
        "not_enforced": {"x3": (1.64e-7, 1.02e-5), "x11": (3.20e-6, 3.73e-5)},
        "enforced": {"x3": (7.86e-8, 5.27e-7), "x11": (8.86e-7, 7.87e-6)},
    },
    "table2": {
        "default": {"sin": (4.50e-5, 1.15e-1), "tanh3x": (5.75e-5, 1.96e-1)},
        "raai": {"sin": (3.59e-5, 3.63e-2), "tanh3x": (1.09e-5, 2.31e-2)},
        "skipped": {"sin": (1.96e-7, 1.93e-5), "tanh3x": (1.07e-6, 8.38e-5)},
        "not_enforced": {"sin": (4.41e-8, 1.47e-5), "tanh3x": (1.49e-7, 3.81e-4)},
        "enforced": {"sin": (5.06e-8, 2.21e-7), "tanh3x": (6.82e-8, 8.42e-7)},
    },
    "table3": {
        "default": {"x3": (2.41e-4, None), "x11": (2.14e-3, None), "sin": (2.27e-5, None),
                    "tanh3x": (1.60e-4, None)},
        "enforced": {"x3": (5.65e-6, None), "x11": (6.53e-4, None), "sin": (7.92e-7, None),
                     "tanh3x": (5.09e-6, None)},
    },
}




NONCONVEX_LABELS = {
    "ours_pretrained": "ours, after pretraining (blocks)",
    "ours_dense": "ours, then dense raw training",
    "ours_block": "ours, then block-diagonal raw training",
    "kaiming_dense": "Kaiming dense (standard net)",
    "kaiming_block": "Kaiming block-diagonal",
}
PAPER_NONCONVEX = {"x3-x": {"ours": 4e-7, "standard 8x5": 8e-6},
                   "r3": {"ours": 3.5e-6, "standard 8x5": 1.5e-4},
                   "spirals (CE)": {"ours block-diag": 0.0032, "Kaiming block-diag": 0.63}}
