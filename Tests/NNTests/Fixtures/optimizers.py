"""Reference optimizer trajectories for Tests/NNTests/OptimizerTests.swift.

An independent float64 NumPy implementation of each update rule (PyTorch's conventions).
Loss: sum(c * (w - t)^2), so g = 2c(w - t). Run: python3 optimizers.py > optimizers.json
"""
import json
import numpy as np

w0 = np.array([0.5, -1.0, 2.0, 0.0, 3.0])
t = np.array([1.0, 1.0, -1.0, 0.5, 2.0])
c = np.array([1.0, 0.5, 2.0, 1.5, 0.1])
STEPS = 5

def grad(w):
    return 2 * c * (w - t)

def run(name, lr, **h):
    w = w0.copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = []
    for k in range(1, STEPS + 1):
        g = grad(w)
        if name == "sgd":
            mu = h.get("momentum", 0.0)
            if mu == 0:
                w = w - lr * g
            else:
                m = mu * m + g
                w = w - lr * (g + mu * m if h.get("nesterov") else m)
        elif name == "adagrad":
            m = m + g * g
            w = w - lr * g / (np.sqrt(m) + h["eps"])
        elif name == "adadelta":
            m = h["rho"] * m + (1 - h["rho"]) * g * g
            delta = np.sqrt(v + h["eps"]) / np.sqrt(m + h["eps"]) * g
            v = h["rho"] * v + (1 - h["rho"]) * delta * delta
            w = w - lr * delta
        elif name == "rmsprop":
            m = h["rho"] * m + (1 - h["rho"]) * g * g
            w = w - lr * g / (np.sqrt(m) + h["eps"])
        elif name == "adam":
            w = w - lr * h.get("decay", 0.0) * w
            m = h["b1"] * m + (1 - h["b1"]) * g
            v = h["b2"] * v + (1 - h["b2"]) * g * g
            mhat = m / (1 - h["b1"] ** k)
            vhat = v / (1 - h["b2"] ** k)
            w = w - lr * mhat / (np.sqrt(vhat) + h["eps"])
        out.append([float(x) for x in w])
    return out

cases = {
    "sgd": run("sgd", 0.1),
    "momentum": run("sgd", 0.05, momentum=0.9),
    "nesterov": run("sgd", 0.05, momentum=0.9, nesterov=True),
    "adagrad": run("adagrad", 0.5, eps=1e-8),
    "adadelta": run("adadelta", 1.0, rho=0.95, eps=1e-6),
    "rmsprop": run("rmsprop", 0.01, rho=0.9, eps=1e-8),
    "adam": run("adam", 0.1, b1=0.9, b2=0.999, eps=1e-8),
    "adamw": run("adam", 0.1, b1=0.9, b2=0.999, eps=1e-8, decay=0.01),
}
print(json.dumps({"w0": list(w0), "t": list(t), "c": list(c), "trajectories": cases}, indent=1))
