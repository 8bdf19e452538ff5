// Sweep's dashboard and report: hand-written canvas drawing, because a study may hold 100,000
// trials (SVG or a charting library's objects per mark would not draw that in time), and a push
// redraws only the trials it carries. The same script reads window.SWEEP_REPORT (a report file,
// offline) or the dashboard's /api (live).
"use strict";

const REPORT = window.SWEEP_REPORT || null;
const COLORS = { completed: "#2b6cb0", pruned: "#dd6b20", running: "#38a169", queued: "#a0aec0",
  failed: "#e53e3e", diverged: "#9b2c2c", cancelled: "#718096" };
const PAGE = 50;
const stats = window.sweepStats = { firstViewMs: null, pushes: 0, lastApplyMs: null, reloads: 0, errors: [], applyMs: [], redraws: 0, phases: {} };
// Milliseconds since navigation start at each step of the first view (the dashboard bench prints them).
function phase(name) { stats.phases[name] = Math.round(performance.now()); }
window.addEventListener("error", e => stats.errors.push(String(e.message)));
window.addEventListener("unhandledrejection", e => stats.errors.push(String(e.reason)));

// ---- small helpers -------------------------------------------------------------------------

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const kid of kids) if (kid != null) e.append(kid);
  return e;
}
// replaceChildren without the nulls (a view left out when there is nothing to show).
function fill(root, ...kids) { root.replaceChildren(...kids.filter(k => k != null)); }
function fmt(v) {
  if (v == null) return "–";
  if (typeof v !== "number") return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return (a !== 0 && a < 1e-3) || a >= 1e6 ? v.toPrecision(4) : v.toFixed(4);
}
function clock(s) {
  if (s == null) return "–";
  s = Math.round(s);
  if (s < 60) return s + "s";
  if (s < 3600) return Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h" + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m";
}
function badge(status) { return el("span", { class: "status", style: "background:" + (COLORS[status] || "#718096"), text: status }); }
async function getJSON(url) {
  const r = await fetch(url, { cache: "no-store" });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}
function card(title, question, ...kids) {
  return el("section", { class: "card" }, el("h2", { text: title }), question ? el("p", { class: "question", text: question }) : null, ...kids);
}

// A scale maps a domain to pixels: linear, log, or evenly spaced choices.
function scale(kind, lo, hi, a, b, choices) {
  if (kind === "choice") {
    const n = Math.max(choices.length - 1, 1);
    const f = v => { const i = choices.findIndex(c => c === v); return i < 0 ? NaN : a + (b - a) * (choices.length === 1 ? 0.5 : i / n); };
    f.ticks = () => choices.map(c => [f(c), String(c)]);
    f.has = v => choices.includes(v);
    f.invert = p => choices[Math.round((p - a) / (b - a) * n)];
    return f;
  }
  const log = kind === "log" && lo > 0;
  const t = log ? Math.log10 : x => x;
  const tl = t(lo), th = hi === lo ? t(lo) + 1 : t(hi);
  const f = v => a + (b - a) * (t(v) - tl) / (th - tl);
  f.has = v => v >= lo && v <= hi;
  f.invert = p => { const u = tl + (p - a) / (b - a) * (th - tl); return log ? Math.pow(10, u) : u; };
  f.ticks = () => {
    const out = [];
    if (log) { for (let e = Math.ceil(tl); e <= Math.floor(th); e++) out.push([f(Math.pow(10, e)), "1e" + e]); }
    if (out.length < 2) {
      const step = niceStep((hi - lo) / 4 || 1);
      for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push([f(v), fmt(+v.toPrecision(6))]);
    }
    return out;
  };
  return f;
}
function niceStep(raw) {
  const p = Math.pow(10, Math.floor(Math.log10(raw))), m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}
function extent(values, pad) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (v != null && isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (lo === Infinity) return [0, 1];
  const d = (hi - lo) || Math.abs(hi) || 1;
  return [lo - d * pad, hi + d * pad];
}

// A canvas sized for the screen's pixel ratio; `marks` counts what it shows (tests read data-marks).
function surface(height) {
  const c = el("canvas", { height: String(height), "data-marks": "0" });
  c.style.height = height + "px";
  c.fit = () => {
    const w = c.clientWidth || 520, r = window.devicePixelRatio || 1;
    c.width = Math.round(w * r); c.height = Math.round(height * r);
    const g = c.getContext("2d"); g.setTransform(r, 0, 0, r, 0, 0);
    c.w = w; c.h = height;
    return g;
  };
  c.marks = n => c.setAttribute("data-marks", String(n));
  return c;
}
// Square dots written straight into the canvas's pixels, blended by hand: a first view of
// 100,000 trials draws half a million of them, which fillRect takes a second over and this a
// few milliseconds. Put before the axes and lines (putImageData replaces what is there).
class Pixels {
  constructor(c, g) {
    this.c = c; this.g = g; this.r = window.devicePixelRatio || 1;
    this.img = g.createImageData(c.width, c.height); this.px = this.img.data; this.w = c.width; this.h = c.height;
    this.rgb = {};
  }
  color(css) {
    if (!this.rgb[css]) { const n = parseInt(css.slice(1), 16); this.rgb[css] = [n >> 16, (n >> 8) & 255, n & 255]; }
    return this.rgb[css];
  }
  // A size×size square (CSS pixels) centred on x, y, of `css` colour (#rrggbb) at opacity `alpha`.
  dot(x, y, css, alpha, size) {
    const [R, G, B] = this.color(css), s = Math.max(1, Math.round(size * this.r));
    const x0 = Math.round(x * this.r - s / 2), y0 = Math.round(y * this.r - s / 2), px = this.px;
    if (!(x0 > -s && y0 > -s && x0 < this.w && y0 < this.h)) return;
    for (let j = Math.max(0, y0); j < Math.min(this.h, y0 + s); j++) {
      for (let i = Math.max(0, x0), o = (j * this.w + i) * 4; i < Math.min(this.w, x0 + s); i++, o += 4) {
        // "source over": the new colour at alpha over what the pixel holds.
        const da = px[o + 3] / 255, oa = alpha + da * (1 - alpha);
        px[o] = (R * alpha + px[o] * da * (1 - alpha)) / oa; px[o + 1] = (G * alpha + px[o + 1] * da * (1 - alpha)) / oa;
        px[o + 2] = (B * alpha + px[o + 2] * da * (1 - alpha)) / oa; px[o + 3] = oa * 255;
      }
    }
  }
  put() { this.g.putImageData(this.img, 0, 0); }
}

