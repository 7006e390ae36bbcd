"""Reads a PyTorch checkpoint (.pth, either the legacy pickle stream or the zip format) into numpy
arrays, without torch: the converters in this folder need only numpy and onnx."""
import collections
import io
import pickle
import struct
import zipfile

import numpy as np

DTYPES = {
    'FloatStorage': np.float32, 'DoubleStorage': np.float64, 'HalfStorage': np.float16,
    'LongStorage': np.int64, 'IntStorage': np.int32, 'ShortStorage': np.int16,
    'CharStorage': np.int8, 'ByteStorage': np.uint8, 'BoolStorage': np.bool_,
}


class _Tensor:
    """A tensor waiting for its storage's bytes (they follow the pickle in the legacy format)."""

    def __init__(self, key, offset, size, stride):
        self.key, self.offset, self.size, self.stride = key, offset, tuple(size), tuple(stride)

    def materialise(self, storages):
        flat = storages[self.key]
        if not self.size:
            return flat[self.offset:self.offset + 1].reshape(())
        item = flat.itemsize
        return np.lib.stride_tricks.as_strided(
            flat[self.offset:], shape=self.size, strides=[s * item for s in self.stride]).copy()


def _rebuild_tensor_v2(storage, offset, size, stride, *_):
    return _Tensor(storage, offset, size, stride)


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, types):
        super().__init__(f)
        self.types = types

    def find_class(self, module, name):
        if module == 'torch._utils' and name in ('_rebuild_tensor_v2', '_rebuild_tensor'):
            return _rebuild_tensor_v2
        if module == 'torch' and name in DTYPES:
            return name
        if module == 'collections' and name == 'OrderedDict':
            return collections.OrderedDict
        raise pickle.UnpicklingError(f'unexpected class {module}.{name} in a weights file')

    def persistent_load(self, pid):
        # ('storage', storage_type, key, location, numel[, view_metadata])
        _, stype, key = pid[0], pid[1], str(pid[2])
        self.types[key] = stype
        return key


def _finish(obj, storages):
    if isinstance(obj, _Tensor):
        return obj.materialise(storages)
    if isinstance(obj, dict):
        return collections.OrderedDict((k, _finish(v, storages)) for k, v in obj.items())
    return obj


def load_state_dict(path):
    """{name: numpy array} of a .pth state dict."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            pkl = next(n for n in z.namelist() if n.endswith('data.pkl'))
            root = pkl[: -len('data.pkl')]
            types = {}
            obj = _Unpickler(io.BytesIO(z.read(pkl)), types).load()
            storages = {k: np.frombuffer(z.read(f'{root}data/{k}'), dtype=DTYPES[t]) for k, t in types.items()}
            return _finish(obj, storages)
    with open(path, 'rb') as f:
        for _ in range(3):  # magic number, protocol version, system info
            pickle.load(f)
        types = {}
        obj = _Unpickler(f, types).load()
        keys = pickle.load(f)
        storages = {}
        for key in keys:
            (n,) = struct.unpack('<q', f.read(8))
            dtype = np.dtype(DTYPES[types[key]])
            storages[key] = np.frombuffer(f.read(n * dtype.itemsize), dtype=dtype)
        return _finish(obj, storages)
