"""Reference values for selfsup's losses, computed with PyTorch in float64.

Each formula is re-implemented here from the reference code named next to it (lightly-ai/lightly
is not installable on the machine that made these, so its loss formulas are re-written from its
source). Run with Debian's torch:

    /usr/bin/python3 scripts/reference/make_loss_fixtures.py

It writes tests/fixtures/reference/losses.json. Tests read that file; they never run Python.
Inputs are stored in the JSON too, so the tests feed exactly the same numbers.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(20240601)
DT = torch.float64
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'fixtures', 'reference', 'losses.json')


def rnd(*shape):
    return torch.randn(*shape, dtype=DT)


def leaf(t):
    return t.clone().detach().requires_grad_(True)


def lst(t):
    return t.detach().cpu().tolist()


# ---- NT-Xent: lightly/loss/ntx_ent_loss.py, NTXentLoss(memory_bank_size=0), single process
def lightly_ntxent(out0, out1, temperature):
    n = out0.shape[0]
    out0 = F.normalize(out0, dim=1)
    out1 = F.normalize(out1, dim=1)
    diag = torch.eye(n, dtype=torch.bool)
    l00 = out0 @ out0.T / temperature
    l01 = out0 @ out1.T / temperature
    l10 = out1 @ out0.T / temperature
    l11 = out1 @ out1.T / temperature
    l00 = l00[~diag].view(n, -1)
    l11 = l11[~diag].view(n, -1)
    logits = torch.cat([torch.cat([l01, l00], 1), torch.cat([l10, l11], 1)], 0)
    labels = torch.arange(n).repeat(2)
    return F.cross_entropy(logits, labels)


# ---- MoCo: facebookresearch/moco moco/builder.py (q, k normalised in the model; queue of normalised keys)
def moco_infonce(q, k, queue, temperature):
    q = F.normalize(q, dim=1)
    k = F.normalize(k, dim=1).detach()
    queue = F.normalize(queue, dim=1).detach()  # stored as [K, D] here, [D, K] in MoCo
    l_pos = torch.einsum('nc,nc->n', q, k).unsqueeze(-1)
    l_neg = q @ queue.T
    logits = torch.cat([l_pos, l_neg], 1) / temperature
    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))


# ---- SwAV: lightly/loss/swav_loss.py sinkhorn + SwaVLoss (= facebookresearch/swav main_swav.py)
@torch.no_grad()
def sinkhorn(out, iterations=3, epsilon=0.05):
    Q = torch.exp(out / epsilon).t()
    Q /= torch.sum(Q)
    B = Q.shape[1]
    K = Q.shape[0]
    for _ in range(iterations):
        Q /= torch.sum(Q, dim=1, keepdim=True)
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()


def swav(high, low, temperature=0.1, iterations=3, epsilon=0.05):
    n_crops = len(high) + len(low)
    loss = 0.0
    for i in range(len(high)):
        q = sinkhorn(high[i].detach(), iterations, epsilon)
        sub = 0.0
        for v in range(len(high)):
            if v != i:
                sub = sub - torch.mean(torch.sum(q * F.log_softmax(high[v] / temperature, dim=1), dim=1))
        for v in range(len(low)):
            sub = sub - torch.mean(torch.sum(q * F.log_softmax(low[v] / temperature, dim=1), dim=1))
        loss = loss + sub / (n_crops - 1)
    return loss / len(high)


# ---- MAE: facebookresearch/mae models_mae.py patchify / random_masking / forward_loss (NCHW)
def mae_patchify(imgs, p):
    n, c, h, w = imgs.shape
    hh, ww = h // p, w // p
    x = imgs.reshape(n, c, hh, p, ww, p)
    x = torch.einsum('nchpwq->nhwpqc', x)
    return x.reshape(n, hh * ww, p * p * c)


def mae_random_masking(x, mask_ratio, noise):
    N, L, D = x.shape
    len_keep = int(L * (1 - mask_ratio))
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep]
    x_masked = torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).repeat(1, 1, D))
    mask = torch.ones([N, L], dtype=x.dtype)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, dim=1, index=ids_restore)
    return x_masked, mask, ids_restore


def mae_loss(imgs, pred, mask, p, norm_pix_loss):
    target = mae_patchify(imgs, p)
    if norm_pix_loss:
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.e-6) ** .5
    loss = ((pred - target) ** 2).mean(dim=-1)
    return (loss * mask).sum() / mask.sum()


# ---- facebookresearch/barlowtwins main.py (BarlowTwins.forward): torch's own BatchNorm1d with
# affine=False in training mode (biased batch variance, eps 1e-5), as the official code runs it
def barlow(z_a, z_b, lambda_param=5e-3):
    N, D = z_a.shape
    bn = torch.nn.BatchNorm1d(D, affine=False, dtype=DT)
    bn.train()
    za = bn(z_a)
    zb = bn(z_b)
    c = za.T @ zb / N
    c_diff = (c - torch.eye(D, dtype=DT)).pow(2)
    off = ~torch.eye(D, dtype=torch.bool)
    c_diff = torch.where(off, c_diff * lambda_param, c_diff)
    return c_diff.sum()


# ---- lightly vicreg_loss.py
def vic_inv(x, y):
    return F.mse_loss(x, y)


def vic_var(x, eps=1e-4):
    x = x - x.mean(dim=0)
    std = torch.sqrt(x.var(dim=0) + eps)
    return torch.mean(F.relu(1.0 - std))


def vic_cov(x):
    x = x - x.mean(dim=0)
    n, d = x.shape
    cov = x.T @ x / (n - 1)
    off = ~torch.eye(d, dtype=torch.bool)
    return cov[off].pow(2).sum() / d


def vicreg(a, b):
    return 25 * vic_inv(a, b) + 25 * 0.5 * (vic_var(a) + vic_var(b)) + 1 * (vic_cov(a) + vic_cov(b))


# ---- CLIP paper, Figure 3 pseudo-code
def clip(img, txt, scale):
    i_e = F.normalize(img, dim=1)
    t_e = F.normalize(txt, dim=1)
    logits = i_e @ t_e.T * scale
    labels = torch.arange(img.shape[0])
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


# ---- SsnL/align_uniform
def align(x, y, alpha=2):
    return (x - y).norm(p=2, dim=1).pow(alpha).mean()


def uniform(x, t=2):
    return torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()


# ---- facebookresearch/mae util/pos_embed.py
def pos_1d(embed_dim, pos):
    omega = np.arange(embed_dim // 2, dtype=np.float64)
    omega /= embed_dim / 2.
    omega = 1. / 10000 ** omega
    out = np.einsum('m,d->md', pos.reshape(-1), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def pos_2d(embed_dim, grid_size, cls_token):
    gh = np.arange(grid_size, dtype=np.float64)
    gw = np.arange(grid_size, dtype=np.float64)
    grid = np.stack(np.meshgrid(gw, gh), axis=0).reshape([2, 1, grid_size, grid_size])
    emb = np.concatenate([pos_1d(embed_dim // 2, grid[0]), pos_1d(embed_dim // 2, grid[1])], axis=1)
    if cls_token:
        emb = np.concatenate([np.zeros([1, embed_dim]), emb], axis=0)
    return emb


def with_grads(fn, *inputs):
    leaves = [leaf(t) for t in inputs]
    value = fn(*leaves)
    value.backward()
    return value.item(), [lst(l.grad) if l.grad is not None else None for l in leaves]


fx = {}

# NT-Xent
z1, z2 = rnd(6, 5), rnd(6, 5)
for name, T in (('ntXent', 0.5), ('ntXentT01', 0.1)):
    v, (g1, g2) = with_grads(lambda a, b: lightly_ntxent(a, b, T), z1, z2)
    fx[name] = {'z1': lst(z1), 'z2': lst(z2), 'temperature': T, 'loss': v, 'grad_z1': g1, 'grad_z2': g2}

# InfoNCE
q, k, queue = rnd(4, 6), rnd(4, 6), rnd(10, 6)
v, (gq, gk, gqueue) = with_grads(lambda a, b, c: moco_infonce(a, b, c, 0.2), q, k, queue)
fx['infoNce'] = {'q': lst(q), 'k': lst(k), 'queue': lst(queue), 'temperature': 0.2, 'loss': v, 'grad_q': gq}

# Sinkhorn and SwAV
scores = torch.tanh(rnd(6, 4))
fx['sinkhorn'] = {'scores': lst(scores), 'epsilon': 0.05, 'iterations': 3, 'codes': lst(sinkhorn(scores, 3, 0.05))}
fx['sinkhornEps001'] = {'scores': lst(scores), 'epsilon': 0.01, 'iterations': 3, 'codes': lst(sinkhorn(scores, 3, 0.01))}
high = [torch.tanh(rnd(6, 4)) for _ in range(2)]
low = [torch.tanh(rnd(6, 4)) for _ in range(3)]
v, grads = with_grads(lambda *s: swav(list(s[:2]), list(s[2:]), 0.1, 3, 0.05), *high, *low)
fx['swav'] = {'high': [lst(h) for h in high], 'low': [lst(l) for l in low], 'temperature': 0.1, 'loss': v, 'grads': grads}
v, _ = with_grads(lambda *s: swav(list(s[:2]), [], 0.1, 3, 0.05), *high)
fx['swavTwoCrops'] = {'high': [lst(h) for h in high], 'temperature': 0.1, 'loss': v}

# MAE: NHWC images (ours) are permuted to NCHW for the official functions
imgs_nhwc = torch.rand(2, 8, 8, 3, dtype=DT)
imgs_nchw = imgs_nhwc.permute(0, 3, 1, 2).contiguous()
p = 2
patches = mae_patchify(imgs_nchw, p)
noise = torch.rand(2, patches.shape[1], dtype=DT)
x_masked, mask, ids_restore = mae_random_masking(patches, 0.75, noise)
pred = rnd(2, patches.shape[1], p * p * 3)
loss_plain, (g_plain,) = with_grads(lambda pr: mae_loss(imgs_nchw, pr, mask, p, False), pred)
loss_norm, (g_norm,) = with_grads(lambda pr: mae_loss(imgs_nchw, pr, mask, p, True), pred)
fx['mae'] = {
    'imagesNHWC': lst(imgs_nhwc), 'patchSize': p, 'patches': lst(patches), 'noise': lst(noise), 'maskRatio': 0.75,
    'kept': lst(x_masked), 'mask': lst(mask), 'idsRestore': lst(ids_restore), 'pred': lst(pred),
    'loss': loss_plain, 'grad_pred': g_plain, 'lossNormPix': loss_norm, 'grad_pred_normPix': g_norm,
}

# Negative cosine similarity (lightly, = -cosine_similarity(x0, x1).mean())
pp, zz = rnd(5, 7), rnd(5, 7)
fx['negativeCosine'] = {'p': lst(pp), 'z': lst(zz), 'loss': (-F.cosine_similarity(pp, zz, dim=1, eps=1e-8).mean()).item()}

# Barlow Twins
za, zb = rnd(8, 5), rnd(8, 5)
v, (ga, gb) = with_grads(lambda a, b: barlow(a, b, 5e-3), za, zb)
fx['barlowTwins'] = {'z1': lst(za), 'z2': lst(zb), 'lambda': 5e-3, 'loss': v, 'grad_z1': ga, 'grad_z2': gb}

# VICReg
va, vb = rnd(8, 5), rnd(8, 5) * 0.5
v, (ga, gb) = with_grads(vicreg, va, vb)
fx['vicreg'] = {
    'z1': lst(va), 'z2': lst(vb), 'loss': v, 'grad_z1': ga, 'grad_z2': gb,
    'invariance': vic_inv(va, vb).item(), 'variance1': vic_var(va).item(), 'variance2': vic_var(vb).item(),
    'covariance1': vic_cov(va).item(), 'covariance2': vic_cov(vb).item(),
}

# CLIP
ie, te = rnd(5, 6), rnd(5, 6)
v, (gi, gt) = with_grads(lambda a, b: clip(a, b, 1 / 0.07), ie, te)
fx['clip'] = {'imageEmb': lst(ie), 'textEmb': lst(te), 'logitScale': 1 / 0.07, 'loss': v, 'grad_image': gi, 'grad_text': gt}

# Alignment / uniformity on normalised embeddings
ua, ub = F.normalize(rnd(8, 4), dim=1), F.normalize(rnd(8, 4), dim=1)
v_u, (g_u,) = with_grads(lambda a: uniform(a, 2), ua)
fx['alignUniform'] = {
    'z1': lst(ua), 'z2': lst(ub), 'alignment2': align(ua, ub, 2).item(), 'alignment1': align(ua, ub, 1).item(),
    'uniformity2': v_u, 'grad_uniformity2': g_u, 'uniformity5': uniform(ua, 5).item(),
}

# Rotation: torch.rot90 on the H, W axes of NHWC, cross-entropy of 4-way logits
img = torch.arange(2 * 3 * 3 * 2, dtype=DT).reshape(2, 3, 3, 2)
logits = rnd(6, 4)
labels = torch.tensor([0, 1, 2, 3, 1, 2])
fx['rotation'] = {
    'x': lst(img), 'rotations': [lst(torch.rot90(img, kk, dims=(1, 2))) for kk in range(4)],
    'logits': lst(logits), 'labels': lst(labels), 'loss': F.cross_entropy(logits, labels).item(),
}

# Fixed 2-D sin-cos positional embedding (MAE)
fx['posEmbed'] = {'embedDim': 16, 'gridSize': 4, 'clsToken': True, 'values': pos_2d(16, 4, True).tolist()}

fx['_meta'] = {'torch': torch.__version__, 'numpy': np.__version__, 'dtype': 'float64', 'script': 'scripts/reference/make_loss_fixtures.py'}

with open(OUT, 'w') as f:
    json.dump(fx, f, separators=(',', ':'))
print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes')
