"""Package discovery: every package under hoquiz/, plus the bundled banks (decks/) as hoquiz.decks.

pyproject.toml holds the rest of the configuration; a static ``packages.find`` cannot
add a package that lives outside the hoquiz/ folder.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["hoquiz", "hoquiz.*"]), "hoquiz.decks"])
