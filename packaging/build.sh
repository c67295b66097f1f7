#!/usr/bin/env bash
# Build everything we distribute into dist/ (what `make package` runs):
#
#   dist/grpc_workbench-<version>.tar.gz          sdist
#   dist/grpc_workbench-<version>-py3-none-any.whl wheel (built from the sdist, as PyPI would)
#   dist/grpc-workbench/                          PyInstaller one-folder bundle, smoke-tested
#
#   packaging/build.sh [--no-bundle]
#
# The tools (build, PyInstaller) live in their own virtual environment, $PKGVENV
# (default build/package-venv), created on first use with $PYTHON (default python3), so the
# development .venv stays as it is. The bundle is built for the platform this runs on.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
PKGVENV=${PKGVENV:-build/package-venv}
PKGPY="$PKGVENV/bin/python"
PYINSTALLER_SPEC=${PYINSTALLER_SPEC:-pyinstaller>=6.10,<7}
BUNDLE=1
[[ "${1:-}" == "--no-bundle" ]] && BUNDLE=0

timed() {  # timed LABEL COMMAND...: run COMMAND, then print how long it took
    local label=$1 start=$SECONDS
    shift
    "$@"
    echo "package: $label took $((SECONDS - start)) s"
}

if [[ ! -x "$PKGPY" ]]; then
    timed "creating $PKGVENV" "$PYTHON" -m venv "$PKGVENV"
    "$PKGPY" -m pip install --quiet --upgrade pip
fi
"$PKGPY" -m pip install --quiet build "$PYINSTALLER_SPEC"

rm -rf dist build/pyinstaller
timed "sdist + wheel" "$PKGPY" -m build --outdir dist .
WHEEL=$(ls dist/grpc_workbench-*.whl)

if [[ $BUNDLE -eq 1 ]]; then
    # The app's dependencies (PySide6, grpcio, ...) for PyInstaller to collect; the app
    # itself is analysed from this checkout (the spec adds it to the path).
    timed "installing $WHEEL" "$PKGPY" -m pip install --quiet "$WHEEL"
    "$PKGPY" -m pip install --quiet --force-reinstall --no-deps "$WHEEL"
    timed "PyInstaller bundle" "$PKGPY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller packaging/workbench.spec
    timed "smoke test" packaging/smoke_test.sh dist/grpc-workbench
    echo "package: bundle size $(du -sh dist/grpc-workbench | cut -f1)"
fi
ls -l dist
