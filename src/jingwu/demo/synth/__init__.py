"""A framework-free, deterministic synthetic county generator (no Django here).

    from jingwu.demo.synth import generate_county
    county = generate_county(seed=2019, index=0)

See README.md in this folder for what is generated and how the reform's facts are
encoded.
"""

from .county import county_digest, generate_county, region_code_for
from .model import County, IncidentColumns, OfficerSpec, PostingSpec, PremisesSpec, SeriesSpec, UnitSpec

__all__ = [
    "County",
    "IncidentColumns",
    "OfficerSpec",
    "PostingSpec",
    "PremisesSpec",
    "SeriesSpec",
    "UnitSpec",
    "county_digest",
    "generate_county",
    "region_code_for",
]
