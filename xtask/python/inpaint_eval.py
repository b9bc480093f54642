"""Inpainting side by side: `sparsecode inpaint` against scikit-image's
`inpaint_biharmonic` and OpenCV's `cv2.inpaint` (Telea, Navier-Stokes).

Usage: inpaint_eval.py SPARSECODE_BINARY OUT_DIR [--quick] [--images moon,coffee] [--reuse-anchors] [-- extra inpaint flags]

``--reuse-anchors`` takes the anchors' results from OUT_DIR/inpaint.json (an
earlier full run on the same damage) instead of running them again, and
writes OUT_DIR/inpaint-sweep.md: a sweep over our flags then costs only our
own runs.

The images are the denoising evaluation's (scikit-image's bundled data, gray,
0..255): camera, coins, moon, chelsea, coffee, brick. The damage: 30%, 60%
and 80% of the pixels removed at random (seed 0), and a text overlay (white
lines of text drawn with OpenCV's Hershey font; the mask is the text). PSNR
is over the whole image (known pixels are kept by every method); time is
each method's own wall-clock time, ours the binary's JSON `seconds` (files
excluded). Writes OUT_DIR/inpaint.md and inpaint.json.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import cv2
import eval_args
import numpy as np
from skimage import color, data, io
from skimage.restoration import inpaint_biharmonic

IMAGES = ["camera", "coins", "moon", "chelsea", "coffee", "brick"]


def gray(name):
    img = getattr(data, name)()
    if img.ndim == 3:
        img = color.rgb2gray(img) * 255
    return np.asarray(img, dtype=np.float64)


def text_mask(shape):
    """True where known: everything but lines of text."""
    m = np.zeros(shape, np.uint8)
    h, w = shape
    lines = ["Sparse coding fills", "the missing pixels", "of an image from", "its own patches."]
    scale = w / 520
    for i, line in enumerate(lines):
        y = int((i + 1) * h / (len(lines) + 1))
        cv2.putText(m, line, (int(0.04 * w), y), cv2.FONT_HERSHEY_SIMPLEX, 1.2 * scale, 255, max(2, int(3 * scale)), cv2.LINE_AA)
    return m == 0


def psnr(ref, out):
    return 10 * np.log10(255.0**2 / np.mean((np.asarray(out, np.float64) - ref) ** 2))


def main():
    cli, out_dir, flags, extra, images = eval_args.parse(sys.argv, IMAGES)
    cached = {}
    if "--reuse-anchors" in flags:
        with open(os.path.join(out_dir, "inpaint.json")) as f:
            cached = {(r["image"], r["damage"]): r for r in json.load(f)}
    settings = ["30%", "60%", "80%", "text"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in images:
            img = gray(name)
            rng = np.random.default_rng(0)
            for setting in settings:
                known = text_mask(img.shape) if setting == "text" else rng.random(img.shape) >= int(setting[:-1]) / 100
                damaged = np.where(known, img, 0.0)
                ip, mp, op = (os.path.join(tmp, f) for f in ("img.npy", "mask.png", "out.npy"))
                np.save(ip, np.where(known, img, np.nan))
                io.imsave(mp, (known * 255).astype(np.uint8), check_contrast=False)
                res = subprocess.run([cli, "inpaint", "--image", ip, "--missing-value", "nan", "-o", op, "--json", *extra],
                                     check=True, capture_output=True, text=True)
                ours = json.loads(res.stdout)
                ours_psnr = psnr(img, np.load(op))
                if (name, setting) in cached:
                    row = dict(cached[(name, setting)], ours=[ours_psnr, ours["seconds"]])
                    rows.append(row)
                    best = max(row["biharmonic"][0], row["telea"][0], row["ns"][0])
                    print(f"{name:8s} {setting:5s} ours {ours_psnr:6.2f} dB {ours['seconds']:5.2f} s | ours - best {ours_psnr - best:+.2f}", flush=True)
                    continue
                t = time.perf_counter()
                bih = inpaint_biharmonic(damaged, ~known)
                t_bih = time.perf_counter() - t
                d8 = np.clip(np.round(damaged), 0, 255).astype(np.uint8)
                m8 = (~known).astype(np.uint8) * 255
                t = time.perf_counter()
                telea = cv2.inpaint(d8, m8, 3, cv2.INPAINT_TELEA)
                t_telea = time.perf_counter() - t
                t = time.perf_counter()
                ns = cv2.inpaint(d8, m8, 3, cv2.INPAINT_NS)
                t_ns = time.perf_counter() - t
                row = {"image": name, "damage": setting, "missing": float(1 - known.mean()),
                       "ours": [ours_psnr, ours["seconds"]], "biharmonic": [psnr(img, bih), t_bih],
                       "telea": [psnr(img, telea), t_telea], "ns": [psnr(img, ns), t_ns]}
                rows.append(row)
                best = max(row["biharmonic"][0], row["telea"][0], row["ns"][0])
                print(f"{name:8s} {setting:5s} ours {ours_psnr:6.2f} dB {ours['seconds']:5.2f} s | biharmonic {row['biharmonic'][0]:6.2f} {t_bih:5.2f} s"
                      f" | telea {row['telea'][0]:6.2f} {t_telea:4.2f} s | ns {row['ns'][0]:6.2f} {t_ns:4.2f} s | ours - best {ours_psnr - best:+.2f}", flush=True)
    os.makedirs(out_dir, exist_ok=True)
    if not cached:
        with open(os.path.join(out_dir, "inpaint.json"), "w") as f:
            json.dump(rows, f, indent=1)
    lines = ["| image | damage | sparsecode | inpaint_biharmonic | cv2 Telea | cv2 Navier-Stokes | ours − best |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        best = max(r["biharmonic"][0], r["telea"][0], r["ns"][0])
        cell = lambda k: f"{r[k][0]:.2f} dB, {r[k][1]:.2f} s"
        lines.append(f"| {r['image']} | {r['damage']} | {cell('ours')} | {cell('biharmonic')} | {cell('telea')} | {cell('ns')} | {r['ours'][0] - best:+.2f} dB |")
    for s in settings:
        sel = [r for r in rows if r["damage"] == s]
        mean = lambda k, i: np.mean([r[k][i] for r in sel])
        lines.append(f"| **mean** | {s} | {mean('ours', 0):.2f} dB, {mean('ours', 1):.2f} s | {mean('biharmonic', 0):.2f} dB, {mean('biharmonic', 1):.2f} s"
                     f" | {mean('telea', 0):.2f} dB, {mean('telea', 1):.2f} s | {mean('ns', 0):.2f} dB, {mean('ns', 1):.2f} s | |")
    with open(os.path.join(out_dir, "inpaint-sweep.md" if cached else "inpaint.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
