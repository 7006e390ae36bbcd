"""Reference PDQ hashes for tests/fixtures/pdq-reference.json.

Uses the PyPI package `pdqhash` (Python bindings of Meta's C++ PDQ reference, ThreatExchange pdq/)
on the exact pixels our hasher sees: scripts/dev/pdq-reference.sh first writes each image oriented
and, when larger than 512 on a side, resized to 512x512 with sharp. Then both sides must agree bit
for bit. Run: python3 scripts/dev/pdq-reference.py NAME=PNG...
"""
import json
import sys

import numpy as np
import pdqhash
from PIL import Image

out = {}
for arg in sys.argv[1:]:
    name, path = arg.split('=', 1)
    pixels = np.asarray(Image.open(path).convert('RGB'))
    bits, quality = pdqhash.compute(pixels)
    words = [0] * 16
    for k, bit in enumerate(bits[::-1]):  # the binding returns bit 255 first
        if bit:
            words[k >> 4] |= 1 << (k & 15)
    out[name] = {'hash': ''.join('%04x' % w for w in reversed(words)), 'quality': int(quality)}
json.dump({'generator': 'pdqhash ' + pdqhash.__version__ if hasattr(pdqhash, '__version__') else 'pdqhash', 'images': out},
          sys.stdout, indent=2)
print()
