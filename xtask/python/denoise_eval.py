"""Denoising side by side: `sparsecode denoise` against BM3D (`bm3d.bm3d`,
and `bm3d.bm3d_rgb` for colour).

Usage: denoise_eval.py SPARSECODE_BINARY OUT_DIR [--quick] [-- extra denoise flags]

The images: scikit-image's camera, coins, moon, chelsea, coffee, brick, gray
(`rgb2gray(img) * 255` for the colour ones), on 0..255 as floats; Gaussian
noise of standard deviation 15, 25, 50 from a fixed seed per image and σ;
then the colour originals of chelsea and coffee. Both methods are given the
true σ; our `--sigma auto` estimate is reported beside it. PSNR on the 0..255
scale (peak 255, no clipping); time is each method's own wall-clock time
(ours, the binary's JSON `seconds`, files excluded). Writes OUT_DIR/denoise.md
and denoise.json.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import bm3d
import numpy as np
from skimage import color, data

IMAGES = ["camera", "coins", "moon", "chelsea", "coffee", "brick"]
SIGMAS = [15, 25, 50]


def load(name, gray=True):
    img = np.asarray(getattr(data, name)(), dtype=np.float64)
    if img.ndim == 3 and gray:
        img = color.rgb2gray(img / 255.0) * 255
    return img


def psnr(ref, out):
    return 10 * np.log10(255.0**2 / np.mean((np.asarray(out, np.float64) - ref) ** 2))


def ours(cli, tmp, noisy, sigma, extra):
    ip, op = os.path.join(tmp, "noisy.npy"), os.path.join(tmp, "out.npy")
    if noisy.ndim == 2:
        np.save(ip, noisy)
        args = [cli, "denoise", "--image", ip, "--sigma", str(sigma), "-o", op, "--json", *extra]
        res = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
        return np.load(op), res["seconds"]
    # Colour: channel by channel through the gray command until the joint colour model lands.
    outs, secs = [], 0.0
    for c in range(noisy.shape[2]):
        o, s = ours(cli, tmp, np.ascontiguousarray(noisy[..., c]), sigma, extra)
        outs.append(o)
        secs += s
    return np.stack(outs, axis=2), secs


def auto_sigma(cli, tmp, noisy):
    ip, op = os.path.join(tmp, "noisy.npy"), os.path.join(tmp, "out.npy")
    np.save(ip, noisy)
    args = [cli, "denoise", "--image", ip, "--sigma", "auto", "--steps", "1", "--max-training", "256", "-o", op, "--json"]
    return json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)["sigma"]


def main():
    cli, out_dir = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    extra = rest[rest.index("--") + 1:] if "--" in rest else []
    flags = rest[: rest.index("--")] if "--" in rest else rest
    images = ["camera", "coins", "brick"] if "--quick" in flags else IMAGES
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [(n, s, True) for n in images for s in SIGMAS]
        if "--quick" not in flags:
            cases += [(n, s, False) for n in ["chelsea", "coffee"] for s in SIGMAS]
        for i, (name, sigma, gray) in enumerate(cases):
            clean = load(name, gray)
            rng = np.random.default_rng(1000 + 10 * IMAGES.index(name) + sigma)
            noisy = clean + sigma * rng.standard_normal(clean.shape)
            mine, t_mine = ours(cli, tmp, noisy, sigma, extra)
            t = time.perf_counter()
            theirs = bm3d.bm3d(noisy, sigma_psd=sigma) if gray else bm3d.bm3d_rgb(noisy, sigma_psd=sigma)
            t_theirs = time.perf_counter() - t
            est = auto_sigma(cli, tmp, noisy) if gray else None
            row = {"image": name, "color": not gray, "sigma": sigma, "ours": [psnr(clean, mine), t_mine],
                   "bm3d": [psnr(clean, theirs), t_theirs], "sigma_auto": est}
            rows.append(row)
            print(f"{name:8s}{' rgb' if not gray else '    '} σ {sigma:2d}: ours {row['ours'][0]:6.2f} dB {t_mine:5.2f} s | BM3D {row['bm3d'][0]:6.2f} dB {t_theirs:5.2f} s"
                  f" | diff {row['ours'][0] - row['bm3d'][0]:+.2f}" + (f" | auto σ {est:.2f} ({100 * (est / sigma - 1):+.1f}%)" if est else ""), flush=True)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "denoise.json"), "w") as f:
        json.dump(rows, f, indent=1)
    lines = ["| image | σ | sparsecode | BM3D | ours − BM3D | `--sigma auto` |", "|---|---|---|---|---|---|"]
    for r in rows:
        est = f"{r['sigma_auto']:.2f} ({100 * (r['sigma_auto'] / r['sigma'] - 1):+.1f}%)" if r["sigma_auto"] else "—"
        lines.append(f"| {r['image']}{' (RGB)' if r['color'] else ''} | {r['sigma']} | {r['ours'][0]:.2f} dB, {r['ours'][1]:.2f} s | {r['bm3d'][0]:.2f} dB, {r['bm3d'][1]:.2f} s | {r['ours'][0] - r['bm3d'][0]:+.2f} | {est} |")
    for colour in (False, True):
        sel = [r for r in rows if r["color"] == colour]
        if sel:
            m = lambda k, i: np.mean([r[k][i] for r in sel])
            lines.append(f"| **mean{' RGB' if colour else ''}** | | {m('ours', 0):.2f} dB, {m('ours', 1):.2f} s | {m('bm3d', 0):.2f} dB, {m('bm3d', 1):.2f} s | {m('ours', 0) - m('bm3d', 0):+.2f} | |")
    with open(os.path.join(out_dir, "denoise.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
