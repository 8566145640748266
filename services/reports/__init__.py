"""Reports: rates with intervals, training needs, coaching effect, Pareto, control charts,
process sigma, charts and exports — pure functions over counts a query can fill."""