function axes(g, x, y, c, xLabel, yLabel) {
  g.strokeStyle = "#cbd5e0"; g.fillStyle = "#4a5568"; g.font = "11px system-ui"; g.lineWidth = 1;
  g.beginPath(); g.moveTo(48, 8); g.lineTo(48, c.h - 28); g.lineTo(c.w - 8, c.h - 28); g.stroke();
  g.textAlign = "center";
  for (const [p, label] of x.ticks()) if (isFinite(p)) g.fillText(label, p, c.h - 14);
  g.textAlign = "right";
  for (const [p, label] of y.ticks()) if (isFinite(p)) g.fillText(label, 44, p + 4);
  g.textAlign = "center"; g.fillText(xLabel, (48 + c.w) / 2, c.h - 2);
  g.save(); g.translate(10, c.h / 2 - 10); g.rotate(-Math.PI / 2); g.fillText(yLabel, 0, 0); g.restore();
}

// ---- the studies page ----------------------------------------------------------------------

async function studiesPage(main) {
  document.getElementById("where").textContent = "studies";
  const body = el("tbody");
  const table = el("table", { id: "studies" }, el("thead", {}, el("tr", {}, ...["study", "name", "state", "progress", "best", "test", "workers busy", "elapsed", "tags"].map(h => el("th", { text: h })))), body);
  main.replaceChildren(el("h1", { text: "Studies" }), el("div", { class: "card scroll" }, table));
  async function refresh() {
    try {
      const { studies, workers } = await getJSON("/api/studies");
      body.replaceChildren(...studies.map(s => {
        const done = s.trials - s.queued - s.running;
        const busy = workers.filter(w => w.study === s.study && w.state === "busy").length;
        const share = s.budget ? Math.min(1, done / s.budget) : 0;
        const test = s.test ? Object.entries(s.test).filter(([k]) => k.startsWith("test_")).map(([k, v]) => k + " " + fmt(v)).join(", ") : "";
        return el("tr", { onclick: () => { location.href = "/study/" + s.study; } },
          el("td", {}, el("a", { href: "/study/" + s.study, text: s.study })), el("td", { text: s.name }), el("td", {}, badge(s.state)),
          el("td", {}, el("span", { class: "progress" }, el("span", { style: "width:" + (share * 100).toFixed(1) + "%" })), " " + done + (s.budget ? "/" + s.budget : "")),
          el("td", { text: s.objective != null ? fmt(s.objective) + " (trial " + s.best + ")" : "–" }), el("td", { text: test || "–" }),
          el("td", { text: String(busy) }), el("td", { text: clock(s.elapsed_s) }), el("td", { text: (s.tags || []).join(", ") }));
      }));
      if (!studies.length) body.replaceChildren(el("tr", {}, el("td", { colspan: "9", class: "muted", text: "No studies yet: sweep submit SPEC" })));
      document.getElementById("live").textContent = "updated " + new Date().toLocaleTimeString();
      if (stats.firstViewMs == null) { stats.firstViewMs = performance.now(); document.body.dataset.ready = "1"; }
    } catch (e) {
      document.getElementById("live").textContent = "coordinator: " + e.message;
    }
  }
  await refresh();
  setInterval(refresh, 2000);
}

// ---- the study page: its model -------------------------------------------------------------

// A row in the study's codes (Payload.swift): state and origin as indices, times from a base
// second, epochs 1…k as the number k.
function trialOf(a, codes) {
  const e = typeof a[4] === "number" ? Array.from({ length: a[4] }, (_, i) => i + 1) : a[4];
  return { n: a[0], s: codes.states[a[1]], v: a[2], p: a[3], e, y: a[5], w: a[6],
    t0: a[7] == null ? null : codes.base + a[7], t1: a[8] == null ? null : codes.base + a[8], a: a[9], o: codes.origins[a[10]], r: a[11],
    q: a[12] || null, f: a[13] == null ? null : a[13] === 1 };
}
// A trial's objective: its final value, else its latest report.
function objective(t) { return t.v != null ? t.v : (t.y.length ? t.y[t.y.length - 1] : null); }

class Model {
  constructor(data) {
    this.status = data.status; this.spec = data.spec; this.direction = data.direction; this.axes = data.axes; this.seq = data.seq;
    this.codes = data.codes; this.trials = [];
    this.objectives = data.objectives || [{ metric: data.status.metric || "objective", direction: data.direction }];
    this.constrained = !!(data.status.constraints && data.status.constraints.length);
    for (const a of data.trials) { const t = trialOf(a, this.codes); this.trials[t.n] = t; }
    this.states = new Set(); this.ranges = new Map(); this.version = 0;
  }
  // The Pareto front (trial numbers): completed or pruned trials with every objective, feasible
  // ones only, that no other such trial beats on every objective. The page works it out itself
  // because a push carries only the trials that changed, and a new trial can push others off.
  // Sorted lexicographically, a trial's dominators all come before it, and one on the front
  // among them dominates it whenever any does.
  front() {
    if (this.frontAt === this.version) return this.frontSet;
    const sign = this.objectives.map(o => (o.direction === "maximize" ? -1 : 1)), k = sign.length, points = [];
    for (const t of this.trials) {
      if (!t || !t.q || (t.s !== "completed" && t.s !== "pruned") || t.f === false) continue;
      if (t.q.length === k && t.q.every(v => v != null && isFinite(v))) points.push([t.n, t.q.map((v, i) => v * sign[i])]);
    }
    points.sort((a, b) => { for (let i = 0; i < k; i++) if (a[1][i] !== b[1][i]) return a[1][i] - b[1][i]; return a[0] - b[0]; });
    const kept = [];
    for (const p of points) {
      const beaten = kept.some(q => q[1].every((v, i) => v <= p[1][i]) && q[1].some((v, i) => v < p[1][i]));
      if (!beaten) kept.push(p);
    }
    this.frontSet = new Set(kept.map(p => p[0])); this.frontAt = this.version;
    return this.frontSet;
  }
  better(a, b) { return this.direction === "maximize" ? a > b : a < b; }
  visible(t) {
    if (!t) return false;
    if (this.states.size && !this.states.has(t.s)) return false;
    for (const [i, [lo, hi]] of this.ranges) {
      const axis = i < this.axes.length ? this.axes[i] : null, v = axis ? t.p[i] : objective(t);
      if (v == null) return false;
      if (axis && axis.scale === "choice") { if (!lo.includes(v)) return false; } else if (v < lo || v > hi) return false;
    }
    return true;
  }
}

