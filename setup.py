"""Only what pyproject.toml cannot say: the top-level resources/ folder ships inside the package as
``netbuilder/resources`` (datasets, example designs, icons), so an installed netbuilder finds them."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["netbuilder", "netbuilder.*"]) + ["netbuilder.resources"],
    package_dir={"netbuilder.resources": "resources"},
    package_data={"netbuilder.resources": ["**/*"]},
    include_package_data=False,
)
