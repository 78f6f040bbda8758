"""Reading a QR code the way the gate does: the vendored jsQR, in a page of its own."""

import base64
from pathlib import Path

JSQR = Path(__file__).resolve().parents[2] / "site/static/vendor/jsqr/jsQR.js"


def read_qr(browser, png: bytes) -> str:
    """What a scanner reads from ``png``: decoded by the vendored jsQR the gate page uses."""
    page = browser.new_page()
    page.set_content("<canvas></canvas>")
    page.add_script_tag(path=str(JSQR))
    text = page.evaluate(
        """async (src) => {
            const image = new Image();
            image.src = src;
            await image.decode();
            const canvas = document.querySelector("canvas");
            canvas.width = image.width;
            canvas.height = image.height;
            const context = canvas.getContext("2d");
            context.drawImage(image, 0, 0);
            const pixels = context.getImageData(0, 0, image.width, image.height);
            const code = jsQR(pixels.data, pixels.width, pixels.height);
            return code ? code.data : null;
        }""",
        "data:image/png;base64," + base64.b64encode(png).decode(),
    )
    page.close()
    assert text, "the QR code could not be read"
    return text
