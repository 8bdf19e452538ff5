#!/usr/bin/env python3
"""The PyTorch twin of a Sweep trial spec, for `make bench SUITES=trials`.

Builds the model of a Sweep trial spec (JSON, the keys and defaults of README "Trial spec") in
PyTorch: the same layers in the same order, the same initializers, optimizer and penalty (L2 as
the optimizer's coupled weight_decay = 2·l2 on weights, which is what λ·Σw² differentiates to;
L1 added to the loss), and trains it on Fashion-MNIST the way Sweep's trainer does: a new
permutation each epoch, then a validation pass in evaluation mode, timed together.

    torch_trial.py THREADS SPECS.json

SPECS.json is a list of trial specs. Training uses the first `data.limit` training images and
validation the first `data.test_limit` test images, as the Swift side does. Prints one JSON line per
spec ({"seconds": [per epoch], "validation_accuracy": [...], "max_rss_mb": ...}), then a
SUMMARY line. Needs torch and numpy; Sweep itself never does.
"""
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

ROOT = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(ROOT, name + ".gz"), "rb") as f:
        data = f.read()
    ndim = struct.unpack(">I", data[:4])[0] & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def images(prefix, limit):
    x = torch.from_numpy(idx(prefix + "-images-idx3-ubyte")[:limit].astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(idx(prefix + "-labels-idx1-ubyte")[:limit].astype(np.int64))
    return x, y


def activation(spec):
    name = spec.get("activation", "relu")
    if name.startswith("leaky_relu"):
        return nn.LeakyReLU(float(spec.get("leaky_alpha", 0.01)))
    return {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "linear": nn.Identity}[name]()


INITS = {
    "glorot_uniform": nn.init.xavier_uniform_, "glorot_normal": nn.init.xavier_normal_,
    "he_uniform": lambda w: nn.init.kaiming_uniform_(w, nonlinearity="relu"),
    "he_normal": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
    "lecun_normal": lambda w: nn.init.normal_(w, std=(1.0 / nn.init._calculate_correct_fan(w, "fan_in")) ** 0.5),
}


def initialize(model, spec):
    weight = INITS[spec.get("weight_init", "glorot_uniform")]
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            weight(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.RNN):
            weight(m.weight_ih_l0)
            weight(m.weight_hh_l0)
            nn.init.zeros_(m.bias_ih_l0)
            nn.init.zeros_(m.bias_hh_l0)


def head(spec, width, outputs, batch_norm):
    layers = []
    for h in spec.get("hidden", [128]):
        layers.append(nn.Linear(width, h))
        if batch_norm:
            layers.append(nn.BatchNorm1d(h))
        layers.append(activation(spec))
        if spec.get("dropout", 0) > 0:
            layers.append(nn.Dropout(spec["dropout"]))
        width = h
    layers.append(nn.Linear(width, outputs))
    return layers


class Residual(nn.Module):
    """Sweep's ResidualBlock: conv-BN-act-conv-BN plus the (projected) input, then act."""

    def __init__(self, cin, cout, stride, spec):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), activation(spec),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.projection = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
                           if stride != 1 or cin != cout else nn.Identity())
        self.act = activation(spec)

    def forward(self, x):
        return self.act(self.body(x) + self.projection(x))


class RNN(nn.Module):
    """Sweep's SimpleRNN over image rows, then the output layer."""

    def __init__(self, spec, outputs):
        super().__init__()
        units = spec.get("units", 128)
        if spec.get("activation", "relu") not in ("relu", "tanh"):
            raise SystemExit("the rnn twin runs tanh only (Sweep's rnn turns relu into tanh)")
        self.rnn = nn.RNN(28, units, nonlinearity="tanh", batch_first=True)
        self.dropout = nn.Dropout(spec.get("dropout", 0))
        self.out = nn.Linear(units, outputs)

    def forward(self, x):
        _, h = self.rnn(x.squeeze(1))
        return self.out(self.dropout(h[0]))


def model(spec, outputs=10):
    kind = spec.get("kind", "mlp")
    bn = spec.get("batch_norm", False)
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), *head(spec, 784, outputs, bn))
    if kind == "cnn":
        layers, c, size = [], 1, 28
        k, p = spec.get("kernel", 3), spec.get("padding", 0)
        for out in spec.get("channels", [32, 64]):
            layers.append(nn.Conv2d(c, out, k, padding=p, bias=not bn))
            if bn:
                layers.append(nn.BatchNorm2d(out))
            layers += [activation(spec), nn.MaxPool2d(2)]
            c, size = out, (size + 2 * p - k + 1) // 2
        return nn.Sequential(*layers, nn.Flatten(), *head(spec, c * size * size, outputs, False))
    if kind == "resnet":
        channels = spec.get("channels", [32, 64])
        c = channels[0]
        layers = [nn.Conv2d(1, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), activation(spec)]
        for stage, out in enumerate(channels):
            for block in range(spec.get("blocks", 1)):
                layers.append(Residual(c, out, 2 if stage > 0 and block == 0 else 1, spec))
                c = out
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        if spec.get("dropout", 0) > 0:
            layers.append(nn.Dropout(spec["dropout"]))
        return nn.Sequential(*layers, nn.Linear(c, outputs))
    if kind == "rnn":
        return RNN(spec, outputs)
    raise SystemExit(f"model.kind {kind} has no PyTorch twin")