// ---- the study page: its views -------------------------------------------------------------

// Each finished trial's objective and the best so far, trial by trial.
function finished(t) { return t && t.v != null && isFinite(t.v) && t.s !== "running" && t.s !== "queued"; }
// Trials in runs of one state: a canvas changes colour a few times instead of once per mark.
function byStatus(ts) { return ts.slice().sort((a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : 0)); }

class History {
  constructor(m) { this.m = m; this.c = surface(260); }
  draw() {
    const m = this.m, c = this.c, g = c.fit();
    const ts = m.trials.filter(finished);
    this.x = scale("linear", 0, Math.max(m.status.budget || 0, m.trials.length, 1), 48, c.w - 8);
    const [lo, hi] = extent(ts.map(t => t.v), 0.05);
    this.y = scale("linear", lo, hi, c.h - 28, 8); this.lo = lo; this.hi = hi;
    this.drawn = new Map();
    const pixels = new Pixels(c, g);
    for (const t of byStatus(ts)) { pixels.dot(this.x(t.n), this.y(t.v), COLORS[t.s] || "#718096", 1, 3); this.drawn.set(t.n, t.v); }
    pixels.put();
    axes(g, this.x, this.y, c, "trial", m.status.metric || "objective");
    this.g = g; this.bestLine(ts); c.marks(this.drawn.size);
  }
  dot(g, t) {
    const color = COLORS[t.s] || "#718096";
    if (g.fillStyle !== color) g.fillStyle = color;
    g.fillRect(this.x(t.n) - 1.5, this.y(t.v) - 1.5, 3, 3);
    this.drawn.set(t.n, t.v);
  }
  bestLine(ts) {
    const g = this.g;
    g.strokeStyle = "#1a202c"; g.lineWidth = 1.5; g.beginPath();
    let best = null, end = null;
    for (const t of ts) {
      if (t.s !== "completed") continue;
      if (best == null) { best = t.v; g.moveTo(this.x(t.n), this.y(best)); }
      else if (this.m.better(t.v, best)) { g.lineTo(this.x(t.n), this.y(best)); best = t.v; g.lineTo(this.x(t.n), this.y(best)); }
    }
    for (const t of ts) end = t.n;
    if (best != null) g.lineTo(this.x(end), this.y(best));
    g.stroke();
    this.best = best; this.end = end;
  }
  // A push: its newly finished trials drawn over the rest, the best line carried on to them. A
  // new best, a value off the scale or a drawn trial that changed (retried) redraws all.
  update(changed) {
    const done = changed.filter(finished);
    for (const t of changed) if (this.drawn.has(t.n) && this.drawn.get(t.n) !== t.v) return this.draw();
    for (const t of done) {
      if (t.n >= this.x.invert(this.c.w - 8) || t.v < this.lo || t.v > this.hi) return this.draw();
      if (t.s === "completed" && (this.best == null || this.m.better(t.v, this.best))) return this.draw();
    }
    for (const t of done) {
      if (this.drawn.has(t.n)) continue;
      this.dot(this.g, t);
      if (this.best != null && t.n > this.end) {
        const g = this.g; g.strokeStyle = "#1a202c"; g.lineWidth = 1.5; g.beginPath();
        g.moveTo(this.x(this.end), this.y(this.best)); g.lineTo(this.x(t.n), this.y(this.best)); g.stroke(); this.end = t.n;
      }
    }
    this.c.marks(this.drawn.size);
  }
}

// Every trial's curve, epoch by epoch; a stopped trial ends in a cross at the rung it stopped.
class Curves {
  constructor(m) { this.m = m; this.c = surface(260); }
  draw() {
    const m = this.m, c = this.c, g = c.fit();
    const ts = m.trials.filter(t => t && t.y.length);
    let maxEpoch = 1, values = [];
    for (const t of ts) { maxEpoch = Math.max(maxEpoch, t.e[t.e.length - 1]); for (const v of t.y) values.push(v); }
    const planned = m.spec && m.spec.trial && m.spec.trial.epochs;
    this.x = scale("linear", 1, Math.max(maxEpoch, typeof planned === "number" ? planned : 1, this.room || 0, 2), 48, c.w - 8);
    const [lo, hi] = extent(values, 0.05);
    this.lo = lo; this.hi = hi; this.maxEpoch = this.x.invert(c.w - 8);
    this.y = scale("linear", lo, hi, c.h - 28, 8);
    axes(g, this.x, this.y, c, "epoch", m.status.metric || "objective");
    // One path per state: 100,000 curves stroke in a few calls.
    const groups = {};
    for (const t of ts) (groups[t.s] = groups[t.s] || []).push(t);
    for (const [s, group] of Object.entries(groups)) {
      g.strokeStyle = COLORS[s] || "#718096"; g.globalAlpha = ts.length > 2000 ? 0.15 : 0.5; g.lineWidth = 1; g.beginPath();
      for (const t of group) this.path(g, t);
      g.stroke();
    }
    g.globalAlpha = 1;
    // Every cross in one path (one stroke each took most of a second at 60,000 pruned trials).
    g.strokeStyle = COLORS.pruned; g.beginPath();
    for (const t of ts) if (t.s === "pruned") this.cross(g, t);
    g.stroke();
    this.g = g; this.drawn = new Set(ts.map(t => t.n)); c.marks(this.drawn.size);
    this.lengths = new Map(ts.map(t => [t.n, t.y.length]));
  }
  path(g, t) {
    for (let i = 0; i < t.e.length; i++) {
      const v = t.y[i]; if (v == null || !isFinite(v)) continue;
      if (i === 0) g.moveTo(this.x(t.e[i]), this.y(v)); else g.lineTo(this.x(t.e[i]), this.y(v));
    }
  }
  // Adds a stopped trial's cross to the current path.
  cross(g, t) {
    const i = t.y.length - 1, v = t.y[i]; if (v == null || !isFinite(v)) return;
    const x = this.x(t.e[i]), y = this.y(v);
    g.moveTo(x - 3, y - 3); g.lineTo(x + 3, y + 3); g.moveTo(x + 3, y - 3); g.lineTo(x - 3, y + 3);
  }
  update(changed) {
    // A curve that got shorter started again (retried): the old one cannot be erased alone.
    for (const t of changed) if ((this.lengths.get(t.n) || 0) > t.y.length) return this.draw();
    for (const t of changed) for (let i = 0; i < t.y.length; i++) {
      const v = t.y[i];
      // A trial past the last epoch drawn: twice the room, so a long run redraws a few times, not every epoch.
      if (t.e[i] > this.maxEpoch) { this.room = t.e[i] * 2; return this.draw(); }
      if (v != null && isFinite(v) && (v < this.lo || v > this.hi)) return this.draw();
    }
    const g = this.g;
    for (const t of changed) {
      if (!t.y.length) continue;
      g.strokeStyle = COLORS[t.s] || "#718096"; g.globalAlpha = 0.7; g.beginPath(); this.path(g, t); g.stroke(); g.globalAlpha = 1;
      if (t.s === "pruned") { g.strokeStyle = COLORS.pruned; g.beginPath(); this.cross(g, t); g.stroke(); }
      this.drawn.add(t.n); this.lengths.set(t.n, t.y.length);
    }
    this.c.marks(this.drawn.size);
  }
}

