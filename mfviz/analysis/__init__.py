"""Analyses of trained factors: neighbours (cosine vs dot), projections, spectra, principal dimensions, popularity
bias, fold-in."""

from mfviz.analysis.axes import axis_direction, cosines_with, genre_groups, group_shares, taste_axis
from mfviz.analysis.dimensions import (
    Dimensions,
    coordinates_table,
    describe_dimensions,
    dimension_ends,
    end_names,
    genre_loadings,
    principal_dimensions,
)
from mfviz.analysis.export import recommendation_table
from mfviz.analysis.foldin import profile_contributions, recommend_for_profile
from mfviz.analysis.neighbours import (
    NeighbourComparison,
    NeighbourIndex,
    compare_neighbours,
    exact_search,
    neighbour_agreement,
    neighbour_popularity_summary,
)
from mfviz.analysis.popularity import (
    PopularityReport,
    bias_table,
    gini,
    long_tail_curve,
    popularity_report,
)
from mfviz.analysis.projection import (
    Projection,
    map_neighbours,
    neighbourhood_preservation,
    project,
    projection_table,
    warm_up,
)
from mfviz.analysis.spectrum import Spectrum, data_spectrum, model_spectrum

__all__ = [
    "Dimensions",
    "NeighbourComparison",
    "NeighbourIndex",
    "PopularityReport",
    "Projection",
    "Spectrum",
    "axis_direction",
    "bias_table",
    "compare_neighbours",
    "coordinates_table",
    "cosines_with",
    "data_spectrum",
    "describe_dimensions",
    "dimension_ends",
    "end_names",
    "exact_search",
    "genre_groups",
    "genre_loadings",
    "gini",
    "group_shares",
    "long_tail_curve",
    "map_neighbours",
    "model_spectrum",
    "neighbour_agreement",
    "neighbour_popularity_summary",
    "neighbourhood_preservation",
    "popularity_report",
    "principal_dimensions",
    "profile_contributions",
    "project",
    "projection_table",
    "recommend_for_profile",
    "recommendation_table",
    "taste_axis",
    "warm_up",
]
