"""
Speed against scikit-learn and SPAMS
====================================

The medians of the last full ``cargo xtask bench`` run, read from its JSON
report (``docs/bench/report.json``): for each coding and learning task,
how many times longer scikit-learn and SPAMS took than sparsecode on the
same machine, both sides timed in one run.
"""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

here = Path(__file__).resolve().parent if "__file__" in globals() else Path.cwd()
report = json.loads((here.parent / "bench" / "report.json").read_text())
machine = report["machine"]
print(f"measured on {report['date']}, {machine['cpu']}, {machine['cores']} cores")

rows = []
for case in report["coding"] + report["learning"]:
    label = case["label"] + (f" ({case['precision']})" if "precision" in case else "")
    ours = case["ours"]["median"]
    # An anchor not run (or failed) in that report has no median: no bar.
    theirs = [(case.get(a) or {}).get("median") for a in ("spams", "sklearn")]
    rows.append((label, *(np.nan if t is None else t / ours for t in theirs)))

fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.2))
y = np.arange(len(rows))
ax.barh(y - 0.2, [r[1] for r in rows], 0.4, label="SPAMS")
ax.barh(y + 0.2, [r[2] for r in rows], 0.4, label="scikit-learn")
ax.set_yticks(y, [r[0] for r in rows], fontsize=8)
ax.set_xscale("log")
ax.axvline(1, color="k", lw=0.8)
ax.set_xlabel("their time / sparsecode's time (log scale)")
ax.invert_yaxis()
ax.legend()
plt.tight_layout()
plt.show()