// One vertical axis per parameter and one for the objective; dragging on an axis keeps the
// trials inside that range (in the table too).
class Parallel {
  constructor(m, onBrush) {
    this.m = m; this.onBrush = onBrush; this.c = surface(300);
    let start = null;
    this.c.addEventListener("mousedown", e => { const p = this.at(e); if (p) start = p; });
    this.c.addEventListener("mousemove", e => { if (start) { const p = this.at(e); this.preview = [start, p]; } });
    window.addEventListener("mouseup", e => {
      if (!start) return;
      const end = this.at(e) || start; const i = start.axis;
      if (Math.abs(end.y - start.y) < 3) this.m.ranges.delete(i);
      else {
        const [a, b] = [Math.min(start.y, end.y), Math.max(start.y, end.y)], s = this.scales[i];
        if (i < this.m.axes.length && this.m.axes[i].scale === "choice") {
          this.m.ranges.set(i, [this.m.axes[i].choices.filter(v => { const p = s(v); return p >= a && p <= b; }), null]);
        } else { const u = s.invert(b), v = s.invert(a); this.m.ranges.set(i, [Math.min(u, v), Math.max(u, v)]); }
      }
      start = null; this.onBrush();
    });
  }
  at(e) {
    const r = this.c.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
    if (!this.xs) return null;
    let best = null;
    this.xs.forEach((px, i) => { if (Math.abs(px - x) < 20 && (!best || Math.abs(px - x) < Math.abs(this.xs[best.axis] - x))) best = { axis: i, y }; });
    return best;
  }
  draw() {
    const m = this.m, c = this.c, g = c.fit();
    const names = m.axes.map(a => a.name).concat([m.status.metric || "objective"]);
    const top = 20, bottom = c.h - 30, n = names.length;
    this.xs = names.map((_, i) => 60 + (c.w - 120) * (n === 1 ? 0.5 : i / (n - 1)));
    const ts = m.trials.filter(t => t && objective(t) != null && isFinite(objective(t)) && t.s !== "running" && t.s !== "queued");
    const [lo, hi] = extent(ts.map(objective), 0.02);
    this.scales = m.axes.map(a => a.scale === "choice" ? scale("choice", 0, 0, bottom, top, a.choices) : scale(a.scale, a.low, a.high, bottom, top))
      .concat([scale("linear", lo, hi, bottom, top)]);
    this.lo = lo; this.hi = hi;
    // Better objectives darker, drawn last; lines go in a few paths by shade, so 100,000 of them stroke in a dozen calls.
    const rank = v => (v - lo) / ((hi - lo) || 1), good = v => m.direction === "maximize" ? rank(v) : 1 - rank(v);
    const shades = 12, paths = Array.from({ length: shades }, () => new Path2D()), outside = new Path2D();
    let shown = 0;
    for (const t of ts) {
      if (m.visible(t)) { shown++; this.line(paths[Math.min(shades - 1, Math.floor(good(objective(t)) * shades))], t); } else this.line(outside, t);
    }
    g.lineWidth = 1;
    const faint = ts.length > 2000 ? 0.12 : 0.4;
    g.strokeStyle = "#e2e8f0"; g.globalAlpha = 0.3; g.stroke(outside);
    paths.forEach((path, i) => {
      const q = (i + 0.5) / shades;
      g.strokeStyle = `hsl(215, 70%, ${80 - q * 50}%)`; g.globalAlpha = Math.max(faint, q * 0.9); g.stroke(path);
    });
    g.globalAlpha = 1; g.fillStyle = "#2d3748"; g.font = "11px system-ui"; g.textAlign = "center";
    this.xs.forEach((x, i) => {
      g.strokeStyle = "#4a5568"; g.beginPath(); g.moveTo(x, top); g.lineTo(x, bottom); g.stroke();
      g.fillText(names[i], x, c.h - 8);
      for (const [p, label] of this.scales[i].ticks().slice(0, 8)) if (isFinite(p)) { g.textAlign = "right"; g.fillText(label, x - 4, p + 3); g.textAlign = "center"; }
      const r = m.ranges.get(i);
      if (r) {
        const s = this.scales[i];
        const ps = Array.isArray(r[0]) ? r[0].map(s) : [s(r[0]), s(r[1])];
        g.fillStyle = "rgba(43,108,176,.25)"; g.fillRect(x - 6, Math.min(...ps) - 4, 12, Math.max(...ps) - Math.min(...ps) + 8); g.fillStyle = "#2d3748";
      }
    });
    this.g = g; this.drawn = new Set(ts.map(t => t.n)); c.marks(this.drawn.size); c.setAttribute("data-shown", String(shown));
  }
  // Adds a trial's line to a path (a Path2D, or the context's current path).
  line(path, t) {
    let started = false;
    for (let i = 0; i < this.xs.length; i++) {
      const v = i < this.m.axes.length ? t.p[i] : objective(t);
      const y = v == null ? NaN : this.scales[i](v);
      if (!isFinite(y)) continue;
      if (started) path.lineTo(this.xs[i], y); else { path.moveTo(this.xs[i], y); started = true; }
    }
  }
  update(changed) {
    const done = changed.filter(t => t.s !== "running" && t.s !== "queued" && objective(t) != null && isFinite(objective(t)));
    // A drawn trial that runs again (retried) cannot be erased from the others: redraw.
    if (changed.some(t => this.drawn.has(t.n) && !done.includes(t))) return this.draw();
    if (done.some(t => objective(t) < this.lo || objective(t) > this.hi)) return this.draw();
    for (const t of done) {
      const inside = this.m.visible(t);
      this.g.strokeStyle = inside ? "hsl(215, 70%, 45%)" : "#e2e8f0"; this.g.globalAlpha = inside ? 0.6 : 0.3;
      this.g.beginPath(); this.line(this.g, t); this.g.stroke(); this.g.globalAlpha = 1;
      this.drawn.add(t.n);
    }
    this.c.marks(this.drawn.size);
  }
}

