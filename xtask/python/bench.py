"""`cargo xtask bench`: sparsecode side by side with scikit-learn, SPAMS and
BM3D on this machine, interleaved (ours, theirs, ours, theirs ...), with the
quality of every answer next to its time.

Usage: bench.py SPARSECODE_BINARY OUT_DIR [--quick]

Writes OUT_DIR/report.json (every raw timing) and OUT_DIR/report.md (the
tables); `cargo xtask bench` then draws the charts from the JSON. Ours is
timed through the `sparsecode` binary's own `--json` timings (files
excluded); the anchors in this process. An anchor that is not installed is
reported as missing, and ours is measured alone.
"""

import importlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import warnings

import numpy as np

warnings.filterwarnings("ignore")  # scikit-learn's convergence warnings at sparse_encode's tolerance

BIN = sys.argv[1]  # or --report-only
OUT = Path(sys.argv[2])
QUICK = "--quick" in sys.argv[3:]
REPS = 1 if QUICK else 3
SIGMA = 20.0
GOAL = 64 * (1.15 * SIGMA) ** 2  # squared-residual goal per 8×8 patch
ALPHA = 60.0
TMP = Path(tempfile.mkdtemp(prefix="sc-bench-"))


def have(name):
    try:
        return importlib.import_module(name)
    except Exception:
        return None


spams = have("spams")
sklearn = have("sklearn")
bm3d = have("bm3d")
if sklearn:
    from sklearn.decomposition import MiniBatchDictionaryLearning, sparse_encode
    from sklearn.linear_model import orthogonal_mp
    from sklearn.feature_extraction.image import extract_patches_2d, reconstruct_from_patches_2d


def version(mod, dist):
    if mod is None:
        return None
    try:
        from importlib.metadata import version as v

        return v(dist)
    except Exception:
        return getattr(mod, "__version__", "?")


def ours(*args):
    """Runs the `sparsecode` binary; its `--json` summary (not for `patches`)."""
    json_flag = [] if args[0] == "patches" else ["--json"]
    out = subprocess.run([BIN, *args, *json_flag], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1]) if json_flag else None


