"""PyTorch reference for the course's SimCLR checkpoint: the same recipe as `npm run pretrain -- simclr`.

Same encoder (3x3 stem 32 ch + BN + ReLU, residual blocks 32/64/128 with strides 1/2/2, global
average pool -> 128-d), same head (128 -> 256, BN, ReLU -> 64), 16x16 views (random resized crop
scale (0.2, 1) and ratio (3/4, 4/3), flip, colour jitter p 0.8 with brightness, contrast and
saturation 0.4 and no hue, in that order, greyscale p 0.2), CIFAR-10 channel standardisation,
batch 128, NT-Xent T 0.2, Adam 2e-3 with 50 warm-up steps then a cosine to 0 over the time budget,
on the 50,000 training images. After every epoch: kNN top-1 (k 200, T 0.1, cosine, the training
images as the bank, eval-mode BatchNorm) on the 10,000 test images; evaluation time is not
counted in the budget. Views are made batched with tensor ops (affine grids and grid_sample).

Optional and never needed by `npm test`; needs Debian's torch:

    apt-get install python3-torch libopenblas0-pthread
    /usr/bin/python3 scripts/reference/simclr_reference.py [--minutes 30] [--threads 2] [--seed 0]

Reads data/cifar10/*.bin (`npm run data`), writes scripts/reference/results/simclr.json, from
which `npm run results` makes docs/results.md.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
STD = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)


def load_split(files):
    xs, ys = [], []
    for f in files:
        raw = np.fromfile(os.path.join(ROOT, 'data', 'cifar10', f), dtype=np.uint8).reshape(-1, 3073)
        ys.append(raw[:, 0].astype(np.int64))
        xs.append(raw[:, 1:].reshape(-1, 3, 32, 32))
    return torch.from_numpy(np.concatenate(xs)).float().div_(255), torch.from_numpy(np.concatenate(ys))


def bn2d(c):
    return nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)


class Block(nn.Module):
    def __init__(self, cin, c, s):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, c, 3, s, 1, bias=False)
        self.bn1 = bn2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, 1, 1, bias=False)
        self.bn2 = bn2d(c)
        self.short = None
        if s != 1 or cin != c:
            self.short = nn.Sequential(nn.Conv2d(cin, c, 1, s, 0, bias=False), bn2d(c))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + (self.short(x) if self.short is not None else x))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, 1, 1, bias=False), bn2d(32), nn.ReLU())
        self.blocks = nn.Sequential(Block(32, 32, 1), Block(32, 64, 2), Block(64, 128, 2))

    def forward(self, x):
        return self.blocks(self.stem(x)).mean(dim=(2, 3))


def views(x, size, gen):
    """One SimCLR view of every image in x [B, 3, 32, 32] (in [0, 1]), [B, 3, size, size]."""
    b = x.shape[0]
    u = lambda *s: torch.rand(*s, generator=gen)
    # random resized crop: area scale (0.2, 1), log-uniform aspect ratio (3/4, 4/3), clamped to the image
    area = 0.2 + 0.8 * u(b)
    ratio = torch.exp(math.log(3 / 4) + (math.log(4 / 3) - math.log(3 / 4)) * u(b))
    w = torch.sqrt(area * ratio).clamp(max=1.0)
    h = torch.sqrt(area / ratio).clamp(max=1.0)
    cx = (u(b) * 2 - 1) * (1 - w)
    cy = (u(b) * 2 - 1) * (1 - h)
    flip = torch.where(u(b) < 0.5, -1.0, 1.0)
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = w * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = h
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, (b, 3, size, size), align_corners=False)
    v = F.grid_sample(x, grid, mode='bilinear', padding_mode='border', align_corners=False)
    # colour jitter with p 0.8: brightness, contrast, saturation (factors in [0.6, 1.4]), in that order
    jitter = (u(b) < 0.8).float().view(b, 1, 1, 1)
    gray = lambda t: (0.299 * t[:, 0:1] + 0.587 * t[:, 1:2] + 0.114 * t[:, 2:3])
    factor = lambda: (0.6 + 0.8 * u(b)).view(b, 1, 1, 1)
    j = (v * factor()).clamp(0, 1)
    m = gray(j).mean(dim=(1, 2, 3), keepdim=True)
    f = factor()
    j = (f * j + (1 - f) * m).clamp(0, 1)
    f = factor()
    j = (f * j + (1 - f) * gray(j)).clamp(0, 1)
    v = jitter * j + (1 - jitter) * v
    # greyscale with p 0.2
    g = (u(b) < 0.2).float().view(b, 1, 1, 1)
    v = g * gray(v).expand(-1, 3, -1, -1) + (1 - g) * v
    return (v - MEAN) / STD


def nt_xent(z1, z2, t):
    u = F.normalize(torch.cat([z1, z2]), dim=1)
    logits = u @ u.t() / t
    logits.fill_diagonal_(float('-inf'))
    n = z1.shape[0]
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, target)


@torch.no_grad()
def features(encoder, x, batch=1000):
    encoder.eval()
    out = torch.cat([F.normalize(encoder((x[i:i + batch] - MEAN) / STD), dim=1) for i in range(0, len(x), batch)])
    encoder.train()
    return out


@torch.no_grad()
def knn_top1(encoder, x_train, y_train, x_test, y_test, k=200, t=0.1, classes=10):
    bank, queries = features(encoder, x_train), features(encoder, x_test)
    correct = 0
    for i in range(0, len(queries), 500):
        sim = queries[i:i + 500] @ bank.t()
        w, idx = sim.topk(k, dim=1)
        votes = torch.zeros(len(w), classes).scatter_add_(1, y_train[idx], (w / t).exp())
        correct += (votes.argmax(dim=1) == y_test[i:i + 500]).sum().item()
    return correct / len(queries)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--minutes', type=float, default=30)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    x_train, y_train = load_split([f'data_batch_{i}.bin' for i in range(1, 6)])
    x_test, y_test = load_split(['test_batch.bin'])
    encoder = ResNet()
    head = nn.Sequential(nn.Linear(128, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, 64))
    params = list(encoder.parameters()) + list(head.parameters())
    lr, warmup, batch, size, temperature = 2e-3, 50, 128, 16, 0.2
    opt = torch.optim.Adam(params, lr=lr)
    budget = a.minutes * 60
    n = len(x_train)
    per_epoch = n // batch
    trained, step, epochs, warm_end = 0.0, 0, [], None
    print(f'simclr_reference: torch {torch.__version__}, {a.threads} threads, budget {a.minutes} min, batch {batch}, views {size}x{size}, T {temperature}', flush=True)
    while trained < budget:
        order = torch.randperm(n, generator=gen)
        for i in range(per_epoch):
            t0 = time.perf_counter()
            if step < warmup:
                cur = lr * (step + 1) / warmup
            else:
                warm_end = trained if warm_end is None else warm_end
                frac = min(1.0, (trained - warm_end) / max(1e-9, budget - warm_end))
                cur = lr * 0.5 * (1 + math.cos(math.pi * frac))
            for g in opt.param_groups:
                g['lr'] = cur
            xb = x_train[order[i * batch:(i + 1) * batch]]
            z = head(encoder(torch.cat([views(xb, size, gen), views(xb, size, gen)])))
            loss = nt_xent(*z.chunk(2), temperature)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            trained += time.perf_counter() - t0
            if step % 100 == 0:
                print(f'step {step} loss {loss.item():.3f} lr {cur:.5f} ({trained:.0f} s)', flush=True)
            if trained >= budget:
                break
        top1 = knn_top1(encoder, x_train, y_train, x_test, y_test)
        epochs.append({'epoch': round(step / per_epoch, 2), 'minutes': trained / 60, 'knnTop1': top1})
        print(f'epoch {step / per_epoch:.2f}: kNN top-1 {100 * top1:.2f}% after {trained / 60:.1f} min of training', flush=True)
    result = {
        'method': 'SimCLR',
        'command': f'/usr/bin/python3 scripts/reference/simclr_reference.py --minutes {a.minutes:g} --threads {a.threads} --seed {a.seed}',
        'torch': torch.__version__,
        'threads': a.threads,
        'budgetMinutes': a.minutes,
        'batchSize': batch,
        'imagesPerSecond': step * batch / trained,
        'machine': {'cpu': cpu_model(), 'cores': os.cpu_count(), 'date': time.strftime('%Y-%m-%d')},
        'epochs': epochs,
        'final': {'steps': step, 'epochs': step / per_epoch, 'knnTop1': epochs[-1]['knnTop1']},
    }
    out = os.path.join(ROOT, 'scripts', 'reference', 'results', 'simclr.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out + '.partial', 'w') as f:
        json.dump(result, f, indent=2)
        f.write('\n')
    os.replace(out + '.partial', out)
    print(f'simclr_reference: wrote {out}', flush=True)


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return 'unknown'


if __name__ == '__main__':
    main()
