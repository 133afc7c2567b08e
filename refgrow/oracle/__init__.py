"""refgrow as a correctness oracle: golden vectors and a checker for other implementations.

``python -m refgrow oracle export --out DIR`` writes language-neutral cases (a ``.json`` with exactly
round-tripping floats and a ``.npz`` per case, plus ``manifest.json``) for every pinned function of
DESIGN.md and the growth methods; ``python -m refgrow oracle check DIR --impl package.module:function``
runs another implementation on them and reports per case (pass/fail, max abs/rel deviation, the
convention hint that explains a known mismatch). See ``docs/oracle.md``.

Symbol table
------------
=============  =======================  ==================================================
symbol         code                     meaning
=============  =======================  ==================================================
case           :class:`cases.Case`      one function call: inputs, expected outputs, tolerances
function       ``case.function``        pinned name, e.g. ``"tiny.best_update"``
yours          ``impl``                 the implementation under test
refgrow        ``case.outputs``         expected outputs (flat names, e.g. ``"neurons.alpha"``)
=============  =======================  ==================================================
"""
from refgrow.oracle.cases import CONVENTIONS, OUTPUTS, REFERENCE, Case, as_network, build_cases
from refgrow.oracle.check import CaseResult, check, export, load_cases, load_impl, reference_impl

__all__ = ["export", "check", "load_cases", "load_impl", "reference_impl", "build_cases", "CaseResult", "Case",
           "CONVENTIONS", "OUTPUTS", "REFERENCE", "as_network"]
