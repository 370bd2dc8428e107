"""The HTML writer PDF and EPUB share: model → HTML, book parts, sanitising, math as SVG."""
