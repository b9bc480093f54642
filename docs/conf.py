"""Sphinx configuration of the documentation site (`cargo xtask docs`).

The site is built from a copy of docs/ under target/ (so that
sphinx-gallery's generated pages never land in the tree): the user guide
(guide/), the Python API reference (api/, from the docstrings by numpydoc),
the example gallery (gallery/, every script run at build time) and the
measurement pages beside this file, rendered as they are on GitHub. The Rust
API (`cargo doc`) is copied under rust/ by the same command.
"""

import os
import re

project = "sparsecode"
author = "the sparsecode developers"
copyright = "2026, the sparsecode developers"

# The gallery's scripts read this to run on small data (`cargo xtask docs --quick`).
QUICK = os.environ.get("SPARSECODE_DOCS_QUICK") == "1"

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "gallery/README.md", "bench/*.md", "img/*"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
# The measurement pages are written for GitHub, where a table's heading may
# sit a level lower than the page's title.
suppress_warnings = ["myst.header"]

autosummary_generate = True
autodoc_default_options = {"members": False}
numpydoc_show_class_members = True
numpydoc_class_members_toctree = False
numpydoc_show_inherited_class_members = False

sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    # A failing example fails the build.
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
}

html_theme = "furo"
html_title = "sparsecode"
html_favicon = "img/favicon.png"  # one of the seed's atoms; browsers ask for one
html_static_path = []
html_show_sourcelink = False

# The measurement pages link the repository's own files (the README, the
# architecture map) by paths that make sense on GitHub; on the site the
# README is the front page and the architecture map is a page of its own.
REPO_LINKS = [(r"\]\(\.\./README\.md\)", "](index.md)"), (r"\]\((\.\./)?ARCHITECTURE\.md\)", "](architecture.md)")]


def _repo_links(app, docname, source):
    for pattern, replacement in REPO_LINKS:
        source[0] = re.sub(pattern, replacement, source[0])


# The API reference lists every public name of each module, read from the
# module's own ``__all__`` (written into the build's copy of docs/; docs/api/
# is ignored by git).
API = [
    ("sparsecode", "Functions and estimators",
     "scikit-learn's names and parameters; sparsecode's own functions (``denoise``, ``inpaint``, ``KSVD``) take the core's "
     "defaults for parameters left at ``None``."),
    ("sparsecode.data", "Data", "The embedded image."),
    ("sparsecode.dask", "Dask", "Coding and learning on a Dask cluster (``pip install sparsecode[dask]``)."),
    ("sparsecode.spams", "SPAMS's API", "``import sparsecode.spams as spams`` in place of ``import spams``."),
]


def _api_pages(folder):
    import importlib

    lines = ["API reference", "=" * 13, "", "Every page below is made from the docstring of the function or class, "
             "with its example.", ""]
    for module, title, about in API:
        mod = importlib.import_module(module)
        names = sorted(n for n in mod.__all__ if n != "data" and callable(getattr(mod, n)))
        lines += [title, "-" * len(title), "", about, "", f".. currentmodule:: {module}", "", ".. autosummary::",
                  "   :toctree: generated", ""]
        lines += [f"   {n}" for n in names] + [""]
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "index.rst"), "w") as f:
        f.write("\n".join(lines))


# Before Sphinx looks for its sources.
_api_pages(os.path.join(os.path.dirname(os.path.abspath(__file__)), "api"))


# The estimators' docstrings follow scikit-learn's, whose terms (``n_jobs``,
# ``random_state`` …) and guide sections are defined in scikit-learn's own
# documentation: such references link there.
SKLEARN = "https://scikit-learn.org/stable/"
SKLEARN_LABELS = {"r2_score": "modules/model_evaluation.html#r2-score",
                  "cross_validation": "modules/cross_validation.html"}


def _sklearn_reference(app, env, node, contnode):
    from docutils import nodes

    target = node.get("reftarget", "")
    if node.get("refdomain") == "std" and node.get("reftype") == "term":
        # Sphinx's term ids keep case, dots and underscores (sphinx.util.nodes._make_id).
        uri = SKLEARN + "glossary.html#term-" + re.sub(r"[^a-zA-Z0-9._]+", "-", " ".join(target.split())).strip("-")
    elif node.get("refdomain") == "std" and node.get("reftype") == "ref" and target in SKLEARN_LABELS:
        uri = SKLEARN + SKLEARN_LABELS[target]
    else:
        return None
    ref = nodes.reference("", "", internal=False, refuri=uri)
    ref += contnode
    return ref


def setup(app):
    app.connect("missing-reference", _sklearn_reference)
    app.connect("source-read", _repo_links)
