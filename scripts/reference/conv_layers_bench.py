"""PyTorch's time for the course ResNet's 3x3 stride-1 layers (16x16 views, batch 256), the twin of
`npm run bench:winograd`: forward, and backward (input and filter gradients), medians of 10.

    /usr/bin/python3 scripts/reference/conv_layers_bench.py [--threads 1]

GFLOP/s counts the direct convolution's FLOPs (2 * N * H * W * C * O * 9 per pass).
"""
import argparse
import time

import torch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    for size, c, o in [(16, 32, 32), (8, 64, 64), (4, 128, 128)]:
        x = torch.randn(256, c, size, size, requires_grad=True)
        w = (torch.randn(o, c, 3, 3) * 0.1).requires_grad_(True)
        forward, backward = [], []
        for r in range(11):
            t0 = time.perf_counter()
            y = torch.nn.functional.conv2d(x, w, padding=1)
            t1 = time.perf_counter()
            y.backward(torch.ones_like(y))
            t2 = time.perf_counter()
            if r > 0:  # the first repetition warms up
                forward.append(t1 - t0)
                backward.append(t2 - t1)
            x.grad = None
            w.grad = None
        f, b = sorted(forward)[5], sorted(backward)[5]
        flop = 2 * 256 * size * size * c * o * 9
        print(f"{size}x{size}, {c} -> {o}: forward {f * 1e3:.1f} ms ({flop / f / 1e9:.0f} GFLOP/s), "
              f"backward (input + filter) {b * 1e3:.1f} ms ({2 * flop / b / 1e9:.0f} GFLOP/s)")


if __name__ == "__main__":
    main()
