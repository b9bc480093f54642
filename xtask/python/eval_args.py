"""The command line shared by denoise_eval.py and inpaint_eval.py:
``SPARSECODE_BINARY OUT_DIR [their flags] [-- flags passed to sparsecode]``."""


def parse(argv, all_images):
    """(binary, out_dir, own flags, flags for sparsecode, images): the images
    are ``--images a,b`` if given, camera, coins and brick with ``--quick``,
    else ``all_images``."""
    cli, out_dir, rest = argv[1], argv[2], argv[3:]
    extra = rest[rest.index("--") + 1:] if "--" in rest else []
    flags = rest[: rest.index("--")] if "--" in rest else rest
    images = ["camera", "coins", "brick"] if "--quick" in flags else all_images
    if "--images" in flags:
        images = flags[flags.index("--images") + 1].split(",")
    return cli, out_dir, flags, extra, images