// Each finished trial's objective against each parameter.
class Slices {
  constructor(m) {
    this.m = m; this.root = el("div", { class: "slices" });
    this.plots = m.axes.map(a => ({ axis: a, c: surface(200) }));
    for (const p of this.plots) this.root.append(el("div", {}, p.c));
  }
  draw() {
    const ts = this.m.trials.filter(finished);
    const [lo, hi] = extent(ts.map(t => t.v), 0.05);
    this.lo = lo; this.hi = hi; this.drawn = new Map();
    const sorted = byStatus(ts);
    this.plots.forEach((p, i) => {
      const g = p.c.fit(), a = p.axis;
      p.x = a.scale === "choice" ? scale("choice", 0, 0, 60, p.c.w - 20, a.choices) : scale(a.scale, a.low, a.high, 48, p.c.w - 8);
      p.y = scale("linear", lo, hi, p.c.h - 28, 8);
      p.g = g; p.count = 0;
      const pixels = new Pixels(p.c, g);
      for (const t of sorted) {
        const v = t.p[i]; if (v == null) continue;
        pixels.dot(p.x(v) + this.jitter(p, t), p.y(t.v), COLORS[t.s] || "#718096", 0.6, 3); p.count++;
      }
      pixels.put();
      axes(g, p.x, p.y, p.c, a.name, "");
      p.c.marks(p.count);
    });
    for (const t of ts) this.drawn.set(t.n, t.v);
  }
  // Choices are spread a little sideways so their points do not hide each other.
  jitter(p, t) { return p.axis.scale === "choice" ? ((t.n * 2654435761) % 1000 / 1000 - 0.5) * 16 : 0; }
  dot(p, t, i) {
    const v = t.p[i]; if (v == null) return;
    const color = COLORS[t.s] || "#718096";
    if (p.g.fillStyle !== color) p.g.fillStyle = color;
    p.g.globalAlpha = 0.6; p.g.fillRect(p.x(v) + this.jitter(p, t) - 1.5, p.y(t.v) - 1.5, 3, 3); p.g.globalAlpha = 1;
    p.count++;
  }
  update(changed) {
    for (const t of changed) if (this.drawn.has(t.n) && this.drawn.get(t.n) !== t.v) return this.draw();
    const ts = changed.filter(t => finished(t) && !this.drawn.has(t.n));
    if (ts.some(t => t.v < this.lo || t.v > this.hi)) return this.draw();
    this.plots.forEach((p, i) => { for (const t of ts) this.dot(p, t, i); p.c.marks(p.count); });
    for (const t of ts) this.drawn.set(t.n, t.v);
  }
}

// Which worker ran what, when: where the cluster's time went.
class Timeline {
  constructor(m) { this.m = m; this.c = surface(220); }
  draw() {
    const m = this.m, c = this.c;
    const ts = m.trials.filter(t => t && t.t0 != null);
    this.workers = [...new Set(ts.map(t => t.w || "?"))].sort();
    const h = Math.max(120, 30 + this.workers.length * 18);
    if (c.h !== h) { c.style.height = h + "px"; c.height = h; }
    const g = c.fit(); c.h = h;
    const now = Date.now() / 1000;
    let lo = Infinity, hi = -Infinity;
    for (const t of ts) { lo = Math.min(lo, t.t0); hi = Math.max(hi, t.t1 != null ? t.t1 : now); }
    if (lo === Infinity) { lo = now - 60; hi = now; }
    // Room ahead while the study runs, so new trials draw without rescaling.
    if (m.status.state === "running") hi += (hi - lo) * 0.2 + 10;
    this.lo = lo; this.hi = hi;
    const left = 110;
    this.x = t => left + (c.w - left - 8) * (t - lo) / ((hi - lo) || 1);
    g.fillStyle = "#4a5568"; g.font = "11px system-ui"; g.textAlign = "right";
    this.workers.forEach((w, i) => g.fillText(w.length > 16 ? w.slice(0, 15) + "…" : w, left - 6, 22 + i * 18));
    g.textAlign = "center";
    for (let k = 0; k <= 4; k++) g.fillText("+" + clock((hi - lo) * k / 4), this.x(lo + (hi - lo) * k / 4), c.h - 4);
    for (const t of ts) this.bar(g, t, now);
    this.g = g; this.drawn = new Set(ts.map(t => t.n)); c.marks(this.drawn.size);
  }
  bar(g, t, now) {
    const row = this.workers.indexOf(t.w || "?"); if (row < 0) return false;
    const a = this.x(t.t0), b = this.x(t.t1 != null ? t.t1 : now);
    g.fillStyle = COLORS[t.s] || "#718096"; g.fillRect(a, 12 + row * 18, Math.max(1, b - a - 0.5), 13);
    return true;
  }
  update(changed) {
    const now = Date.now() / 1000;
    for (const t of changed) if (t.t0 != null && (!this.workers.includes(t.w || "?") || t.t0 < this.lo || (t.t1 != null ? t.t1 : now) > this.hi)) return this.draw();
    for (const t of changed) if (t.t0 != null && this.bar(this.g, t, now)) this.drawn.add(t.n);
    this.c.marks(this.drawn.size);
  }
}

