"""TINY: expressivity bottlenecks and optimal new neurons (TINY [docs/references.md#tiny]).

* :mod:`refgrow.growth.tiny.linalg`: the mathematics on activity matrices (Props. 3.1, 3.2, 3.4, Def. 3.1).
* :mod:`refgrow.growth.tiny.spectrum`: the pseudo-inverse thresholds at the float64 noise level.
* :mod:`refgrow.growth.tiny.first_order`: the first-order loss decrease (Prop. 3.3, Eq. 19).
* :mod:`refgrow.growth.tiny.network`: its use on an MLP (``tiny_step``, ``apply_tiny``, ``propose_tiny``).

Every name that ``refgrow.growth.tiny`` had as a single module is re-exported here; ``v_goal``,
``amplitude_loss`` and ``line_search`` live in :mod:`refgrow.growth.proposals` (shared by every method).
"""
from __future__ import annotations

from refgrow.growth.proposals import amplitude_loss, line_search, v_goal
from refgrow.growth.tiny.first_order import first_order_decrease, linearised_move, relu_first_order
from refgrow.growth.tiny.linalg import (DISCARD_WARN_RTOL, GRAM_MIN_RATIO, RTOL, SV_RTOL, TinyNeurons,
                                        best_update, default_rtol, expressivity_bottleneck,
                                        new_neurons, new_neurons_geig, pinv_sqrt, projected_goal, second_moments,
                                        tiny_from_activations, with_ones)
from refgrow.growth.tiny.network import TinyStep, apply_tiny, propose_tiny, tiny_step

__all__ = [
    "RTOL", "SV_RTOL", "DISCARD_WARN_RTOL", "GRAM_MIN_RATIO", "default_rtol", "TinyNeurons", "TinyStep", "with_ones", "second_moments", "pinv_sqrt",
    "best_update", "projected_goal", "expressivity_bottleneck", "new_neurons", "new_neurons_geig",
    "linearised_move", "first_order_decrease", "relu_first_order", "v_goal", "tiny_step",
    "tiny_from_activations", "amplitude_loss",
    "apply_tiny", "line_search", "propose_tiny",
]
