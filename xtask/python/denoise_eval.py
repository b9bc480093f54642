"""Denoising side by side: `sparsecode denoise` against BM3D (`bm3d.bm3d`,
and `bm3d.bm3d_rgb` for colour).

Usage: denoise_eval.py SPARSECODE_BINARY OUT_DIR [--quick] [--gray | --rgb] [--images moon,coffee] [--sigmas 15,25]
                       [--reuse-bm3d] [-- extra denoise flags]

``--reuse-bm3d`` takes BM3D's results from OUT_DIR/denoise.json (an earlier
full run on the same noise) instead of running it again: a sweep over our
flags then takes seconds per case. Cases that file lacks (images outside the
table, to check a default on data it was not chosen on) are run once and
kept in OUT_DIR/denoise-heldout.json for the next sweep.

``--gray`` runs the gray cases only; ``--rgb`` the colour ones only, on the
``--images`` given (chelsea and coffee by default).

The images: scikit-image's camera, coins, moon, chelsea, coffee, brick, gray
(`rgb2gray(img) * 255` for the colour ones), on 0..255 as floats; Gaussian
noise of standard deviation 15, 25, 50 from a fixed seed per image and σ;
then the colour originals of chelsea and coffee. These are the images the
defaults were chosen on; a full run (no ``--images``, no ``--quick``) adds
astronaut and rocket, in gray and in colour, kept apart from every choice
(the held-out set, with its own means). Both methods are given the true σ;
our `--sigma auto` estimate is reported beside it. Without flags for
sparsecode, each case also runs ``--method dictionary`` (the learned
dictionary and its non-local pass) for a column of its own. PSNR on the
0..255 scale (peak 255, no clipping); time is each method's own wall-clock
time (ours, the binary's JSON `seconds`, files excluded). Writes
OUT_DIR/denoise.md and denoise.json.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import bm3d
import eval_args
import numpy as np
from skimage import color, data

IMAGES = ["camera", "coins", "moon", "chelsea", "coffee", "brick"]
# Never used to choose a default: the check of the defaults on unseen data.
HELDOUT = ["astronaut", "rocket"]
SIGMAS = [15, 25, 50]


def load(name, gray=True):
    img = np.asarray(getattr(data, name)(), dtype=np.float64)
    if img.ndim == 3 and gray:
        img = color.rgb2gray(img / 255.0) * 255
    return img


def image_number(name):
    """The noise seed's image part: the table's order, then a stable number
    from the name for images outside the table."""
    return IMAGES.index(name) if name in IMAGES else 100 + sum(name.encode()) % 1000


def psnr(ref, out):
    return 10 * np.log10(255.0**2 / np.mean((np.asarray(out, np.float64) - ref) ** 2))


def ours(cli, tmp, noisy, sigma, extra):
    """The command on a gray (h, w) or RGB (h, w, 3) float64 .npy image."""
    ip, op = os.path.join(tmp, "noisy.npy"), os.path.join(tmp, "out.npy")
    np.save(ip, np.ascontiguousarray(noisy))
    args = [cli, "denoise", "--image", ip, "--sigma", str(sigma), "-o", op, "--json", *extra]
    res = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    return np.load(op), res["seconds"]


def auto_sigma(cli, tmp, noisy):
    ip, op = os.path.join(tmp, "noisy.npy"), os.path.join(tmp, "out.npy")
    np.save(ip, noisy)
    # The cheapest run that reports the estimate: a dictionary of one step.
    args = [cli, "denoise", "--image", ip, "--sigma", "auto", "--method", "dictionary", "--steps", "1", "--max-training", "256", "-o", op, "--json"]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)["sigma"]


def main():
    cli, out_dir, flags, extra, images = eval_args.parse(sys.argv, IMAGES)
    cached, heldout = {}, []
    heldout_path = os.path.join(out_dir, "denoise-heldout.json")
    if "--reuse-bm3d" in flags:
        with open(os.path.join(out_dir, "denoise.json")) as f:
            stored = json.load(f)
        if os.path.exists(heldout_path):
            with open(heldout_path) as f:
                heldout = json.load(f)
        cached = {(r["image"], r["color"], r["sigma"]): (r["bm3d"], r["sigma_auto"]) for r in stored + heldout}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sigmas = SIGMAS
        if "--sigmas" in flags:
            sigmas = [int(v) for v in flags[flags.index("--sigmas") + 1].split(",")]
        colour = images if "--rgb" in flags and "--images" in flags else ["chelsea", "coffee"]
        cases = [] if "--rgb" in flags else [(n, s, True) for n in images for s in sigmas]
        if "--rgb" in flags or ("--quick" not in flags and "--gray" not in flags):
            cases += [(n, s, False) for n in colour for s in sigmas]
        if "--quick" not in flags and "--images" not in flags:
            if "--rgb" not in flags:
                cases += [(n, s, True) for n in HELDOUT for s in sigmas]
            if "--gray" not in flags:
                cases += [(n, s, False) for n in HELDOUT for s in sigmas]
        compare = not extra and "--quick" not in flags
        for i, (name, sigma, gray) in enumerate(cases):
            clean = load(name, gray)
            rng = np.random.default_rng(1000 + 10 * image_number(name) + sigma)
            noisy = clean + sigma * rng.standard_normal(clean.shape)
            mine, t_mine = ours(cli, tmp, noisy, sigma, extra)
            if (name, not gray, sigma) in cached:
                (p_theirs, t_theirs), est = cached[(name, not gray, sigma)]
            else:
                t = time.perf_counter()
                theirs = bm3d.bm3d(noisy, sigma_psd=sigma) if gray else bm3d.bm3d_rgb(noisy, sigma_psd=sigma)
                t_theirs = time.perf_counter() - t
                p_theirs = psnr(clean, theirs)
                est = auto_sigma(cli, tmp, noisy) if gray else None
                if "--reuse-bm3d" in flags:
                    heldout.append({"image": name, "color": not gray, "sigma": sigma, "bm3d": [p_theirs, t_theirs], "sigma_auto": est})
                    with open(heldout_path, "w") as f:
                        json.dump(heldout, f, indent=1)
            row = {"image": name, "color": not gray, "sigma": sigma, "heldout": name in HELDOUT, "ours": [psnr(clean, mine), t_mine],
                   "bm3d": [p_theirs, t_theirs], "sigma_auto": est}
            if compare:
                dic, t_dic = ours(cli, tmp, noisy, sigma, ["--method", "dictionary"])
                row["dictionary"] = [psnr(clean, dic), t_dic]
            rows.append(row)
            print(f"{name:9s}{' rgb' if not gray else '    '} σ {sigma:2d}: ours {row['ours'][0]:6.2f} dB {t_mine:5.2f} s | BM3D {row['bm3d'][0]:6.2f} dB {t_theirs:5.2f} s"
                  f" | diff {row['ours'][0] - row['bm3d'][0]:+.2f}" + (f" | auto σ {est:.2f} ({100 * (est / sigma - 1):+.1f}%)" if est else ""), flush=True)
    os.makedirs(out_dir, exist_ok=True)
    if not cached:
        with open(os.path.join(out_dir, "denoise.json"), "w") as f:
            json.dump(rows, f, indent=1)
    dic = all("dictionary" in r for r in rows)
    cell = lambda v: f"{v[0]:.2f} dB, {v[1]:.2f} s"
    lines = ["| image | σ | sparsecode | " + ("`--method dictionary` | " if dic else "") + "BM3D | ours − BM3D | `--sigma auto` |",
             "|---|---|---|---|---|" + ("---|" if dic else "") + "---|"]
    for r in rows:
        est = f"{r['sigma_auto']:.2f} ({100 * (r['sigma_auto'] / r['sigma'] - 1):+.1f}%)" if r["sigma_auto"] else "—"
        name = r["image"] + (" (RGB)" if r["color"] else "") + (", held out" if r.get("heldout") else "")
        lines.append(f"| {name} | {r['sigma']} | {cell(r['ours'])} | " + (f"{cell(r['dictionary'])} | " if dic else "")
                     + f"{cell(r['bm3d'])} | {r['ours'][0] - r['bm3d'][0]:+.2f} | {est} |")
    for heldout in (False, True):
        for colour in (False, True):
            sel = [r for r in rows if r["color"] == colour and r.get("heldout", False) == heldout]
            if sel:
                m = lambda k: [np.mean([r[k][i] for r in sel]) for i in (0, 1)]
                worst = min(r["ours"][0] - r["bm3d"][0] for r in sel)
                label = "mean" + (" RGB" if colour else "") + (", held out" if heldout else "")
                lines.append(f"| **{label}** | | {cell(m('ours'))} | " + (f"{cell(m('dictionary'))} | " if dic else "")
                             + f"{cell(m('bm3d'))} | {m('ours')[0] - m('bm3d')[0]:+.2f} (worst {worst:+.2f}) | |")
    with open(os.path.join(out_dir, "denoise-sweep.md" if cached else "denoise.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
