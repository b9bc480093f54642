"""Makes sc-patches' golden files with scikit-learn's extract_patches_2d
and reconstruct_from_patches_2d (run by `cargo xtask golden --regen`).

Images are stored 2-D: gray (H, W), colour (H, W*3); patches (n, ph*pw*C).
"""
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.image import extract_patches_2d, reconstruct_from_patches_2d

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(3)

gray = rng.uniform(0, 255, (11, 9))
p = extract_patches_2d(gray, (4, 3))
np.save(out / "gray.npy", gray)
np.save(out / "gray_patches.npy", p.reshape(len(p), -1))
q = p + rng.standard_normal(p.shape)  # perturbed patches: averaging is then not trivial
np.save(out / "gray_perturbed.npy", q.reshape(len(q), -1))
np.save(out / "gray_rebuilt.npy", reconstruct_from_patches_2d(q, gray.shape))

rgb = rng.uniform(0, 1, (7, 8, 3))
p = extract_patches_2d(rgb, (3, 2))
np.save(out / "rgb.npy", rgb.reshape(7, -1))
np.save(out / "rgb_patches.npy", p.reshape(len(p), -1))
q = p + 0.1 * rng.standard_normal(p.shape)
np.save(out / "rgb_perturbed.npy", q.reshape(len(q), -1))
np.save(out / "rgb_rebuilt.npy", reconstruct_from_patches_2d(q, rgb.shape).reshape(7, -1))
print("golden patch files written to", out)
