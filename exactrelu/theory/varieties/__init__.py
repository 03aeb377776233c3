"""Pattern and output varieties of ReLU networks (docs/mathematics.md H1-H3).

* :func:`pattern_variety` — parametrisation, certified dimension, expected dimension, defect and its reason, the
  rank-constraint minors, exact membership (:mod:`.variety`, :mod:`.dimension`, :mod:`.equations`);
* :func:`output_variety`, :func:`realizable` — the same on data blocks (:mod:`.output`);
* :func:`conjecture_evidence` — Gröbner evidence about AM's Conjecture 6.1 in tiny cases (:mod:`.groebner`);
* :func:`to_macaulay2`, :func:`to_sage`, :func:`to_latex` — exports (:mod:`.export`).
"""

from exactrelu.theory.varieties.equations import Membership
from exactrelu.theory.varieties.export import to_latex, to_macaulay2, to_sage
from exactrelu.theory.varieties.groebner import ConjectureEvidence, conjecture_evidence
from exactrelu.theory.varieties.output import OutputVariety, output_variety, realizable
from exactrelu.theory.varieties.patterns import pattern_sets
from exactrelu.theory.varieties.variety import PatternVariety, pattern_variety

__all__ = [
    "ConjectureEvidence",
    "Membership",
    "OutputVariety",
    "PatternVariety",
    "conjecture_evidence",
    "output_variety",
    "pattern_sets",
    "pattern_variety",
    "realizable",
    "to_latex",
    "to_macaulay2",
    "to_sage",
]