def clock(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def save(name, a):
    p = TMP / name
    np.save(p, np.ascontiguousarray(a))
    return str(p)


def load_csr(path, n_atoms):
    """Dense codes (n_samples, n_atoms) from our `.npz` CSR output."""
    z = np.load(path)
    indptr, indices, data = z["indptr"], z["indices"], z["data"]
    n = len(indptr) - 1
    dense = np.zeros((n, n_atoms), dtype=data.dtype)
    rows = np.repeat(np.arange(n), np.diff(indptr))
    dense[rows, indices] = data
    return dense


def objective(X, D, C, alpha):
    """Σ ½‖x − Dc‖² + α‖c‖₁ (rows of X and C; D atoms in columns)."""
    R = X.astype(np.float64) - C.astype(np.float64) @ D.T.astype(np.float64)
    return float(0.5 * np.einsum("ij,ij->", R, R) + alpha * np.abs(C).sum())


def residual(X, D, C):
    R = X.astype(np.float64) - C.astype(np.float64) @ D.T.astype(np.float64)
    return float(np.einsum("ij,ij->i", R, R).mean())


def odct(p, l):
    """The overcomplete 2-D DCT of p×p patches with l² atoms (p² × l²)."""
    d = np.cos(np.pi * np.outer(np.arange(p), np.arange(l)) / l)
    d[:, 1:] -= d[:, 1:].mean(axis=0)
    d /= np.linalg.norm(d, axis=0)
    D = np.kron(d, d)
    return D / np.linalg.norm(D, axis=0)


def patches(img, p=8):
    from numpy.lib.stride_tricks import sliding_window_view

    return sliding_window_view(img, (p, p)).reshape(-1, p * p).copy()


def psnr(a, b):
    return float(10 * np.log10(255.0**2 / np.mean((a - b) ** 2)))


def machine():
    info = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        text = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next(l.split(":", 1)[1].strip() for l in text.splitlines() if l.startswith("model name"))
        flags = next(l for l in text.splitlines() if l.startswith("flags")).split()
        info["simd"] = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "SSE2"
    except Exception:
        info["cpu"], info["simd"] = platform.processor() or "?", "?"
    info["memory_gb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return info


def summary(times):
    t = np.array(times, dtype=float)
    return {"median": float(np.median(t)), "min": float(t.min()), "max": float(t.max()), "runs": [float(v) for v in t]}


LASSO_TOL = 1e-6  # relative objective above the anchor's that marks a coding row
LEARN_TOL = 1e-3  # relative learning objective, or non-zeros, above the anchor's
PSNR_TOL = 0.1  # dB below the anchor's


def fmt_t(s):
    if s is None:
        return "—"
    m = s["median"]
    spread = f" ({s['min']:.3g}–{s['max']:.3g})" if len(s["runs"]) > 1 else ""
    return f"{m:.3g} s{spread}"


def ratio(a, b):
    return f"{b['median'] / a['median']:.1f}×" if a and b else "—"


def rel(a, b):
    return (a - b) / abs(b) if b else 0.0


def failure(anchor, mine):
    """Why an anchor's answer (its quality dict) is a failure rather than a
    worse answer, or None: an exception it raised (recorded as
    ``failed``), a NaN or infinite figure, or no non-zeros at all where ours
    has some (SPAMS's float32 OMP, in some runs). A failed anchor is named
    in its row and left out of the ⚠ comparison."""
    if anchor.get("failed"):
        return anchor["failed"]
    bad = [k for k, v in anchor.items() if isinstance(v, float) and not math.isfinite(v)]
    if bad:
        return "non-finite " + ", ".join(bad)
    if anchor.get("nnz") == 0 and mine.get("nnz", 0) > 0:
        return "no non-zeros"
    return None


NAMES = {"spams": "SPAMS", "sklearn": "scikit-learn", "bm3d": "BM3D"}


def answered(q, who, mine):
    """The anchors of quality dict ``q`` among ``who`` that answered
    (present, not failed), and the text naming those that failed."""
    why = {w: failure(q[w], mine) for w in who if w in q}
    ok = [w for w, f in why.items() if not f]
    return ok, "".join(f"; {NAMES[w]} failed ({f}): not compared" for w, f in why.items() if f)


def guarded(f):
    """``clock(f)``, or ``(None, exception)`` if the anchor raised."""
    try:
        return clock(f)
    except Exception as e:  # an anchor's failure is reported, not fatal
        return None, e


def markdown(report):
    """report.md from report.json's contents."""
    wl = report["workload"]
    m = report["machine"]
    md = [f"# sparsecode benchmark ({'quick' if report['quick'] else 'full'} run, {report['date']})", "",
          f"Machine: {m['cpu']}, {m['cores']} cores, {m['simd']}, {m['memory_gb']} GiB; Python {m['python']}. "
          f"Anchors: scikit-learn {report['anchors']['scikit-learn'] or 'missing'}, SPAMS (spams-bin) "
          f"{report['anchors']['spams'] or 'missing'}, bm3d {report['anchors']['bm3d'] or 'missing'}, NumPy {report['anchors']['numpy']}. "
          f"Medians of {report['repetitions']} interleaved run(s) (min–max in brackets); ours is the `sparsecode` binary's own timing "
          "(files excluded), the anchors are timed in one Python process on the same arrays.", "",
          f"## Coding ({wl['signals']:,} noisy 8×8 patches of camera, σ = {SIGMA:g}, means removed, {wl['atoms']}-atom DCT)", "",
          f"scikit-learn codes 1/{wl['sklearn_fraction']} of the patches with `n_jobs=2`; its time is scaled by {wl['sklearn_fraction']} and its "
          "answers compared with ours on the same part. SPAMS's LARS stands in for coordinate descent, which it lacks. "
          f"⚠ marks a row whose answer is worse than an anchor's beyond tolerance (Lasso objective +{LASSO_TOL:g} relative, "
          f"non-zeros +1%, learning objective or non-zeros +{LEARN_TOL:g} relative, PSNR −{PSNR_TOL:g} dB); an anchor that "
          "failed (raised, answered NaN, or no non-zeros where ours has some) is named in the row and not compared.", "",
          "The floor is the product Dᵀx alone as our binary makes it (thresholding with a threshold no correlation passes: "
          "nothing coded, nothing written); × floor is ours over it. The error-goal rows skip the product for the signals already "
          "within the goal, and can be under it.", "",
          "| task | ours | floor (× floor) | SPAMS | scikit-learn | vs SPAMS | vs scikit-learn | quality (ours / anchor) |",
          "|---|---|---|---|---|---|---|---|"]
    for r in report["coding"]:
        q = r["quality"]
        o = q["ours"]
        flag = ""
        ok, failed = answered(q, ("spams", "sklearn"), o)
        if "objective" in o:
            parts = []
            if "spams" in ok:
                d = rel(q.get("ours_on_spams_part", o)["objective"], q["spams"]["objective"])
                parts.append(f"objective {d:+.1e} vs SPAMS")
                flag = flag or ("⚠ " if d > LASSO_TOL else "")
            if "sklearn" in ok:
                d = rel(q["ours_on_sklearn_part"]["objective"], q["sklearn"]["objective"])
                parts.append(f"{d:+.1e} vs scikit-learn")
                flag = flag or ("⚠ " if d > LASSO_TOL else "")
            text = ", ".join(parts) + f"; nnz {o['nnz']:.2f}"
        elif "l1" in o:
            text = f"mean ℓ1 {o['l1']:.1f}" + (f" / {q['spams']['l1']:.1f}" if "spams" in ok else "") + f"; nnz {o['nnz']:.2f}"
            if "spams" in ok and o["l1"] > q["spams"]["l1"] * (1 + 1e-3):
                flag = "⚠ "
        else:
            text = f"nnz {o['nnz']:.2f}" + (f" / {q['spams']['nnz']:.2f}" if "spams" in ok else "")
            if "sklearn" in ok:
                text += f"; on scikit-learn's part {q['ours_on_sklearn_part']['nnz']:.2f} / {q['sklearn']['nnz']:.2f}"
            if "spams" in ok and o["nnz"] > q["spams"]["nnz"] * 1.01:
                flag = "⚠ "
        fl = r.get("floor")
        floor_text = f"{fl['median']:.3g} s ({r['ours']['median'] / fl['median']:.1f}×)" if fl else "—"
        md.append(f"| {flag}{r['label']} ({r['precision']}) | {fmt_t(r['ours'])} | {floor_text} | {fmt_t(r['spams'])} | {fmt_t(r['sklearn'])} | "
                  f"{ratio(r['ours'], r['spams'])} | {ratio(r['ours'], r['sklearn'])} | {text.lstrip('; ')}{failed} |")
    by = {(r["case"], r["precision"]): r["ours"]["median"] for r in report["coding"]}
    f32 = [f"{r['label']}: {by[(r['case'], 'f32')] / by[(r['case'], 'f64')]:.2f}" for r in report["coding"]
           if r["precision"] == "f64" and (r["case"], "f32") in by]
    md += ["", "float32's time over float64's — " + "; ".join(f32) + "."]
    md += ["", "## Learning", "", "| task | ours | SPAMS | scikit-learn | vs SPAMS | vs scikit-learn | quality (ours / SPAMS / scikit-learn) |",
           "|---|---|---|---|---|---|---|"]
    for r in report["learning"]:
        q = r["quality"]
        key = "objective" if r["case"].startswith("seed") else "nnz"
        ok, failed = answered(q, ("spams", "sklearn"), q["ours"])
        worse = any(q["ours"][key] > q[w][key] * (1 + LEARN_TOL) for w in ok)
        flag = "⚠ " if worse else ""
        if r["case"].startswith("seed"):
            text = "objective " + " / ".join(f"{q[w]['objective']:.1f}" if w in q else "—" for w in ("ours", "spams", "sklearn"))
        else:
            text = "nnz " + " / ".join(f"{q[w]['nnz']:.3f}" if w in q else "—" for w in ("ours", "spams")) + \
                ", residual " + " / ".join(f"{q[w]['residual']:.0f}" if w in q else "—" for w in ("ours", "spams"))
        md.append(f"| {flag}{r['label']} | {fmt_t(r['ours'])} | {fmt_t(r['spams'])} | {fmt_t(r.get('sklearn'))} | "
                  f"{ratio(r['ours'], r['spams'])} | {ratio(r['ours'], r.get('sklearn'))} | {text}{failed} |")
    md += ["", "Anchors: " + "; ".join(f"{k}: {v}" for r in report["learning"] for k, v in r["anchors"].items()), "",
           "## Denoising", "", "| task | ours | BM3D | SPAMS pipeline | scikit-learn's example | PSNR (ours / BM3D / SPAMS / scikit-learn) |",
           "|---|---|---|---|---|---|"]
    for r in report["denoising"]:
        q = r["quality"]
        ok, failed = answered(q, ("bm3d", "spams", "sklearn"), q["ours"])
        worse = any(q["ours"]["psnr"] < q[w]["psnr"] - PSNR_TOL for w in ok)
        flag = "⚠ " if worse else ""
        md.append(f"| {flag}{r['label']} | {fmt_t(r['ours'])} | {fmt_t(r['bm3d'])} | {fmt_t(r['spams'])} | {fmt_t(r['sklearn'])} | " +
                  " / ".join(f"{q[w]['psnr']:.2f} dB" if w in ["ours", *ok] else "—" for w in ("ours", "bm3d", "spams", "sklearn")) + failed + " |")
    md += ["", "Anchors: " + "; ".join(f"{k}: {v}" for k, v in report["denoising"][0]["anchors"].items()), "",
           "## How cost grows (OMP, 8 atoms)", "", "| signals | atoms | threads | ours | SPAMS | vs SPAMS |", "|---|---|---|---|---|---|"]
    for r in report["scaling"]:
        md.append(f"| {r['signals']:,} | {r['atoms']} | {r['threads']} | {fmt_t(r['ours'])} | {fmt_t(r['spams'])} | "
                  f"{ratio(r['ours'], r['spams'])} |")
    growth = ", ".join(f"{k}: {v:.2f}" for k, v in report["growth"].items() if v is not None)
    lin = all(0.85 <= v <= 1.15 for k, v in report["growth"].items() if v is not None and k.startswith("ours"))
    md += ["", f"Slope of log time against log signals (from 10⁴ signals on; 1 is linear): {growth}. "
           f"Ours {'grows linearly' if lin else 'does not grow linearly'} in the number of signals.", "",
           "Charts: `ratios.png` (speed-up per workload), `scaling.png` (time against signals and atoms)."]
    return "\n".join(md) + "\n"


if sys.argv[1] == "--report-only":
    # Remakes report.md from an existing report.json.
    OUT = Path(sys.argv[2])
    (OUT / "report.md").write_text(markdown(json.loads((OUT / "report.json").read_text())))
    sys.exit(0)

# --------------------------------------------------------------------------
# The workload: scikit-image's camera (embedded in sparsecode) + noise σ 20.
ours("patches", "--image", "camera", "--patch", "512", "-o", str(TMP / "cam.npy"))
CAMERA = np.load(TMP / "cam.npy").reshape(512, 512)
NOISY = CAMERA + SIGMA * np.random.default_rng(0).standard_normal((512, 512))
XALL = patches(NOISY)
XALL -= XALL.mean(axis=1, keepdims=True)
X = XALL[:: 4] if QUICK else XALL  # quick: every 4th patch
D = odct(8, 16)  # 64 × 256
SK_FRACTION = 64 if QUICK else 16
SPAMS_FISTA_FRACTION = 8
report = {
    "date": time.strftime("%Y-%m-%d %H:%M"),
    "quick": QUICK,
    "repetitions": REPS,
    "machine": machine(),
    "anchors": {
        "scikit-learn": version(sklearn, "scikit-learn"),
        "spams": version(spams, "spams-bin"),
        "bm3d": version(bm3d, "bm3d"),
        "numpy": np.__version__,
    },
    "workload": {"signals": int(X.shape[0]), "atoms": int(D.shape[1]), "sklearn_fraction": SK_FRACTION,
                 "spams_fista_fraction": SPAMS_FISTA_FRACTION},
    "coding": [],
    "learning": [],
    "denoising": [],
    "scaling": [],
}
print(f"bench: {X.shape[0]} patches, {D.shape[1]} atoms, {REPS} repetition(s); anchors {report['anchors']}", flush=True)

# --------------------------------------------------------------------------
# Coding. Quality: OMP by mean non-zeros and residual; the Lasso by the
# objective's relative difference to the anchor's on the same signals.
CASES = [
    # name, label, our args, kind, alpha for the objective
    ("omp8", "OMP, 8 atoms", ["--algorithm", "omp", "--n-nonzero", "8"], "omp", None),
    ("omp_tol", "OMP, error goal", ["--algorithm", "omp", "--tol", repr(GOAL)], "omp", None),
    ("lasso_lars", f"Lasso-LARS, α = {ALPHA:g}", ["--algorithm", "lasso-lars", "--alpha", repr(ALPHA)], "lasso", ALPHA),
    ("lasso_cd", f"Lasso-CD, α = {ALPHA:g}", ["--algorithm", "lasso-cd", "--alpha", repr(ALPHA), "--tol", "1e-8"], "lasso", ALPHA),
    # At most 200 iterations, as SPAMS's run below.
    ("fista", f"FISTA, α = {ALPHA:g}", ["--algorithm", "fista", "--alpha", repr(ALPHA), "--max-iter", "200"], "lasso", ALPHA),
    ("lasso_goal", "Lasso, residual goal", ["--algorithm", "lasso-goal", "--tol", repr(GOAL)], "l1goal", None),
]


def spams_call(name, Xf, Df):
    if spams is None:
        return None
    if name == "omp8":
        return lambda: spams.omp(Xf, Df, L=8, numThreads=2)
    if name == "omp_tol":
        return lambda: spams.omp(Xf, Df, eps=GOAL, numThreads=2)
    if name in ("lasso_lars", "lasso_cd"):
        # SPAMS has no coordinate descent for this problem: its LARS is the anchor.
        return lambda: spams.lasso(Xf, Df, lambda1=ALPHA, mode=2, numThreads=2)
    if name == "fista":
        # Slow: on the first 1/SPAMS_FISTA_FRACTION of the signals, timed and scaled.
        Xp = np.asfortranarray(Xf[:, : Xf.shape[1] // SPAMS_FISTA_FRACTION])
        W0 = np.zeros((Df.shape[1], Xp.shape[1]), dtype=Xf.dtype, order="F")
        return lambda: spams.fistaFlat(Xp, Df, W0, loss="square", regul="l1", lambda1=ALPHA, numThreads=2, max_it=200, tol=1e-3)
    if name == "lasso_goal":
        return lambda: spams.lasso(Xf, Df, lambda1=GOAL, mode=1, numThreads=2)


def sklearn_call(name, Xs, Dt):
    if sklearn is None:
        return None
    if name == "omp_tol":
        # sparse_encode ignores `alpha` for OMP (it codes n_features/10
        # atoms); scikit-learn's OMP with a residual goal is orthogonal_mp.
        return lambda: orthogonal_mp(Dt.T, Xs.T, tol=GOAL).T
    kw = {
        "omp8": dict(algorithm="omp", n_nonzero_coefs=8),
        "lasso_lars": dict(algorithm="lasso_lars", alpha=ALPHA),
        "lasso_cd": dict(algorithm="lasso_cd", alpha=ALPHA),
    }.get(name)
    if kw is None:
        return None
    return lambda: sparse_encode(Xs, Dt, n_jobs=2, **kw)


def as_dense(a):
    return np.asarray(a.toarray() if hasattr(a, "toarray") else a)


def quality(kind, Xq, Dq, C, alpha):
    nnz = float((C != 0).sum(1).mean())
    q = {"nnz": nnz}
    if kind == "lasso":
        q["objective"] = objective(Xq, Dq, C, alpha)
    elif kind == "l1goal":
        q["l1"] = float(np.abs(C).sum(1).mean())
        q["residual"] = residual(Xq, Dq, C)
    else:
        q["residual"] = residual(Xq, Dq, C)
    return q


for dtype, prec in ((np.float64, "f64"), (np.float32, "f32")):
    Xd, Dd = X.astype(dtype), D.astype(dtype)
    xp, dp = save(f"X{prec}.npy", Xd), save(f"D{prec}.npy", Dd.T)
    Xf, Df = np.asfortranarray(Xd.T), np.asfortranarray(Dd)
    n_sk = X.shape[0] // SK_FRACTION
    Xs = Xd[:n_sk]
    # The floor of every coding row: the product Dᵀx alone, as our binary
    # makes it (chunked, in cache) — thresholding with a threshold no
    # correlation passes, so nothing is coded or written.
    floor = summary([ours("encode", "--dict", dp, "--input", xp, "-o", str(TMP / "floor.npz"), "--algorithm", "threshold",
                          "--alpha", "1e300")["seconds_encode"] for _ in range(max(REPS, 5))])
    for name, label, args, kind, alpha in CASES:
        row = {"case": name, "label": label, "precision": prec, "ours": [], "spams": [], "sklearn": [], "floor": floor}
        sp, sk = spams_call(name, Xf, Df), sklearn_call(name, Xs, Dd.T)
        errors = {}  # an anchor that raised: not timed again, named in the row
        out = str(TMP / "codes.npz")
        for _ in range(REPS):
            row["ours"].append(ours("encode", "--dict", dp, "--input", xp, "-o", out, *args)["seconds_encode"])
            if sp:
                t, a_sp = guarded(sp)
                if t is None:
                    errors["spams"], sp = a_sp, None
                else:
                    row["spams"].append(t * (SPAMS_FISTA_FRACTION if name == "fista" else 1))
            if sk:
                t, c_sk = guarded(sk)
                if t is None:
                    errors["sklearn"], sk = c_sk, None
                else:
                    row["sklearn"].append(t * SK_FRACTION)  # scaled to all signals
        C = load_csr(out, D.shape[1])
        row["quality"] = {"ours": quality(kind, Xd, Dd, C, alpha)}
        for who, e in errors.items():
            row["quality"][who] = {"failed": f"raised {type(e).__name__}: {str(e)[:80]}"}
        if sp:
            C_sp = as_dense(a_sp).T
            part = slice(0, C_sp.shape[0])  # FISTA: SPAMS's part
            row["quality"]["spams"] = quality(kind, Xd[part], Dd, C_sp, alpha)
            if name == "fista":
                row["quality"]["ours_on_spams_part"] = quality(kind, Xd[part], Dd, C[part], alpha)
        if sk:
            row["quality"]["ours_on_sklearn_part"] = quality(kind, Xs, Dd, C[:n_sk], alpha)
            row["quality"]["sklearn"] = quality(kind, Xs, Dd, as_dense(c_sk), alpha)
        for who in ("ours", "spams", "sklearn"):
            row[who] = summary(row[who]) if row[who] else None
        report["coding"].append(row)
        print(f"  {prec} {label}: ours {row['ours']['median']:.3f} s"
              + (f", SPAMS {row['spams']['median']:.3f} s" if row["spams"] else "")
              + (f", scikit-learn {row['sklearn']['median']:.2f} s (×{SK_FRACTION})" if row["sklearn"] else ""), flush=True)

# --------------------------------------------------------------------------
# Learning. Every dictionary is scored the same way: the seed's run by
# Σ ½‖x − Dc‖² + ‖c‖₁ with exact Lasso (LARS) codes from our encoder; K-SVD
# by the mean non-zeros and residual of OMP codes with the error goal.


def score(Xl, Dl, args):
    xp, dp = save("score_X.npy", Xl), save("score_D.npy", Dl.T)
    out = str(TMP / "score.npz")
    ours("encode", "--dict", dp, "--input", xp, "-o", out, *args)
    return load_csr(out, Dl.shape[1])


ours("patches", "--image", "camera", "--unit", "--max-patches", "2000", "--seed", "42", "-o", str(TMP / "seed.npy"))
SEED = np.load(TMP / "seed.npy")
# Two rows, each comparing equal settings: scikit-learn's (its early stop;
# ours by default) and SPAMS's (100 steps of 256; ours the demo's fast
# forgetting, OnlineParams::FAST_FORGETTING, in 75 steps).
seed_rows = {"ours": [], "sklearn": []}
fast_rows = {"ours": [], "spams": []}
dicts, fast_dicts = {}, {}
FAST_ARGS = ["--steps", "75", "--rho", "6"]


def seed_learn(rows, dicts, *extra):
    """Our seed's fit (with `extra` flags): its time into `rows`, its atoms
    as columns into `dicts`."""
    j = ours("learn", "--input", str(TMP / "seed.npy"), "--atoms", "100", "--alpha", "1", *extra, "-o", str(TMP / "seed.model"),
             "--dict-out", str(TMP / "seedD.npy"))
    rows["ours"].append(j["seconds_fit"])
    dicts["ours"] = np.load(TMP / "seedD.npy").T


def seed_row(case, label, anchors, rows, dicts):
    """A learning row of the seed's run: the times of `rows`, the objective
    of every dictionary of `dicts` with exact Lasso codes."""
    missing = {who: None for who in ("spams", "sklearn") if who not in rows}
    report["learning"].append({
        "case": case, "label": label, "anchors": anchors, **{who: summary(t) if t else None for who, t in rows.items()}, **missing,
        "quality": {who: {"objective": objective(SEED, Dw, score(SEED, Dw, lars1), 1.0)} for who, Dw in dicts.items()},
    })
    print(f"  {label}: {report['learning'][-1]['quality']}", flush=True)


for _ in range(REPS):
    seed_learn(seed_rows, dicts)
    seed_learn(fast_rows, fast_dicts, *FAST_ARGS)
    if sklearn:
        t, m = clock(lambda: MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42).fit(SEED))
        seed_rows["sklearn"].append(t)
        dicts["sklearn"] = m.components_.T
    if spams:
        Xf = np.asfortranarray(SEED.T)
        t, Dsp = clock(lambda: spams.trainDL(Xf, K=100, lambda1=1.0, mode=2, batchsize=256, iter=100, numThreads=2, verbose=False))
        fast_rows["spams"].append(t)
        fast_dicts["spams"] = np.asarray(Dsp)
lars1 = ["--algorithm", "lasso-lars", "--alpha", "1"]
seed_row("seed", "Online learning, seed's run, scikit-learn's settings (2000 patches, 100 atoms, α = 1)",
         {"sklearn": "MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42); ours: its defaults"}, seed_rows, dicts)
seed_row("seed_fast", "Online learning, seed's run, SPAMS's schedule (ours: 75 steps of 256, fast forgetting)",
         {"spams": "trainDL(K=100, lambda1=1, mode=2, batchsize=256, iter=100); ours: learn " + " ".join(FAST_ARGS)},
         fast_rows, fast_dicts)

# K-SVD at its default iterations against SPAMS's online learner with the
# error goal (mode 4) for 10 epochs (5 in the quick run).
n_ksvd = 16000 if QUICK else 65000
pick = np.random.default_rng(1).choice(XALL.shape[0], n_ksvd, replace=False)
XK = XALL[pick]
xk = save("ksvd_X.npy", XK)
k_rows = {"ours": [], "spams": []}
dicts = {}
epochs = 5 if QUICK else 10
for _ in range(REPS):
    j = ours("learn", "--method", "ksvd", "--input", xk, "--atoms", "256", "--tol", repr(GOAL),
             "-o", str(TMP / "ksvd.model"), "--dict-out", str(TMP / "ksvdD.npy"))
    k_rows["ours"].append(j["seconds_fit"])
    k_iters = j.get("iterations")
    dicts["ours"] = np.load(TMP / "ksvdD.npy").T
    if spams:
        Xf = np.asfortranarray(XK.T)
        t, Dsp = clock(lambda: spams.trainDL(Xf, K=256, lambda1=GOAL, mode=4, batchsize=512, iter=epochs * n_ksvd // 512,
                                             numThreads=2, verbose=False))
        k_rows["spams"].append(t)
        dicts["spams"] = np.asarray(Dsp)
goal_args = ["--algorithm", "omp", "--tol", repr(GOAL)]
kq = {}
for who, Dw in dicts.items():
    C = score(XK, Dw, goal_args)
    kq[who] = {"nnz": float((C != 0).sum(1).mean()), "residual": residual(XK, Dw, C)}
report["learning"].append({
    "case": "ksvd",
    "label": f"K-SVD, 256 atoms, {n_ksvd} patches, error goal (ours: its default {k_iters} iterations; SPAMS: {epochs} epochs)",
    "anchors": {"spams": f"trainDL(K=256, mode=4, lambda1=goal, batchsize=512, {epochs} epochs)"},
    **{who: summary(t) if t else None for who, t in k_rows.items()},
    "sklearn": None,
    "quality": kq,
})
print(f"  K-SVD: {kq}", flush=True)

# --------------------------------------------------------------------------
# Denoising camera, σ = 20.
den = {"case": "denoise", "label": f"Denoising camera, σ = {SIGMA:g}", "ours": [], "bm3d": [], "spams": [], "sklearn": [],
       "quality": {}}
noisy_p, clean_p = save("noisy.npy", NOISY), save("clean.npy", CAMERA)


def spams_denoise():
    P = patches(NOISY)
    means = P.mean(axis=1, keepdims=True)
    P = P - means
    Pf = np.asfortranarray(P.T)
    pick = np.random.default_rng(0).choice(P.shape[0], 20000, replace=False)
    Dl = spams.trainDL(np.asfortranarray(Pf[:, pick]), K=256, lambda1=GOAL, mode=4, batchsize=512, iter=200,
                       numThreads=2, verbose=False)
    A = spams.omp(Pf, Dl, eps=GOAL, numThreads=2)
    R = (Dl @ A).T + means
    return average(R)


def average(R, p=8):
    out = np.zeros((512, 512))
    w = np.zeros((512, 512))
    R = R.reshape(512 - p + 1, 512 - p + 1, p, p)
    for i in range(p):
        for j in range(p):
            out[i:i + 512 - p + 1, j:j + 512 - p + 1] += R[:, :, i, j]
            w[i:i + 512 - p + 1, j:j + 512 - p + 1] += 1
    return out / w


def sklearn_denoise():
    """scikit-learn's example pipeline ("Image denoising using dictionary
    learning"): 7×7 patches of the noisy image, MiniBatchDictionaryLearning
    (100 atoms, α = 1, 500 iterations of batches of 200 at most), then OMP
    with 2 atoms and the patches averaged."""
    P = extract_patches_2d(NOISY / 255.0, (7, 7)).reshape(-1, 49)
    mean = P.mean(axis=0)
    std = P.std(axis=0)
    Pn = (P - mean) / std
    train = Pn[np.random.default_rng(0).choice(Pn.shape[0], 20000, replace=False)]
    dico = MiniBatchDictionaryLearning(n_components=100, alpha=1.0, max_iter=1, batch_size=200, random_state=0).fit(train)
    dico.set_params(transform_algorithm="omp", transform_n_nonzero_coefs=2)
    C = dico.transform(Pn)
    R = (C @ dico.components_) * std + mean
    return reconstruct_from_patches_2d(R.reshape(-1, 7, 7), (512, 512)) * 255.0


for _ in range(REPS):
    j = ours("denoise", "--image", noisy_p, "--sigma", repr(SIGMA), "--clean", clean_p, "-o", str(TMP / "den.npy"))
    den["ours"].append(j["seconds"])
    den["quality"]["ours"] = {"psnr": j["psnr"]}
    if bm3d:
        t, out = clock(lambda: bm3d.bm3d(NOISY, sigma_psd=SIGMA))
        den["bm3d"].append(t)
        den["quality"]["bm3d"] = {"psnr": psnr(CAMERA, np.asarray(out))}
    if spams:
        t, out = clock(spams_denoise)
        den["spams"].append(t)
        den["quality"]["spams"] = {"psnr": psnr(CAMERA, out)}
if sklearn and not QUICK:  # minutes: once, full run only
    t, out = clock(sklearn_denoise)
    den["sklearn"].append(t)
    den["quality"]["sklearn"] = {"psnr": psnr(CAMERA, out)}
for who in ("ours", "bm3d", "spams", "sklearn"):
    den[who] = summary(den[who]) if den[who] else None
den["anchors"] = {"bm3d": "bm3d.bm3d(noisy, sigma_psd=20)",
                  "spams": "trainDL mode 4 (error goal) on 20,000 patches, omp with the goal, averaged",
                  "sklearn": "after its example (\"Image denoising using dictionary learning\"): 7×7 patches normalised, "
                             "MiniBatchDictionaryLearning(100 atoms, α = 1, one pass over 20,000 patches in batches of 200), "
                             "OMP with 2 atoms on every patch, averaged"}
report["denoising"].append(den)
print(f"  denoise: {den['quality']}", flush=True)

# --------------------------------------------------------------------------
# How cost grows: OMP with 8 atoms against the number of signals (and the
# thread count) and against the number of atoms.
XBIG = np.concatenate([XALL] * 4)  # 1,020,100 patches
sizes = [1000, 10000, 100000] + ([] if QUICK else [1000000])
for threads in (1, 2):
    for n in sizes:
        Xn = XBIG[:n]
        xp, dp = save("scale_X.npy", Xn), save("scale_D.npy", D.T)
        t_ours = [ours("encode", "--dict", dp, "--input", xp, "-o", str(TMP / "s.npz"), "--algorithm", "omp", "--n-nonzero", "8",
                       "--threads", str(threads))["seconds_encode"] for _ in range(REPS)]
        t_sp = []
        if spams:
            Xf, Df = np.asfortranarray(Xn.T), np.asfortranarray(D)
            t_sp = [clock(lambda: spams.omp(Xf, Df, L=8, numThreads=threads))[0] for _ in range(REPS)]
        report["scaling"].append({"axis": "signals", "signals": n, "atoms": D.shape[1], "threads": threads,
                                  "ours": summary(t_ours), "spams": summary(t_sp) if t_sp else None})
for l in (8, 16, 32) if not QUICK else (8, 16):
    Dl = odct(8, l)
    n = 100000 if not QUICK else 20000
    Xn = XBIG[:n]
    xp, dp = save("scale_X.npy", Xn), save("scale_D.npy", Dl.T)
    t_ours = [ours("encode", "--dict", dp, "--input", xp, "-o", str(TMP / "s.npz"), "--algorithm", "omp", "--n-nonzero", "8")
              ["seconds_encode"] for _ in range(REPS)]
    t_sp = []
    if spams:
        Xf, Df = np.asfortranarray(Xn.T), np.asfortranarray(Dl)
        t_sp = [clock(lambda: spams.omp(Xf, Df, L=8, numThreads=2))[0] for _ in range(REPS)]
    report["scaling"].append({"axis": "atoms", "signals": n, "atoms": Dl.shape[1], "threads": 2,
                              "ours": summary(t_ours), "spams": summary(t_sp) if t_sp else None})


def slope(rows, who):
    pts = [(r["signals"], r[who]["median"]) for r in rows if r[who] and r["signals"] >= 10000]
    if len(pts) < 2:
        return None
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


report["growth"] = {
    f"{who}, {t} thread{'s' if t > 1 else ''}": slope([r for r in report["scaling"] if r["axis"] == "signals" and r["threads"] == t], who)
    for who in ("ours", "spams") for t in (1, 2)
}

# --------------------------------------------------------------------------
# The report.
OUT.mkdir(parents=True, exist_ok=True)
(OUT / "report.json").write_text(json.dumps(report, indent=1))


(OUT / "report.md").write_text(markdown(report))
print(f"wrote {OUT / 'report.md'} and {OUT / 'report.json'}")
