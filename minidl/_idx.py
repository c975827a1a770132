"""Reading IDX files, the format MNIST and Fashion-MNIST are distributed in.

An IDX file is a 4-byte magic number, one big-endian 32-bit size per dimension,
then the data in C order (LeCun et al., http://yann.lecun.com/exdb/mnist/):

    byte 0-1   0x00 0x00
    byte 2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                             0x0D float32, 0x0E float64 (all big-endian)
    byte 3     number of dimensions (3 for images N x rows x cols, 1 for labels)
    then       ndim sizes as big-endian uint32, then prod(sizes) elements

So the magic number of an image file is 0x00000803 = 2051, of a label file
0x00000801 = 2049. Files may be gzip-compressed (``.gz``). Every problem is
reported as :class:`CorruptFileError` naming the file.
"""
import gzip
import os
import struct

import numpy

__all__ = ["CorruptFileError", "read_idx", "read_images_and_labels", "check_contents",
           "write_idx"]

# element type code -> big-endian dtype
_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class CorruptFileError(ValueError):
    """An IDX file that cannot be what it claims to be (bad magic, truncated, ...)."""


def _read_bytes(path):
    """The file's bytes, decompressed when it ends in ``.gz``."""
    try:
        if str(path).endswith(".gz"):
            with gzip.open(path, "rb") as f:
                return f.read()
        with open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise CorruptFileError(f"{path}: cannot be read as "
                               f"{'gzip' if str(path).endswith('.gz') else 'an IDX file'} "
                               f"({err}); delete it and download it again") from err


def _parse_header(data, path):
    """(dtype, shape, header length) from the first bytes of an IDX file."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _TYPES:
        raise CorruptFileError(f"{path}: bad magic number {data[:4].hex() or '(empty)'}; an "
                               f"IDX file starts with 00 00 <type> <ndim> (e.g. 00000803 for "
                               f"images): this is not an IDX file, or it is damaged")
    ndim = data[3]
    end = 4 + 4 * ndim
    if len(data) < end:
        raise CorruptFileError(f"{path}: truncated inside the header ({len(data)} bytes, "
                               f"the header alone needs {end})")
    shape = struct.unpack(f">{ndim}I", data[4:end])
    return numpy.dtype(_TYPES[data[2]]), shape, end


def read_idx(path):
    """The array stored in the IDX file ``path`` (``.gz`` or raw), in native byte order."""
    data = _read_bytes(path)
    dtype, shape, start = _parse_header(data, path)
    expected = int(numpy.prod(shape, dtype=numpy.int64)) * dtype.itemsize
    found = len(data) - start
    if found != expected:
        what = "truncated" if found < expected else "longer than its header says"
        raise CorruptFileError(f"{path}: {what}: header {shape} needs {expected} data bytes, "
                               f"found {found}; delete it and download it again")
    array = numpy.frombuffer(data, dtype=dtype, offset=start).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def read_images_and_labels(image_path, label_path):
    """Images (N, rows, cols) uint8 and labels (N,) of an MNIST-style file pair."""
    images, labels = read_idx(image_path), read_idx(label_path)
    if images.ndim != 3:
        raise CorruptFileError(f"{image_path}: expected 3 dimensions (images, rows, cols), "
                               f"found shape {images.shape}: is this a label file?")
    if labels.ndim != 1:
        raise CorruptFileError(f"{label_path}: expected 1 dimension (labels), found shape "
                               f"{labels.shape}: is this an image file?")
    if len(images) != len(labels):
        raise CorruptFileError(f"{image_path} holds {len(images)} images but {label_path} "
                               f"holds {len(labels)} labels: the two files do not belong "
                               f"together (or one is damaged)")
    return images, labels


def check_contents(name, images, labels, image_path, label_path, *, image_shape=(28, 28),
                   n_classes=10):
    """Refuse a well-formed file pair whose contents contradict dataset ``name``.

    MNIST and Fashion-MNIST store ``image_shape`` images of uint8 pixels and uint8
    labels 0..n_classes-1; anything else (10 x 10 images, float pixels, a label 12)
    means the wrong files were put where the dataset is looked for.
    """
    if len(images) == 0:
        raise CorruptFileError(f"{image_path}: its header says it holds 0 {name} images, "
                               f"so there is nothing to train on: the file was written empty "
                               f"or cut short; delete it (and {label_path}) so that "
                               f"datasets.load downloads them again, or point data_dir at a "
                               f"complete copy")
    if tuple(images.shape[1:]) != tuple(image_shape):
        raise CorruptFileError(f"{image_path}: {name} images are {image_shape[0]} x "
                               f"{image_shape[1]}, but this file holds {images.shape[1]} x "
                               f"{images.shape[2]} images: it belongs to another dataset")
    for path, array, what in ((image_path, images, "pixels"), (label_path, labels, "labels")):
        if array.dtype != numpy.uint8:
            raise CorruptFileError(f"{path}: {name} {what} are uint8 (IDX type 0x08), but this "
                                   f"file holds {array.dtype}: it belongs to another dataset")
    if labels.size and int(labels.max()) >= n_classes:
        raise CorruptFileError(f"{label_path}: {name} labels are 0..{n_classes - 1}, but this "
                               f"file holds a label {int(labels.max())}: it belongs to another "
                               f"dataset, or is damaged")


def write_idx(path, array):
    """Write ``array`` as an IDX file (gzip-compressed when ``path`` ends in ``.gz``).

    The inverse of :func:`read_idx`; tests use it to make small MNIST-like files.
    """
    array = numpy.asarray(array)
    code = {numpy.dtype(v).newbyteorder("="): k for k, v in _TYPES.items()}[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(_TYPES[code]).tobytes()
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(os.fspath(path), "wb") as f:
        f.write(payload)
    return path
