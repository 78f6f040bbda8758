"""Peak memory of making one rendition of a large photo, the way a page request makes it.

For each size, a fresh Python process draws a JPEG of that many megapixels (in another
process first, so drawing is not counted), then makes a Wagtail rendition of it through
Wagtail's own ``Filter`` (the largest the site asks for: ``fill-1920x900`` as WebP), or
with ``--parallel 3`` three at once as the ``{% picture %}`` tag makes them, and reports
its peak resident memory (``ru_maxrss``) beside its memory before the renditions.
This is what chose ``WAGTAILIMAGES_MAX_IMAGE_PIXELS`` (see the README, "Images").

    python benchmarks/image_memory.py [--sizes 12,24,40,60] [--parallel 3]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench-results" / "image_memory.json"
SPEC = "fill-1920x900|format-webp"
# The attraction page's hero: three sizes, each as WebP and JPEG.
PICTURE_SPECS = [
    "fill-1920x800|format-webp",
    "fill-1280x600|format-webp",
    "fill-640x420|format-webp",
]


def draw(path: Path, megapixels: float) -> tuple[int, int]:
    from PIL import Image, ImageDraw

    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    picture = Image.new("RGB", (width, height), (200, 90, 140))
    pen = ImageDraw.Draw(picture)
    for x in range(0, width, 97):
        pen.line([(x, 0), (width - x, height)], fill=(x % 255, 180, 60), width=9)
    picture.save(path, "JPEG", quality=88)
    return width, height


def render(path: Path, parallel: int) -> dict:
    import concurrent.futures
    import io
    import resource

    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.files import File
    from django.core.files.storage import FileSystemStorage
    from wagtail.images.models import Filter, Image

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    image = Image(id=0, title="big", width=0, height=0, collection_id=1)
    image.file.storage = FileSystemStorage(location=str(path.parent))
    image.file.name = path.name
    with image.open_file() as source:
        import willow

        size = willow.Image.open(source).get_size()
    image.width, image.height = size
    if parallel == 1:
        with tempfile.SpooledTemporaryFile() as output:
            Filter(spec=SPEC).run(image, output)
    else:
        # As the {% picture %} tag makes its renditions: Wagtail's pool of three threads.
        with image.open_file() as source:
            data = source.read()
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            futures = [
                pool.submit(
                    image.generate_rendition_file,
                    Filter(spec=spec),
                    source=File(io.BytesIO(data), name=path.name),
                )
                for spec in PICTURE_SPECS[:parallel]
            ]
            for future in futures:
                future.result()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"before_mib": before / 1024, "peak_mib": peak / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="12,24,40,60,90")
    parser.add_argument("--parallel", type=int, default=1, help="renditions made at once (1 to 3)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(render(Path(args.one), args.parallel)))
        return
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for megapixels in [float(s) for s in args.sizes.split(",")]:
            path = Path(workdir) / f"{megapixels:g}mp.jpg"
            code = f"import sys; sys.path.insert(0, {str(BASE_DIR)!r}); from benchmarks.image_memory import draw; print(draw(__import__('pathlib').Path({str(path)!r}), {megapixels}))"
            size = subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout.strip()
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(path), "--parallel", str(args.parallel)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            result = json.loads(out.splitlines()[-1])
            row = {"megapixels": megapixels, "size": size, "parallel": args.parallel, **result}
            row["rendition_mib"] = round(result["peak_mib"] - result["before_mib"], 1)
            rows.append(row)
            print(
                f"{megapixels:6g} MP {size:>14}  before {result['before_mib']:7.1f} MiB  "
                f"peak {result['peak_mib']:7.1f} MiB  rendition {row['rendition_mib']:7.1f} MiB",
                flush=True,
            )
            path.unlink()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.with_stem(f"{RESULTS.stem}-{args.parallel}").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
