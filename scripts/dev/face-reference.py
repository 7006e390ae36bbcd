"""dlib, the reference for the face descriptor (dev only; scripts/dev/face-reference.sh runs it).

    python face-reference.py template IMAGE...     where dlib's face chip puts five landmarks
    python face-reference.py describe CHIP.png...  dlib's descriptor of each aligned chip

`template`: dlib's own pipeline (HOG detector, 5-point shape predictor, get_face_chip with size
150 and padding 0.25, as PyPI face_recognition does) cuts each face; the 68-point predictor's
eye centres, nose tip and mouth corners (the five points RetinaFace gives) are carried into the
chip, and their mean over the faces is the template models/face-align.ts aligns to. The mapping
from chip to image is checked by warping the image ourselves and comparing with dlib's chip.

`describe`: dlib_face_recognition_resnet_model_v1 (PyPI face-recognition-models 0.3.0) on chips
our aligner cut, so that port and reference see the same pixels; prints JSON {name: [128]}.
"""
import json
import math
import sys

import dlib
import face_recognition_models as frm
import numpy as np
from PIL import Image

SIZE, PADDING = 150, 0.25


def chip_to_image(details):
    """The affine map from chip pixels to image pixels (dlib's extract_image_chip)."""
    r = details.rect
    cx, cy = (r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2
    sx, sy = (r.right() - r.left()) / (details.cols - 1), (r.bottom() - r.top()) / (details.rows - 1)
    a = details.angle
    ca, sa = math.cos(a), math.sin(a)

    def f(u, v):
        x = (u - (details.cols - 1) / 2) * sx
        y = (v - (details.rows - 1) / 2) * sy
        return cx + ca * x - sa * y, cy + sa * x + ca * y
    return f


def template(paths):
    detector = dlib.get_frontal_face_detector()
    sp5 = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
    sp68 = dlib.shape_predictor(frm.pose_predictor_model_location())
    points, checks = [], []
    for p in paths:
        img = np.asarray(Image.open(p).convert('RGB'))
        for det in detector(img, 1):
            s5, s68 = sp5(img, det), sp68(img, det)
            details = dlib.get_face_chip_details(s5, SIZE, PADDING)
            chip = np.asarray(dlib.get_face_chip(img, s5, SIZE, PADDING), np.float32)
            f = chip_to_image(details)
            # Check the map: sample the image where it says each chip pixel comes from.
            diffs = []
            for v in range(10, SIZE - 10, 7):
                for u in range(10, SIZE - 10, 7):
                    x, y = f(u, v)
                    if 0 <= x < img.shape[1] - 1 and 0 <= y < img.shape[0] - 1:
                        diffs.append(abs(float(img[int(round(y)), int(round(x))].mean()) - float(chip[v, u].mean())))
            checks.append(float(np.median(diffs)) if diffs else 0.0)
            # Invert the affine map numerically (it is a similarity transform).
            o = np.array(f(0, 0))
            ex, ey = np.array(f(1, 0)) - o, np.array(f(0, 1)) - o
            inv = np.linalg.inv(np.stack([ex, ey], 1))
            pt = lambda i: np.array([s68.part(i).x, s68.part(i).y], np.float64)
            five = [np.mean([pt(i) for i in range(36, 42)], 0), np.mean([pt(i) for i in range(42, 48)], 0), pt(30), pt(48), pt(54)]
            points.append([inv @ (q - o) for q in five])
    mean = np.mean(points, 0)
    return {'faces': len(points), 'median_pixel_check': float(np.median(checks)),
            'template': [[round(float(x), 3), round(float(y), 3)] for x, y in mean],
            'spread': [round(float(s), 3) for s in np.std(points, 0).mean(1)]}


def describe(paths):
    net = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
    out = {}
    for p in paths:
        chip = np.ascontiguousarray(np.asarray(Image.open(p).convert('RGB')))
        assert chip.shape == (SIZE, SIZE, 3), (p, chip.shape)
        out[p.rsplit('/', 1)[-1].rsplit('.', 1)[0]] = [round(float(x), 6) for x in net.compute_face_descriptor(chip)]
    return out


if __name__ == '__main__':
    mode, files = sys.argv[1], sys.argv[2:]
    result = template(files) if mode == 'template' else describe(files)
    result = {'dlib': dlib.__version__, **result} if mode == 'template' else {'dlib': dlib.__version__, 'descriptors': result}
    json.dump(result, sys.stdout, indent=1)
    print()