// With several objectives: each trial at its first two, the Pareto front joined by a line.
class Front {
  constructor(m) { this.m = m; this.c = surface(300); }
  draw() {
    const m = this.m, c = this.c, g = c.fit(), front = m.front();
    const ts = m.trials.filter(t => t && t.q && t.s !== "queued" && [0, 1].every(i => t.q[i] != null && isFinite(t.q[i])));
    const [x0, x1] = extent(ts.map(t => t.q[0]), 0.05), [y0, y1] = extent(ts.map(t => t.q[1]), 0.05);
    this.x = scale("linear", x0, x1, 48, c.w - 8); this.y = scale("linear", y0, y1, c.h - 28, 8);
    const pixels = new Pixels(c, g);
    // Running trials at their latest report, infeasible ones red, the rest grey, the front over them.
    for (const t of ts) if (!front.has(t.n)) pixels.dot(this.x(t.q[0]), this.y(t.q[1]), t.s === "running" ? COLORS.running : t.f === false ? "#e53e3e" : "#718096", 0.8, 4);
    const on = ts.filter(t => front.has(t.n)).sort((a, b) => a.q[0] - b.q[0]);
    for (const t of on) pixels.dot(this.x(t.q[0]), this.y(t.q[1]), "#2b6cb0", 1, 6);
    pixels.put();
    const arrow = o => o.metric + (o.direction === "maximize" ? " ↑" : " ↓");
    axes(g, this.x, this.y, c, arrow(m.objectives[0]), arrow(m.objectives[1]));
    if (m.objectives.length === 2 && on.length > 1) {
      g.strokeStyle = "#2b6cb0"; g.lineWidth = 1; g.beginPath();
      on.forEach((t, i) => (i ? g.lineTo(this.x(t.q[0]), this.y(t.q[1])) : g.moveTo(this.x(t.q[0]), this.y(t.q[1]))));
      g.stroke();
    }
    c.marks(ts.length); c.dataset.front = String(on.length);
  }
  // The front can change with any finished trial: a push with one redraws (the front is small).
  update(changed) { if (changed.some(t => t.q)) this.draw(); }
}

// The trials, sorted and filtered, a page at a time.
class Trials {
  constructor(m, open) {
    this.m = m; this.open = open; this.key = "objective"; this.up = m.direction !== "maximize"; this.page = 0;
    this.body = el("tbody");
    // With several objectives a column each and whether the trial is on the front; with constraints, whether it keeps them.
    this.several = m.objectives.length > 1;
    const objectives = this.several ? m.objectives.map(o => o.metric).concat(["front"]) : ["objective"];
    const names = ["trial", "status"].concat(objectives, m.constrained ? ["feasible"] : [], ["epoch", "worker", "elapsed"], m.axes.map(a => a.name));
    this.head = el("tr", {}, ...names.map(n => el("th", { onclick: () => this.sortBy(n), text: n })));
    this.info = el("span", { class: "muted" });
    this.chips = el("span", {});
    const states = el("select", { id: "state-filter", onchange: e => { m.states = new Set(e.target.value ? [e.target.value] : []); this.refilter(); } },
      el("option", { value: "", text: "every state" }), ...Object.keys(COLORS).map(s => el("option", { value: s, text: s })));
    this.pager = el("span", { class: "pager" }, el("button", { onclick: () => this.turn(-1), text: "◀ previous" }), el("button", { onclick: () => this.turn(1), text: "next ▶" }));
    this.root = el("div", {}, el("div", { class: "controls" }, states, this.chips, this.info, this.pager),
      el("div", { class: "scroll" }, el("table", { id: "trials" }, el("thead", {}, this.head), this.body)));
    this.refilter();
  }
  value(t, key) {
    switch (key) {
      case "trial": return t.n; case "status": return t.s; case "objective": return objective(t);
      case "epoch": return t.e.length ? t.e[t.e.length - 1] : null; case "worker": return t.w;
      case "elapsed": return t.t0 != null ? (t.t1 != null ? t.t1 : Date.now() / 1000) - t.t0 : null;
      case "front": return this.m.front().has(t.n) ? 0 : 1;
      case "feasible": return t.f == null ? null : t.f ? 0 : 1;
      default: {
        const o = this.several ? this.m.objectives.findIndex(o => o.metric === key) : -1;
        if (o >= 0) return t.q ? t.q[o] : null;
        const i = this.m.axes.findIndex(a => a.name === key); return i < 0 ? null : t.p[i];
      }
    }
  }
  compare(a, b) {
    const x = this.value(a, this.key), y = this.value(b, this.key);
    const bad = v => v == null || (typeof v === "number" && !isFinite(v));
    if (bad(x) || bad(y)) return bad(x) === bad(y) ? a.n - b.n : bad(x) ? 1 : -1;
    if (x === y) return a.n - b.n;
    return (x < y ? -1 : 1) * (this.up ? 1 : -1);
  }
  sortBy(key) { if (this.key === key) this.up = !this.up; else { this.key = key; this.up = true; } this.refilter(); }
  refilter() {
    // Each trial's key read once, then sorted (not read again at every comparison).
    const rows = this.m.trials.filter(t => this.m.visible(t)).map(t => [this.value(t, this.key), t.n]);
    const bad = v => v == null || (typeof v === "number" && !isFinite(v)), sign = this.up ? 1 : -1;
    rows.sort((a, b) => {
      const x = a[0], y = b[0];
      if (bad(x) || bad(y)) return bad(x) === bad(y) ? a[1] - b[1] : bad(x) ? 1 : -1;
      return x === y ? a[1] - b[1] : (x < y ? -1 : 1) * sign;
    });
    this.order = rows.map(r => r[1]);
    this.page = 0; this.render();
  }
  turn(d) { this.page = Math.max(0, Math.min(this.page + d, Math.floor((this.order.length - 1) / PAGE))); this.render(); }
  // A push moves each changed trial to its place in the order: a binary search, not a re-sort.
  update(changed) {
    for (const t of changed) {
      const at = this.order.indexOf(t.n);
      if (at >= 0) this.order.splice(at, 1);
      if (!this.m.visible(t)) continue;
      let lo = 0, hi = this.order.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (this.compare(this.m.trials[this.order[mid]], t) < 0) lo = mid + 1; else hi = mid; }
      this.order.splice(lo, 0, t.n);
    }
    this.render();
  }
  render() {
    const m = this.m, rows = this.order.slice(this.page * PAGE, (this.page + 1) * PAGE).map(n => m.trials[n]);
    this.body.replaceChildren(...rows.map(t => el("tr", { "data-trial": String(t.n), onclick: () => this.open(t.n) },
      el("td", { text: String(t.n) }), el("td", {}, badge(t.s)),
      ...(this.several ? m.objectives.map((_, i) => el("td", { text: fmt(t.q ? t.q[i] : null) })).concat([el("td", { class: "front", text: m.front().has(t.n) ? "✓" : "" })])
        : [el("td", { text: fmt(objective(t)) })]),
      ...(m.constrained ? [el("td", { class: "feasible", text: t.f == null ? "–" : t.f ? "yes" : "no" })] : []),
      el("td", { text: t.e.length ? String(t.e[t.e.length - 1]) : "–" }), el("td", { text: t.w || "–" }), el("td", { text: clock(this.value(t, "elapsed")) }),
      ...m.axes.map((_, i) => el("td", { text: fmt(t.p[i]) })))));
    [...this.head.children].forEach(th => th.textContent = th.textContent.replace(/ [▲▼]$/, "") + (th.textContent.replace(/ [▲▼]$/, "") === this.key ? (this.up ? " ▲" : " ▼") : ""));
    const pages = Math.max(1, Math.ceil(this.order.length / PAGE));
    this.info.textContent = `${this.order.length} of ${m.status.trials} trials · page ${this.page + 1} of ${pages}`;
    this.chips.replaceChildren(...[...m.ranges].map(([i, r]) => {
      const name = i < m.axes.length ? m.axes[i].name : "objective";
      const text = Array.isArray(r[0]) ? r[0].join("|") : fmt(r[0]) + "…" + fmt(r[1]);
      return el("span", { class: "chip" }, name + " " + text, el("button", { onclick: () => { m.ranges.delete(i); this.brushed(); }, text: "✕" }));
    }));
  }
}

