#!/usr/bin/env python3
"""Runs the code cells of a Jupyter notebook in order with plain Python, so
CI can check a notebook against a fixture database without Jupyter.
Usage: run-notebook.py NOTEBOOK.ipynb  (environment variables pass through)"""
import json
import sys

nb = json.load(open(sys.argv[1]))
scope = {"__name__": "__main__"}
for i, cell in enumerate(nb["cells"]):
    if cell["cell_type"] != "code":
        continue
    src = "".join(cell["source"])
    exec(compile(src, f"{sys.argv[1]}[cell {i}]", "exec"), scope)
