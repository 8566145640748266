"""The C extension of keyword search (services/scoring/rules/_keyword_search.c); the rest of the
build is declared in pyproject.toml.

It is optional: where it cannot be compiled (no C compiler), the install goes on and keyword
search runs on pyahocorasick instead (services/scoring/rules/keywords.py).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "services.scoring.rules._keyword_search",
            ["services/scoring/rules/_keyword_search.c"],
            optional=True,
        )
    ]
)
