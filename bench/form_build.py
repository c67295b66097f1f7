"""Building the request form for a wide, deep message: lazy rows against eager ones.

Run with ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.form_build [--fields N]``.

The message type has N top-level fields (default 300), each an ``Inner`` message of 40
scalars with a recursive ``next`` field, so the full tree is unbounded. Figures, best of
several rounds, in the same run:

* lazy — what the request editor does: create the model, show it in the tree view, and
  open one field four levels deep;
* eager baseline — the same model with every row down to depth 3 created up front, which is
  roughly what a form that builds one widget per field would have to do.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from workbench.core.messages.dynamic import new_message
from workbench.core.schema.files import compile_proto_files
from workbench.core.schema.schema import Schema
from workbench.ui.form.form_model import FormModel
from workbench.ui.form.form_view import FormView
from workbench.ui.form.nodes import FormNode

_ROUNDS = 5
_EAGER_DEPTH = 3


def _schema(fields: int) -> Schema:
    inner = "\n".join(f"  int64 v{i} = {i};" for i in range(1, 41))
    outer = "\n".join(f"  Inner f{i} = {i};" for i in range(1, fields + 1))
    text = (
        'syntax = "proto3";\npackage bench;\n'
        f"message Inner {{\n{inner}\n  Inner next = 99;\n}}\n"
        f"message Wide {{\n{outer}\n}}\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "wide.proto").write_text(text)
        return Schema.from_file_descriptor_set(compile_proto_files(["wide.proto"], [tmp]))


def _lazy(schema: Schema, app: QApplication) -> tuple[float, int]:
    start = time.perf_counter()
    model = FormModel(new_message(schema.message("bench.Wide")), schema=schema)
    view = FormView()
    view.setModel(model)
    view.resize(900, 700)
    view.show()
    app.processEvents()
    deep = model.find("f150.next.next.next.v7")
    view.scrollTo(deep)
    app.processEvents()
    elapsed = time.perf_counter() - start
    rows = sum(1 for _ in model.walk())
    view.close()
    return elapsed, rows


def _eager(schema: Schema) -> tuple[float, int]:
    start = time.perf_counter()
    model = FormModel(new_message(schema.message("bench.Wide")), schema=schema)

    def fill(node: FormNode, depth: int) -> None:
        if depth == _EAGER_DEPTH:
            return
        for child in model.ensure_children(node):
            fill(child, depth + 1)

    fill(model.node(model.index(-1, -1)), 0)
    elapsed = time.perf_counter() - start
    return elapsed, sum(1 for _ in model.walk())


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fields", type=int, default=300)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    schema = _schema(args.fields)
    lazy = min(_lazy(schema, app) for _ in range(_ROUNDS))
    eager = min(_eager(schema) for _ in range(_ROUNDS))
    print(f"form for a message of {args.fields} message fields (best of {_ROUNDS}):")
    for label, (seconds, rows) in (
        ("lazy (shown, one field 4 deep opened)", lazy),
        (f"eager to depth {_EAGER_DEPTH} (baseline)", eager),
    ):
        print(f"  {label:<40} {seconds * 1000:8.1f} ms  {rows:>7} rows")


if __name__ == "__main__":
    main()
