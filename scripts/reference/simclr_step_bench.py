"""The PyTorch twin of `npm run bench:recipe`: the whole SimCLR training step of the course recipe
(`npm run bench:ssl -- --methods simclr`), timed phase by phase, on request.

Everything that defines the step comes from simclr_reference.py: the course ResNet, the batched
views (16x16, crop scale (0.2, 1), flip, colour jitter p 0.8 without hue, greyscale p 0.2, CIFAR-10
standardisation), NT-Xent. Head 128 -> 256 (BN, ReLU) -> 64, T 0.2, batch 128, Adam 2e-3 with 50
warm-up steps then a cosine (the learning rate is set every step, as in the reference run).

Driven by scripts/bench-recipe.ts over stdin/stdout, so that its rounds interleave with selfsup's:

    /usr/bin/python3 scripts/reference/simclr_step_bench.py '{"threads": 2, "batch": 128, "images": 5120}'
    < run 6          (six steps; the answer is one line)
    > RESULT {"ok": true, "steps": [{"total": ..., "augmentation": ..., "forward": ..., ...}, ...]}

Times are wall-clock milliseconds; 'cpu' is the process's CPU time of the step, all threads. Needs Debian's torch (apt-get install python3-torch
libopenblas0-pthread) and data/cifar10/data_batch_1.bin (`npm run data`).
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simclr_reference import ResNet, load_split, nt_xent, views  # noqa: E402


def main():
    job = json.loads(sys.argv[1])
    torch.set_num_threads(job['threads'])
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    batch, size, temperature, lr, warmup = job['batch'], job.get('size', 16), job.get('temperature', 0.2), 2e-3, 50
    x_train, _ = load_split(['data_batch_1.bin'])
    x_train = x_train[:job['images']].contiguous()
    n = len(x_train)
    encoder = ResNet()
    head = nn.Sequential(nn.Linear(128, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, 64))
    opt = torch.optim.Adam(list(encoder.parameters()) + list(head.parameters()), lr=lr)
    state = {'step': 0, 'order': torch.randperm(n, generator=gen)}
    per_epoch = n // batch

    def step():
        t0, c0 = time.perf_counter(), time.process_time()
        s = state['step']
        cur = lr * (s + 1) / warmup if s < warmup else lr * 0.5 * (1 + math.cos(math.pi * min(1.0, (s - warmup) / 10000)))
        for g in opt.param_groups:
            g['lr'] = cur
        i = s % per_epoch
        if i == 0 and s > 0:
            state['order'] = torch.randperm(n, generator=gen)
        xb = x_train[state['order'][i * batch:(i + 1) * batch]]
        t1 = time.perf_counter()
        v = torch.cat([views(xb, size, gen), views(xb, size, gen)])
        t2 = time.perf_counter()
        z = head(encoder(v))
        loss = nt_xent(*z.chunk(2), temperature)
        t3 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        t4 = time.perf_counter()
        opt.step()
        t5 = time.perf_counter()
        value = loss.item()
        state['step'] = s + 1
        t6 = time.perf_counter()
        ms = lambda a, b: (b - a) * 1000
        return {'total': ms(t0, t6), 'cpu': (time.process_time() - c0) * 1000, 'augmentation': ms(t1, t2), 'forward': ms(t2, t3), 'backward': ms(t3, t4),
                'optimiser': ms(t4, t5), 'other': ms(t0, t1) + ms(t5, t6), 'loss': value}

    print('READY ' + json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'images': n}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == 'quit':
            break
        if words[0] != 'run' or len(words) != 2:
            print('RESULT ' + json.dumps({'ok': False, 'error': f'unknown command {line.strip()!r} (run N, quit)'}), flush=True)
            continue
        steps = [step() for _ in range(int(words[1]))]
        print('RESULT ' + json.dumps({'ok': True, 'steps': steps}), flush=True)


if __name__ == '__main__':
    main()
