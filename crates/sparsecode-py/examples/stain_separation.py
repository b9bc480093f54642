"""Stain separation of an H&E image (Vahadane et al. 2016), written as
StainTools and torch-staintools write it with SPAMS, on ``sparsecode.spams``.

The optical density ``OD = −log(I / 255)`` of each tissue pixel is a
non-negative mix of two stain colours (haematoxylin, eosin): a dictionary
of K = 2 non-negative atoms learned with non-negative sparse codes
(``trainDL(..., posAlpha=True, posD=True)``) gives the stains, and
``lasso(..., pos=True)`` each pixel's stain concentrations.

The image is made here (no download): nuclei rich in haematoxylin on a
stroma of eosin, with known stains, so the script can say how close the
learned ones are. Run ``python stain_separation.py`` (add ``--quick`` for a
small image); it prints the learned stains, their angles to the true ones,
and the concentrations' error, and exits 1 if the stains are not found.
"""

import sys

import numpy as np

import sparsecode.spams as spams

# The stains' optical-density colours (RGB), as the H&E literature gives them.
TRUE_STAINS = np.array([[0.650, 0.704, 0.286], [0.072, 0.990, 0.105]])


def he_image(size, rng):
    """A synthetic H&E tile, (size, size, 3) uint8, and its true
    concentrations (size·size, 2)."""
    yy, xx = np.mgrid[:size, :size]
    haem = np.zeros((size, size))
    for _ in range(size * size // 600):
        cy, cx, r = rng.uniform(0, size), rng.uniform(0, size), rng.uniform(3, 8)
        haem += 1.2 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
    eos = 0.6 + 0.3 * np.sin(xx / 7.0 + rng.uniform(0, 6)) * np.cos(yy / 11.0)
    # Nuclei push the stroma aside.
    eos *= rng.uniform(0.7, 1.0, (size, size)) * np.exp(-2.0 * haem)
    conc = np.stack([haem.ravel(), np.clip(eos, 0, None).ravel()], axis=1)
    stains = TRUE_STAINS / np.linalg.norm(TRUE_STAINS, axis=1, keepdims=True)
    od = conc @ stains + 0.01 * np.abs(rng.randn(size * size, 3))
    rgb = np.clip(255 * np.exp(-od), 0, 255).astype(np.uint8).reshape(size, size, 3)
    return rgb, conc


def stain_matrix(rgb, lambda1=0.1, threshold=0.15):
    """Vahadane's stain matrix (2, 3), haematoxylin first: trainDL on the
    tissue pixels' optical densities, as StainTools calls it."""
    od = -np.log(np.maximum(rgb.reshape(-1, 3).astype(float), 1) / 255)
    tissue = od[np.linalg.norm(od, axis=1) > threshold]
    D = spams.trainDL(np.asfortranarray(tissue.T), K=2, lambda1=lambda1, mode=2, modeD=0, posAlpha=True, posD=True, verbose=False,
                      iter=200)
    stains = (D / np.linalg.norm(D, axis=0)).T
    # Haematoxylin is the bluer one: more red absorbed.
    return stains[np.argsort(-stains[:, 0])], od


def main(argv):
    quick = "--quick" in argv
    rng = np.random.RandomState(0)
    rgb, conc = he_image(96 if quick else 512, rng)
    stains, od = stain_matrix(rgb)
    truth = TRUE_STAINS / np.linalg.norm(TRUE_STAINS, axis=1, keepdims=True)
    angles = np.degrees(np.arccos(np.clip(np.sum(stains * truth, axis=1), -1, 1)))
    C = spams.lasso(np.asfortranarray(od.T), np.asfortranarray(stains.T), lambda1=0.01, pos=True).toarray().T
    err = np.abs(C - conc).mean() / conc.mean()
    print(f"image {rgb.shape[0]}×{rgb.shape[1]}: stains (OD, RGB) haematoxylin {np.round(stains[0], 3).tolist()}, "
          f"eosin {np.round(stains[1], 3).tolist()}")
    print(f"angles to the true stains: {angles[0]:.2f}° and {angles[1]:.2f}°; concentrations' mean error {100 * err:.1f}%")
    return 0 if angles.max() < 5 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
