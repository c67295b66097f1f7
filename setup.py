"""Package list for setuptools; everything else is in pyproject.toml.

The demo .proto files and the icons/themes live at the top of the repository (``protos/``,
``resources/``) and ship inside the wheel as the data-only packages ``workbench._protos`` and
``workbench._resources``, which ``packages.find`` in pyproject.toml cannot express.
"""

from setuptools import find_namespace_packages, find_packages, setup

DATA_DIRS = {"workbench._protos": "protos", "workbench._resources": "resources"}


def data_packages(package: str, directory: str) -> list[str]:
    """``package`` and every folder below ``directory`` as its subpackage."""
    return [package] + [f"{package}.{sub}" for sub in find_namespace_packages(where=directory)]


setup(
    packages=[
        *find_packages(include=["workbench", "workbench.*"]),
        *(p for package, directory in DATA_DIRS.items() for p in data_packages(package, directory)),
    ],
    package_dir=DATA_DIRS,
)
