"""Growth methods. Every method returns the same :class:`NewNeurons` record.

Layout (one concern per module; no method imports another, shared pieces live in
:mod:`refgrow.growth.proposals`):

==============================  ==============================================================
module                          contents
==============================  ==============================================================
``growth.proposals``            ``NewNeurons``, ``apply_proposal``, ``v_goal``, amplitude line
                                search (TINY Eq. 14)
``growth.tiny.linalg``          TINY Props. 3.1, 3.2, 3.4, Def. 3.1 on activity matrices
``growth.tiny.first_order``     TINY Prop. 3.3 (first-order decrease), Eq. 19
``growth.tiny.network``         TINY on an MLP: ``tiny_step``, ``apply_tiny``, ``propose_tiny``
``growth.gradmax``              GradMax (TINY App. B.1)
``growth.random_neurons``       Random baseline / completed-TINY auxiliary (TINY Sec. 5.2)
``growth.folding.mistakes``     typical mistakes (folding Def. 4)
``growth.folding.fold``         fold objective, sphere ascent, fold neuron (Thm. 3, Alg. 1)
``growth.folding.regularizer``  fold-hyperplane regulariser (Def. 5)
``growth.folding.grow``         fine-tuning, the folding growth driver and its records
``growth.loop``                 one growth loop for every ``propose`` function
==============================  ==============================================================

Symbol table
------------
==========  ============  ================  =============================================
paper       code          shape             meaning
==========  ============  ================  =============================================
alpha       ``w_in``      (k, d_prev)       fan-in weights of the k new neurons
(bias)      ``b_in``      (k,)              biases of the new neurons
omega       ``w_out``     (d_next, k)       fan-out weights of the new neurons
==========  ============  ================  =============================================

Apply a proposal with :func:`refgrow.growth.proposals.apply_proposal` (``hidden_layer`` is 0-based;
see :meth:`refgrow.mlp.MLP.add_neurons`).
"""
from __future__ import annotations

from refgrow.growth.proposals import NewNeurons

__all__ = ["NewNeurons"]