// ---- the study page: assembled -------------------------------------------------------------

async function studyPage(main, id) {
  document.getElementById("where").textContent = id;
  // Listening starts before the study loads: pushes that arrive meanwhile wait, and those the
  // loaded study already holds are skipped, so none falls between the two. The load waits for
  // the stream to open (the server holds the listener before it answers): the browser may send
  // the two requests in either order, and a push between them would cost a reload.
  const events = REPORT ? null : new EventSource("/api/studies/" + encodeURIComponent(id) + "/events");
  const early = [];
  let onPush = push => early.push(push);
  if (events) {
    events.addEventListener("trials", e => onPush(JSON.parse(e.data)));
    // An unknown study fails the stream: the load then says why.
    await new Promise(opened => { events.addEventListener("open", opened, { once: true }); events.addEventListener("error", opened, { once: true }); });
  }
  let data;
  phase("script");
  try { data = REPORT ? REPORT.study : await getJSON("/api/studies/" + encodeURIComponent(id)); } catch (e) {
    if (events) events.close();
    main.replaceChildren(el("h1", { text: id }), el("p", { class: "muted", text: "Cannot show this study: " + e.message }));
    return;
  }
  phase("data");
  const m = new Model(data);
  phase("model");
  const summary = el("div", { id: "summary" });
  const findings = el("div", { id: "diagnosis" }, el("p", { class: "muted", text: REPORT ? "" : "Reading the study…" }));
  const importance = el("div", { id: "importance" });
  const detail = el("aside", { id: "detail" });
  const views = { history: new History(m), curves: new Curves(m), parallel: null, slices: new Slices(m), timeline: new Timeline(m) };
  if (m.objectives.length > 1) { views.front = new Front(m); views.front.c.id = "front"; }
  phase("views");
  const table = new Trials(m, n => openTrial(m, id, n, detail));
  phase("sorted");
  views.parallel = new Parallel(m, () => { views.parallel.draw(); table.refilter(); });
  table.brushed = () => { views.parallel.draw(); table.refilter(); };
  views.history.c.id = "history"; views.curves.c.id = "curves"; views.parallel.c.id = "parallel"; views.timeline.c.id = "timeline";
  const legend = el("div", { class: "legend" }, ...Object.entries(COLORS).map(([s, c]) => el("span", {}, el("i", { style: "background:" + c }), s)));
  main.replaceChildren(summary,
    el("div", { class: "grid" },
      el("section", { class: "card wide" }, el("h2", { text: "Diagnosis" }), el("p", { class: "question", text: "What the tuning playbook reads in this study (sweep advise)." }), findings),
      views.front ? el("section", { class: "card wide" }, el("h2", { text: "Pareto front" }),
        el("p", { class: "question", text: "Which trade-offs are best? Each trial at " + m.objectives.slice(0, 2).map(o => o.metric).join(" and ")
          + "; blue: the front (no trial is better on every objective" + (m.objectives.length > 2 ? ", all " + m.objectives.length + " counted" : "") + "), grey: dominated, red: infeasible, green: running." }), views.front.c) : null,
      card("Optimization history", "Is the search still improving? Each trial's objective; the line is the best so far.", views.history.c, legend),
      card("Intermediate values", "Was pruning too eager? Every trial's curve; × marks the rung where a trial was stopped.", views.curves.c),
      el("section", { class: "card wide" }, el("h2", { text: "Parallel coordinates" }),
        el("p", { class: "question", text: "Which region works? Drag along an axis to keep a range (the table follows); click an axis to clear it." }), views.parallel.c),
      el("section", { class: "card wide" }, el("h2", { text: "Slices" }), el("p", { class: "question", text: "The objective against each parameter." }), views.slices.root),
      card("Parameter importance", "Which parameters matter? PED-ANOVA over the completed trials (sweep importance).", importance),
      card("Timeline", "Where did the cluster's time go? One row per worker, one bar per trial.", views.timeline.c),
      el("section", { class: "card wide" }, el("h2", { text: "Trials" }), table.root)),
    detail);
  // Each view's full draw is counted: a push should cost a redraw only when a scale must change.
  for (const v of Object.values(views)) { const draw = v.draw.bind(v); v.draw = () => { stats.redraws++; draw(); }; }
  const drawAll = () => { for (const [name, v] of Object.entries(views)) { v.draw(); phase(name); } };
  phase("table");
  showSummary(summary, m);
  drawAll();
  window.addEventListener("resize", drawAll);
  stats.firstViewMs = performance.now(); document.body.dataset.ready = "1";
  showImportance(importance, id);
  showAdvice(findings, id);
  if (REPORT) { document.getElementById("live").textContent = "report · " + new Date(document.lastModified).toLocaleString(); return; }

  // Live: each push carries the trials that changed; a gap in its sequence reloads the study.
  let lastImportance = Date.now(), wasActive = m.status.state === "running" || m.status.state === "testing";
  const live = document.getElementById("live");
  live.textContent = "live";
  events.addEventListener("open", () => { live.textContent = "live"; });
  events.addEventListener("error", () => { live.textContent = "reconnecting…"; });
  events.addEventListener("reset", e => { if (JSON.parse(e.data).seq > m.seq) reload(); });
  onPush = push => {
    if (push.seq <= m.seq) return;
    if (push.seq !== m.seq + 1) return reload();
    const began = performance.now();
    const changed = push.trials.map(a => trialOf(a, m.codes));
    for (const t of changed) m.trials[t.n] = t;
    m.seq = push.seq; m.status = push.status; m.version++;
    showSummary(summary, m);
    for (const v of Object.values(views)) v.update(changed);
    table.update(changed);
    stats.pushes++; stats.lastApplyMs = performance.now() - began; stats.lastTrials = changed.length;
    stats.applyMs.push(stats.lastApplyMs); if (stats.applyMs.length > 1000) stats.applyMs.shift();
    live.textContent = "live · " + new Date().toLocaleTimeString();
    const active = m.status.state === "running" || m.status.state === "testing";
    if (Date.now() - lastImportance > 10000 || (wasActive && !active)) { lastImportance = Date.now(); showImportance(importance, id); }
    if (wasActive && !active) showAdvice(findings, id);
    wasActive = active;
  };
  for (const push of early) onPush(push);
  async function reload() {
    stats.reloads++;
    events.close();
    await studyPage(main, id);
  }
}

