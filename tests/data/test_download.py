"""Standard-set downloads against a local HTTP server serving small IDX and CIFAR-binary files:
a good download, a checksum mismatch, an interrupted then resumed download, and offline."""

import gzip
import hashlib
import io
import socket
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import torch

from netbuilder.data.bundle import DatasetError
from netbuilder.data.download import ChecksumError, download
from netbuilder.data.standard import MNIST_FILES, STANDARD, StandardSpec, find_local, load_standard, read_idx


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def cifar_tar(per_batch: int = 4) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            records = np.concatenate([rng.integers(0, 10, (per_batch, 1)), rng.integers(0, 256, (per_batch, 3072))], 1)
            data = records.astype(np.uint8).tobytes()
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def md5(data: bytes) -> str:
    return "md5:" + hashlib.md5(data).hexdigest()


class Server:
    """Serves ``files`` (url path -> bytes); honours Range; can cut the first transfer of a file."""

    def __init__(self, files: dict[str, bytes], cut_first: bool = False):
        self.files, self.cut_first, self.cut_done, self.ranges = files, cut_first, set(), []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                start = 0
                if rng := self.headers.get("Range"):
                    start = int(rng.split("=")[1].split("-")[0])
                    server.ranges.append(start)
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                if server.cut_first and self.path not in server.cut_done:
                    server.cut_done.add(self.path)
                    self.wfile.write(body[start:start + (len(body) - start) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body[start:])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def tiny_mnist():
    rng = np.random.default_rng(1)
    arrays = [rng.integers(0, 256, (30, 28, 28)), rng.integers(0, 10, 30), rng.integers(0, 256, (10, 28, 28)),
              rng.integers(0, 10, 10)]
    blobs = {name: idx_bytes(a) for name, a in zip(MNIST_FILES, arrays)}
    spec = StandardSpec("tinymnist", "tiny MNIST", "idx", ("http://127.0.0.1:9/",),
                        tuple((n, md5(blobs[n])) for n in MNIST_FILES), tuple("0123456789"), (1, 28, 28), 30, 10)
    return spec, blobs, arrays


def test_good_download_reads_idx_and_reports_progress(tmp_path):
    spec, blobs, arrays = tiny_mnist()
    seen = []
    with Server({f"/tinymnist/{n}": b for n, b in blobs.items()}) as srv:
        b = load_standard(spec, data_dir=tmp_path, mirror=srv.url, val_fraction=0.2,
                          progress=lambda f, done, total: seen.append((f, done, total)))
    assert b.input_shape == (1, 28, 28) and b.sizes() == {"train": 24, "val": 6, "test": 10}
    assert torch.equal(b.x_test[:, 0], torch.from_numpy(arrays[2].astype(np.uint8)))
    assert {f for f, _, _ in seen} == set(MNIST_FILES) and all(d <= t for _, d, t in seen)
    assert all((tmp_path / "tinymnist" / n).is_file() for n in MNIST_FILES)
    assert not list((tmp_path / "tinymnist").glob("*.part"))
    # a second load uses the cached files (no server now)
    again = load_standard(spec, data_dir=tmp_path, mirror="http://127.0.0.1:9")
    assert torch.equal(again.x_test, b.x_test)


def test_checksum_mismatch_removes_the_file(tmp_path):
    body = b"x" * 5000
    with Server({"/f.bin": body}) as srv, pytest.raises(ChecksumError, match="wrong checksum"):
        download(srv.url + "/f.bin", tmp_path / "f.bin", "md5:" + "0" * 32)
    assert not (tmp_path / "f.bin").exists() and not (tmp_path / "f.bin.part").exists()


def test_interrupted_download_resumes_with_range(tmp_path):
    body = bytes(np.random.default_rng(2).integers(0, 256, 200_000, dtype=np.uint8))
    with Server({"/big.bin": body}, cut_first=True) as srv:
        with pytest.raises(OSError):
            download(srv.url + "/big.bin", tmp_path / "big.bin", md5(body))
        part = tmp_path / "big.bin.part"
        assert 0 < part.stat().st_size < len(body)
        kept = part.stat().st_size
        download(srv.url + "/big.bin", tmp_path / "big.bin", md5(body))
    assert srv.ranges == [kept]
    assert (tmp_path / "big.bin").read_bytes() == body


def test_offline_gives_a_clear_message(tmp_path):
    spec, _, _ = tiny_mnist()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DatasetError) as info:
        load_standard(spec, data_dir=tmp_path, mirror=f"http://127.0.0.1:{port}", timeout=5)
    text = str(info.value)
    assert "offline" in text and str(tmp_path / "tinymnist") in text and "train-images-idx3-ubyte.gz" in text


def test_cifar_binary_download_and_existing_folder(tmp_path):
    blob = cifar_tar()
    spec = StandardSpec("tinycifar", "tiny CIFAR", "cifar-binary", ("http://127.0.0.1:9/",),
                        (("cifar-10-binary.tar.gz", md5(blob)),), tuple(STANDARD["cifar10"].class_names),
                        (3, 32, 32), 20, 4)
    with Server({"/tinycifar/cifar-10-binary.tar.gz": blob}) as srv:
        b = load_standard(spec, data_dir=tmp_path / "cache", mirror=srv.url, val_fraction=0.25)
    assert b.input_shape == (3, 32, 32) and b.sizes() == {"train": 15, "val": 5, "test": 4}
    # the same records, already extracted in the user's own folder (torchvision's layout)
    own = tmp_path / "own" / "cifar-10-batches-bin"
    own.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        for m in tar:
            own.joinpath(m.name.rsplit("/", 1)[-1]).write_bytes(tar.extractfile(m).read())
    assert find_local(spec, tmp_path / "own") is not None
    c = load_standard(spec, data_dir=tmp_path / "own", download=False, val_fraction=0.25)
    assert torch.equal(c.x_test, b.x_test) and torch.equal(c.y_test, b.y_test)


def test_idx_reader_rejects_truncated_files(tmp_path):
    path = tmp_path / "t.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big") + b"abc"))
    with pytest.raises(DatasetError, match="truncated"):
        read_idx(path)


def test_uncompressed_files_in_a_user_folder_are_used(tmp_path):
    spec, blobs, arrays = tiny_mnist()
    folder = tmp_path / "MNIST" / "raw"
    folder.mkdir(parents=True)
    for n, b in blobs.items():
        (folder / n.removesuffix(".gz")).write_bytes(gzip.decompress(b))
    spec = StandardSpec(**{**spec.__dict__, "aliases": ("MNIST/raw",)})
    b = load_standard(spec, data_dir=tmp_path, download=False)
    assert torch.equal(b.x_test[:, 0], torch.from_numpy(arrays[2].astype(np.uint8)))