def optimizer(spec, net):
    o = spec.get("optimizer", {})
    name = o.get("name", "adam")
    l2 = spec.get("l2", 0)
    weights = [p for p in net.parameters() if p.dim() >= 2]
    others = [p for p in net.parameters() if p.dim() < 2]
    groups = [{"params": weights, "weight_decay": 2 * l2}, {"params": others, "weight_decay": 0}]
    adam = name.startswith("adam") and name != "adadelta"
    lr = o.get("lr", 1.0 if name == "adadelta" else (0.001 if adam else 0.01))
    momentum = o.get("momentum", 0.9 if name in ("momentum", "nesterov") else 0)
    if name in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(groups, lr=lr, momentum=momentum, nesterov=o.get("nesterov", name == "nesterov"))
    if name == "adagrad":
        return torch.optim.Adagrad(groups, lr=lr, eps=o.get("epsilon", 1e-8))
    if name == "adadelta":
        return torch.optim.Adadelta(groups, lr=lr, rho=o.get("rho", 0.95), eps=o.get("epsilon", 1e-6))
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=o.get("rho", 0.9), eps=o.get("epsilon", 1e-8))
    betas = (o.get("beta1", 0.9), o.get("beta2", 0.999))
    if name == "adamw":
        decay = o.get("weight_decay", 0.01)
        groups = [{"params": weights, "weight_decay": decay}, {"params": others, "weight_decay": decay}]
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=o.get("epsilon", 1e-8))
    return torch.optim.Adam(groups, lr=lr, betas=betas, eps=o.get("epsilon", 1e-8))


def peak_resident_mb():
    """VmHWM: unlike ru_maxrss it starts afresh at exec, so a child of a big process reports its own."""
    with open("/proc/self/status") as f:
        line = next(l for l in f if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def start_like_sweep(net, twin):
    """Sweep's initial parameters, in its order (model.parameters): a dense weight is [in, out]
    where PyTorch's is [out, in]; batch-norm scales are [1, n]; the RNN has one bias (b_hh = 0)."""
    values = np.fromfile(twin["parameters"], dtype=np.float32)
    arrays, at = [], 0
    for shape in twin["shapes"]:
        n = int(np.prod(shape))
        arrays.append(values[at:at + n].reshape(shape))
        at += n
    arrays.reverse()
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith("bias_hh_l0"):
                p.zero_()
                continue
            a = arrays.pop()
            if a.ndim == 2 and a.shape[0] == 1 and p.dim() == 1:
                a = a.reshape(-1)
            elif a.ndim == 4 and p.dim() == 1:
                a = a.reshape(-1)
            elif a.ndim == 2 and p.dim() == 2:
                a = a.T
            if tuple(a.shape) != tuple(p.shape):
                raise SystemExit(f"twin parameter {name}: Sweep {a.shape} vs PyTorch {tuple(p.shape)}")
            p.copy_(torch.from_numpy(np.ascontiguousarray(a)))
    if arrays:
        raise SystemExit(f"twin: {len(arrays)} Sweep parameters left over")


def run(spec, train_all, validation_all):
    data = spec.get("data", {})
    train = tuple(t[:data.get("limit", 60000)] for t in train_all)
    validation = tuple(t[:data.get("test_limit", 10000)] for t in validation_all)
    torch.manual_seed(spec.get("seed", 0))
    net = model(spec.get("model", {}))
    initialize(net, spec.get("model", {}))
    twin = spec.get("twin")
    if twin:
        start_like_sweep(net, twin)
        order_all = torch.from_numpy(np.fromfile(twin["order"], dtype=np.int32).astype(np.int64))
    opt = optimizer(spec, net)
    loss_fn = nn.CrossEntropyLoss()
    l1 = spec.get("l1", 0)
    weights = [p for p in net.parameters() if p.dim() >= 2]
    (xt, yt), (xv, yv) = train, validation
    batch = spec.get("batch_size", 128)
    seconds, accuracy = [], []
    for epoch in range(spec.get("epochs", 3)):
        start = time.perf_counter()
        net.train()
        # The very batches Sweep trains on, when it says which.
        order = order_all[epoch * len(xt):(epoch + 1) * len(xt)] if twin else torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = order[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xt[idx]), yt[idx])
            if l1 > 0:
                loss = loss + l1 * sum(w.abs().sum() for w in weights)
            loss.backward()
            opt.step()
        net.eval()
        right = 0
        with torch.no_grad():
            for i in range(0, len(xv), 1000):
                right += (net(xv[i:i + 1000]).argmax(1) == yv[i:i + 1000]).sum().item()
        seconds.append(time.perf_counter() - start)
        accuracy.append(right / len(xv))
    return seconds, accuracy


def main():
    threads, path = int(sys.argv[1]), sys.argv[2]
    torch.set_num_threads(threads)
    with open(path) as f:
        specs = json.load(f)
    # Only as many images as the specs use, so that the peak memory compares like with like.
    train = images("train", max(s.get("data", {}).get("limit", 60000) for s in specs))
    validation = images("t10k", max(s.get("data", {}).get("test_limit", 10000) for s in specs))
    for spec in specs:
        seconds, accuracy = run(spec, train, validation)
        rss = peak_resident_mb()
        print(json.dumps({"seconds": seconds, "validation_accuracy": accuracy, "max_rss_mb": rss}), flush=True)
    print(f"SUMMARY torch {torch.__version__} threads={threads} specs={len(specs)}")


if __name__ == "__main__":
    main()