function showSummary(root, m) {
  const s = m.status, done = s.trials - s.queued - s.running;
  const test = s.test ? Object.entries(s.test).filter(([k]) => k.startsWith("test_")).map(([k, v]) => k + " " + fmt(v)).join(", ") : "";
  fill(root,
    el("h1", {}, s.name + " ", el("span", { class: "muted", text: s.study }), " ", badge(s.state)),
    el("div", { class: "muted" },
      el("span", { class: "progress" }, el("span", { style: "width:" + (s.budget ? Math.min(100, done / s.budget * 100) : 0).toFixed(1) + "%" })),
      ` ${done}${s.budget ? "/" + s.budget : ""} trials done · ${s.running} running · ${s.completed} completed · ${s.pruned} pruned · ${s.failed} failed` +
      ` · ${clock(s.elapsed_s)}` + (s.objective != null ? ` · best ${m.direction} ${s.metric || "objective"} ${fmt(s.objective)} (trial ${s.best})` : "") +
      (s.front != null ? ` · ${s.front} on the Pareto front` : "") + (s.constraints && s.constraints.length ? ` · ${s.feasible || 0} feasible (${s.constraints.join(", ")})` : "") +
      (test ? " · " + test : "") + (s.reason ? " · " + s.reason : "")),
    s.note ? el("p", { text: "Note: " + s.note }) : null);
}

async function showImportance(root, id) {
  try {
    const r = REPORT ? REPORT.importance : await getJSON("/api/studies/" + encodeURIComponent(id) + "/importance");
    if (!r.ranked) return root.replaceChildren(el("p", { class: "muted", text: `Needs 10 completed trials (${r.completed} so far).` }));
    root.replaceChildren(el("table", {}, el("tbody", {}, ...r.ranked.map(e => el("tr", { "data-parameter": e.parameter },
      el("td", { text: e.parameter }), el("td", { text: e.importance.toFixed(3) }),
      el("td", {}, el("span", { class: "bar", style: "width:" + Math.round(e.importance * 240) + "px" })))))),
      el("p", { class: "muted", text: `${r.completed} completed trials; near 0: the objective does not depend on it.` }));
  } catch (e) { root.replaceChildren(el("p", { class: "muted", text: e.message })); }
}

async function showAdvice(root, id) {
  try {
    const a = REPORT ? REPORT.advice : await getJSON("/api/studies/" + encodeURIComponent(id) + "/advice");
    if (!a.findings.length) return root.replaceChildren(el("p", { class: "muted", text: "Nothing the data supports saying yet: too few finished trials, or none of the playbook's patterns." }));
    fill(root, el("ul", { class: "findings" }, ...a.findings.map(f => el("li", {}, el("strong", { text: f.rule }), " " + f.sentence))),
      a.changes.length ? el("p", { class: "muted", text: "sweep advise " + id + " --next next.yaml would: " + a.changes.join("; ") }) : null);
  } catch (e) { root.replaceChildren(el("p", { class: "muted", text: e.message })); }
}

async function openTrial(m, id, n, panel) {
  const t = m.trials[n];
  panel.className = "open";
  const close = el("button", { class: "close", onclick: () => { panel.className = ""; }, text: "×" });
  const config = el("table", {}, el("tbody", {}, ...m.axes.map((a, i) => el("tr", {}, el("td", { text: a.name }), el("td", { text: fmt(t.p[i]) })))));
  fill(panel, close, el("h2", { text: `Trial ${n}` }), el("p", {}, badge(t.s), ` attempt ${t.a} · worker ${t.w || "–"} · ${t.o}`),
    t.r ? el("p", { text: "Stopped: " + t.r }) : null, el("h2", { text: "Configuration" }), config);
  if (REPORT) {
    panel.append(el("h2", { text: m.status.metric || "objective" }), el("table", {}, el("tbody", {}, ...t.e.map((e, i) => el("tr", {}, el("td", { text: "epoch " + e }), el("td", { text: fmt(t.y[i]) }))))));
    return;
  }
  try {
    const r = await getJSON(`/api/studies/${encodeURIComponent(id)}/trials/${n}`);
    const epochs = r.trial.metrics || [];
    const keys = [...new Set(epochs.flatMap(e => Object.keys(e)))].filter(k => k !== "epoch").sort();
    panel.append(el("h2", { text: "Metrics by epoch" }), el("div", { class: "scroll" }, el("table", { id: "trial-metrics" },
      el("thead", {}, el("tr", {}, el("th", { text: "epoch" }), ...keys.map(k => el("th", { text: k })))),
      el("tbody", {}, ...epochs.map(e => el("tr", {}, el("td", { text: String(e.epoch) }), ...keys.map(k => el("td", { text: fmt(e[k]) }))))))));
    const attempts = r.trial.attempts || [];
    if (attempts.length) panel.append(el("h2", { text: "Attempts" }), el("table", {}, el("tbody", {}, ...attempts.map(a =>
      el("tr", {}, el("td", { text: "attempt " + a.attempt }), el("td", { text: a.outcome }), el("td", { text: a.worker || "–" }),
        el("td", { text: a.stop_reason ? a.stop_reason.rule + ": " + a.stop_reason.detail : "" }))))));
    if (r.lines.length) panel.append(el("h2", { text: "Output" }), el("pre", { text: r.lines.map(l => l.text).join("\n") }));
  } catch (e) { panel.append(el("p", { class: "muted", text: e.message })); }
}

// ---- routing -------------------------------------------------------------------------------

(function start() {
  const main = document.getElementById("app");
  if (REPORT) return studyPage(main, REPORT.study.status.study);
  const match = location.pathname.match(/^\/study\/([^/]+)/);
  if (match) return studyPage(main, decodeURIComponent(match[1]));
  return studiesPage(main);
})();
