"""Agreement statistics for calibration, pure: they read plain rating data and return estimates.

Each returns an `Estimate`: the value, n (the units behind it) and a 95 % confidence interval.
Session results are pooled over a rolling window before computing; each inspector's course over
sessions decides who is flagged for recalibration.
"""

from services.calibration.agreement.alpha import krippendorff_alpha
from services.calibration.agreement.bias import bias, leaning
from services.calibration.agreement.chance_corrected import fleiss_kappa, gwet_ac, percent_agreement
from services.calibration.agreement.drift import Recalibration, Standing, recalibration, series
from services.calibration.agreement.icc import icc
from services.calibration.agreement.items import Scale, item_agreement, machine_vs_expert
from services.calibration.agreement.pooling import InspectorPool, Pool, pool
from services.calibration.agreement.ratings import (
    AgreementError,
    Estimate,
    Level,
    UndefinedStatistic,
    Value,
)
from services.calibration.agreement.sessions import (
    Answer,
    Matrix,
    SessionResult,
    Total,
    against_expert,
    answers_against_expert,
    in_window,
    item_matrix,
    total_matrix,
)
from services.calibration.agreement.weights import Weights

__all__ = [
    "AgreementError",
    "Answer",
    "Estimate",
    "InspectorPool",
    "Level",
    "Matrix",
    "Pool",
    "Recalibration",
    "Scale",
    "SessionResult",
    "Standing",
    "Total",
    "UndefinedStatistic",
    "Value",
    "Weights",
    "against_expert",
    "answers_against_expert",
    "bias",
    "fleiss_kappa",
    "gwet_ac",
    "icc",
    "in_window",
    "item_agreement",
    "item_matrix",
    "krippendorff_alpha",
    "leaning",
    "machine_vs_expert",
    "percent_agreement",
    "pool",
    "recalibration",
    "series",
    "total_matrix",
]
