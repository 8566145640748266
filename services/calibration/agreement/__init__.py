"""Agreement statistics for calibration, pure: they read plain rating data and return estimates.

Each returns an `Estimate`: the value, n (the units behind it) and a 95 % confidence interval.
"""

from services.calibration.agreement.alpha import krippendorff_alpha
from services.calibration.agreement.bias import bias, leaning
from services.calibration.agreement.chance_corrected import fleiss_kappa, gwet_ac, percent_agreement
from services.calibration.agreement.icc import icc
from services.calibration.agreement.items import Scale, item_agreement, machine_vs_expert
from services.calibration.agreement.ratings import (
    AgreementError,
    Estimate,
    Level,
    UndefinedStatistic,
    Value,
)
from services.calibration.agreement.weights import Weights

__all__ = [
    "AgreementError",
    "Estimate",
    "Level",
    "Scale",
    "UndefinedStatistic",
    "Value",
    "Weights",
    "bias",
    "fleiss_kappa",
    "gwet_ac",
    "icc",
    "item_agreement",
    "krippendorff_alpha",
    "leaning",
    "machine_vs_expert",
    "percent_agreement",
]
