"""Reference forward passes of a tiny ViT encoder and MAE, in PyTorch (float64).

Written from facebookresearch/mae models_mae.py (PatchEmbed conv, fixed sin-cos position
embedding, random_masking from given noise, forward_encoder / forward_decoder / forward_loss
with norm_pix_loss) and timm's pre-norm Block (LayerNorm eps 1e-6, qkv with bias, exact GELU).
The random weights are stored under selfsup's weight names and layouts (Dense kernels [in, out])
so a test can load them with setWeights and compare outputs. Run:

    /usr/bin/python3 scripts/reference/make_vit_fixtures.py

It writes tests/fixtures/reference/vit.json.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(7)
DT = torch.float64
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'tests', 'fixtures', 'reference', 'vit.json')

IMG, P, C, D, DEPTH, HEADS, MLP = 8, 2, 3, 8, 1, 2, 2
DD, DDEPTH, DHEADS = 8, 1, 2
GRID = IMG // P
L = GRID * GRID


def pos_1d(dim, pos):
    omega = np.arange(dim // 2, dtype=np.float64) / (dim / 2.)
    omega = 1. / 10000 ** omega
    out = np.einsum('m,d->md', pos.reshape(-1), omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def pos_2d(dim, grid_size):
    g = np.arange(grid_size, dtype=np.float64)
    grid = np.stack(np.meshgrid(g, g), axis=0).reshape([2, 1, grid_size, grid_size])
    emb = np.concatenate([pos_1d(dim // 2, grid[0]), pos_1d(dim // 2, grid[1])], axis=1)
    return torch.tensor(np.concatenate([np.zeros([1, dim]), emb], axis=0), dtype=DT)


W = {}


def param(name, *shape, scale=0.3):
    W[name] = torch.randn(*shape, dtype=DT) * scale
    return W[name]


def dense(prefix, din, dout):
    param(prefix + '.kernel', din, dout)
    param(prefix + '.bias', dout, scale=0.1)


def norm(prefix, dim):
    W[prefix + '.gamma'] = 1 + torch.randn(dim, dtype=DT) * 0.1
    W[prefix + '.beta'] = torch.randn(dim, dtype=DT) * 0.1


def block_params(prefix, dim):
    norm(prefix + '.norm1', dim)
    dense(prefix + '.attn.qkv', dim, 3 * dim)
    dense(prefix + '.attn.proj', dim, dim)
    norm(prefix + '.norm2', dim)
    dense(prefix + '.fc1', dim, dim * MLP)
    dense(prefix + '.fc2', dim * MLP, dim)


dense('encoder.patchEmbed', P * P * C, D)
param('encoder.clsToken', 1, 1, D)
for i in range(DEPTH):
    block_params(f'encoder.blocks.{i}', D)
norm('encoder.norm', D)
dense('decoderEmbed', D, DD)
param('maskToken', 1, 1, DD)
for i in range(DDEPTH):
    block_params(f'decoderBlocks.{i}', DD)
norm('decoderNorm', DD)
dense('decoderPred', DD, P * P * C)


def lin(x, prefix):
    return x @ W[prefix + '.kernel'] + W[prefix + '.bias']


def ln(x, prefix):
    return F.layer_norm(x, (x.shape[-1],), W[prefix + '.gamma'], W[prefix + '.beta'], eps=1e-6)


def block(x, prefix, heads):  # timm Block, pre-norm
    B, N, Dm = x.shape
    h = ln(x, prefix + '.norm1')
    qkv = lin(h, prefix + '.attn.qkv').reshape(B, N, 3, heads, Dm // heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    attn = ((q @ k.transpose(-2, -1)) * (Dm // heads) ** -0.5).softmax(dim=-1)
    a = (attn @ v).transpose(1, 2).reshape(B, N, Dm)
    x = x + lin(a, prefix + '.attn.proj')
    h = ln(x, prefix + '.norm2')
    return x + lin(F.gelu(lin(h, prefix + '.fc1')), prefix + '.fc2')


def patch_embed(imgs_nchw):
    # The Dense kernel [(i*p + j)*C + c, o] as a Conv2d weight [o, c, i, j]: MAE's PatchEmbed.
    k = W['encoder.patchEmbed.kernel'].reshape(P, P, C, D).permute(3, 2, 0, 1)
    y = F.conv2d(imgs_nchw, k, W['encoder.patchEmbed.bias'], stride=P)  # [B, D, H/p, W/p]
    return y.flatten(2).transpose(1, 2)  # [B, L, D]


def patchify(imgs):
    n = imgs.shape[0]
    x = imgs.reshape(n, C, GRID, P, GRID, P)
    x = torch.einsum('nchpwq->nhwpqc', x)
    return x.reshape(n, L, P * P * C)


pos = pos_2d(D, GRID)
dpos = pos_2d(DD, GRID)


def encoder(imgs, noise=None, mask_ratio=0.75):
    x = patch_embed(imgs) + pos[1:]
    mask = ids_restore = None
    if noise is not None:
        n, l, dm = x.shape
        keep = int(l * (1 - mask_ratio))
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        x = torch.gather(x, 1, ids_shuffle[:, :keep].unsqueeze(-1).repeat(1, 1, dm))
        mask = torch.ones([n, l], dtype=DT)
        mask[:, :keep] = 0
        mask = torch.gather(mask, 1, ids_restore)
    cls = (W['encoder.clsToken'] + pos[:1]).expand(x.shape[0], -1, -1)
    x = torch.cat([cls, x], 1)
    for i in range(DEPTH):
        x = block(x, f'encoder.blocks.{i}', HEADS)
    return ln(x, 'encoder.norm'), mask, ids_restore


def decoder(x, ids_restore):
    x = lin(x, 'decoderEmbed')
    mask_tokens = W['maskToken'].repeat(x.shape[0], ids_restore.shape[1] + 1 - x.shape[1], 1)
    x_ = torch.cat([x[:, 1:, :], mask_tokens], 1)
    x_ = torch.gather(x_, 1, ids_restore.unsqueeze(-1).repeat(1, 1, x.shape[2]))
    x = torch.cat([x[:, :1, :], x_], 1) + dpos
    for i in range(DDEPTH):
        x = block(x, f'decoderBlocks.{i}', DHEADS)
    return lin(ln(x, 'decoderNorm'), 'decoderPred')[:, 1:, :]


def loss_fn(imgs, pred, mask):
    target = patchify(imgs)
    mean = target.mean(dim=-1, keepdim=True)
    var = target.var(dim=-1, keepdim=True)
    target = (target - mean) / (var + 1.e-6) ** .5
    loss = ((pred - target) ** 2).mean(dim=-1)
    return (loss * mask).sum() / mask.sum()


imgs_nhwc = torch.rand(2, IMG, IMG, C, dtype=DT)
imgs = imgs_nhwc.permute(0, 3, 1, 2).contiguous()
noise = torch.rand(2, L, dtype=DT)
features, _, _ = encoder(imgs)
latent, mask, ids_restore = encoder(imgs, noise)
pred = decoder(latent, ids_restore)
loss = loss_fn(imgs, pred, mask)

fixture = {
    'config': {'imageSize': IMG, 'patchSize': P, 'channels': C, 'dim': D, 'depth': DEPTH, 'numHeads': HEADS, 'mlpRatio': MLP,
               'decoderDim': DD, 'decoderDepth': DDEPTH, 'decoderHeads': DHEADS, 'maskRatio': 0.75},
    'weights': {k: {'shape': list(v.shape), 'values': v.flatten().tolist()} for k, v in W.items()},
    'imagesNHWC': imgs_nhwc.tolist(),
    'noise': noise.tolist(),
    'clsFeatures': features[:, 0, :].tolist(),
    'pred': pred.tolist(),
    'mask': mask.tolist(),
    'loss': loss.item(),
    '_meta': {'torch': torch.__version__, 'dtype': 'float64', 'script': 'scripts/reference/make_vit_fixtures.py'},
}
with open(OUT, 'w') as f:
    json.dump(fixture, f, separators=(',', ':'))
print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes; loss', loss.item())
