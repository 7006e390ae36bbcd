"""dlib's face-recognition ResNet as ported by face-api (npm @vladmandic/face-api 1.7.15,
model/face_recognition_model.bin) to ONNX, built node by node with numpy and onnx.

    python scripts/models/export_face_recognition.py <model dir> <out.onnx>

The weights stay as face-api ships them, uint8 with a scale and a minimum per tensor (eight of
them float32); the graph
turns them back into float32 exactly as face-api does (min + q * scale), so the file is the
package's own numbers, 4x smaller than float32. The layers follow face-api's
src/faceRecognitionNet (convolutions with a bias and a per-channel scale layer, residual blocks,
the down-sampling blocks' average-pooled shortcut padded with zero channels).

Input `chip`: 1x3x150x150 float32 RGB 0..255, a face aligned as dlib's get_face_chip (size 150,
padding 0.25) would cut it. The graph takes off dlib's mean (122.782, 117.001, 104.298) and
divides by 256 as dlib's input_rgb_image does (face-api divides by 255: the figure in
docs/models.md is against dlib). Output `descriptor`: 1x128.
"""
import hashlib
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MEAN = np.array([122.782, 117.001, 104.298], np.float32)


def load(model_dir):
    manifest = json.load(open(f'{model_dir}/face_recognition_model-weights_manifest.json'))[0]
    raw = open(f"{model_dir}/{manifest['paths'][0]}", 'rb').read()
    tensors, offset = {}, 0
    for w in manifest['weights']:
        n = int(np.prod(w['shape']))
        q = w.get('quantization')
        if q is None:  # a few tensors are shipped as float32
            tensors[w['name']] = (np.frombuffer(raw, np.float32, n, offset).reshape(w['shape']), None, None)
            offset += 4 * n
            continue
        assert q['dtype'] == 'uint8', q
        tensors[w['name']] = (np.frombuffer(raw, np.uint8, n, offset).reshape(w['shape']), q['scale'], q['min'])
        offset += n
    assert offset == len(raw), (offset, len(raw))
    return tensors


def build(t):
    nodes, inits = [], []
    count = [0]

    def name(prefix):
        count[0] += 1
        return f'{prefix}_{count[0]}'

    def const(arr, prefix='c'):
        n = name(prefix)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def weight(key, transpose=None, shape=None):
        """min + q * scale, in the graph (folded to float32 when the session loads)."""
        q, scale, low = t[key]
        if transpose is not None:
            q = q.transpose(transpose)
        if shape is not None:
            q = q.reshape(shape)
        if scale is None:
            return const(q.astype(np.float32), 'w')
        f, s, m = name('f'), name('s'), name('w')
        nodes.append(helper.make_node('Cast', [const(q, 'q')], [f], to=TensorProto.FLOAT))
        nodes.append(helper.make_node('Mul', [f, const(np.array(scale, np.float32))], [s]))
        nodes.append(helper.make_node('Add', [s, const(np.array(low, np.float32))], [m]))
        return m

    def conv(x, prefix, stride, relu):
        k = t[f'{prefix}/conv/filters'][0].shape[0]
        y, z, out = name('conv'), name('scaled'), name('out')
        pads = [0] * 4 if stride == 2 else [k // 2] * 4  # tfjs 'valid' down, 'same' otherwise
        nodes.append(helper.make_node('Conv', [x, weight(f'{prefix}/conv/filters', (3, 2, 0, 1)), weight(f'{prefix}/conv/bias')],
                                      [y], kernel_shape=[k, k], strides=[stride, stride], pads=pads))
        nodes.append(helper.make_node('Mul', [y, weight(f'{prefix}/scale/weights', shape=(1, -1, 1, 1))], [z]))
        nodes.append(helper.make_node('Add', [z, weight(f'{prefix}/scale/biases', shape=(1, -1, 1, 1))], [out]))
        if not relu:
            return out
        r = name('relu')
        nodes.append(helper.make_node('Relu', [out], [r]))
        return r

    def relu_add(a, b):
        s, r = name('sum'), name('relu')
        nodes.append(helper.make_node('Add', [a, b], [s]))
        nodes.append(helper.make_node('Relu', [s], [r]))
        return r

    def residual(x, prefix):
        return relu_add(conv(conv(x, f'{prefix}/conv1', 1, True), f'{prefix}/conv2', 1, False), x)

    def residual_down(x, prefix, size, channels_in, channels_out):
        """size: the input's side. face-api pads the strided branch with a zero row and column
        when it comes out smaller than the pooled shortcut, and the shortcut with zero channels."""
        out = conv(conv(x, f'{prefix}/conv1', 2, True), f'{prefix}/conv2', 1, False)
        conv_side = (size - 3) // 2 + 1
        pooled_side = size // 2
        if conv_side != pooled_side:
            padded = name('pad')
            pad_by = pooled_side - conv_side
            nodes.append(helper.make_node('Pad', [out, const(np.array([0, 0, 0, 0, 0, 0, pad_by, pad_by], np.int64))], [padded]))
            out = padded
        pooled = name('pool')
        nodes.append(helper.make_node('AveragePool', [x], [pooled], kernel_shape=[2, 2], strides=[2, 2]))
        if channels_in != channels_out:
            wide = name('wide')
            nodes.append(helper.make_node('Pad', [pooled, const(np.array([0, 0, 0, 0, 0, channels_out - channels_in, 0, 0], np.int64))], [wide]))
            pooled = wide
        return relu_add(pooled, out), pooled_side

    x = name('centred')
    nodes.append(helper.make_node('Sub', ['chip', const(MEAN.reshape(1, 3, 1, 1))], [x]))
    scaled = name('input')
    nodes.append(helper.make_node('Div', [x, const(np.array(256, np.float32))], [scaled]))
    h = conv(scaled, 'conv32_down', 2, True)  # 150 -> 72
    pooled = name('maxpool')
    nodes.append(helper.make_node('MaxPool', [h], [pooled], kernel_shape=[3, 3], strides=[2, 2]))  # 72 -> 35
    h, side = pooled, 35
    for i in (1, 2, 3):
        h = residual(h, f'conv32_{i}')
    h, side = residual_down(h, 'conv64_down', side, 32, 64)
    for i in (1, 2, 3):
        h = residual(h, f'conv64_{i}')
    h, side = residual_down(h, 'conv128_down', side, 64, 128)
    for i in (1, 2):
        h = residual(h, f'conv128_{i}')
    h, side = residual_down(h, 'conv256_down', side, 128, 256)
    for i in (1, 2):
        h = residual(h, f'conv256_{i}')
    h, side = residual_down(h, 'conv256_down_out', side, 256, 256)
    gap, flat = name('gap'), name('flat')
    nodes.append(helper.make_node('GlobalAveragePool', [h], [gap]))
    nodes.append(helper.make_node('Flatten', [gap], [flat]))
    nodes.append(helper.make_node('MatMul', [flat, weight('fc')], ['descriptor']))
    graph = helper.make_graph(nodes, 'dlib-face-recognition-resnet-v1 (face-api port)',
                              [helper.make_tensor_value_info('chip', TensorProto.FLOAT, [1, 3, 150, 150])],
                              [helper.make_tensor_value_info('descriptor', TensorProto.FLOAT, [1, 128])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='clues export_face_recognition.py')
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    model_dir, out = sys.argv[1], sys.argv[2]
    model = build(load(model_dir))
    data = model.SerializeToString(deterministic=True)
    open(out, 'wb').write(data)
    print(f'{out}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}')


if __name__ == '__main__':
    main()
