/* evalsuite view: draws the overview, the samples list and one sample from JSON, fetched
   from the server's /api/ or embedded in an exported report. Text from the runs (prompts,
   outputs, names) only ever enters the page as text nodes, never as HTML. */
"use strict";
(() => {
  const embedded = document.getElementById("evalsuite-data");
  const EXPORT = embedded ? JSON.parse(embedded.textContent) : null;
  const main = document.getElementById("main");
  const SVGNS = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  const PROPORTIONS = new Set(["exact_flexible", "exact_strict", "elementwise", "parsed", "trace_prefix"]);
  const FACETS = ["run", "model", "algo_name", "task", "variant", "length", "style", "shots", "mode", "layout", "failure", "error"];
  const SORTS = ["order", "run", "algo_name", "variant", "model", "length", "elementwise", "trace_prefix", "abs_error",
    "first_wrong_step", "latency_s", "output_tokens", "cost_usd"];
  const LABELS = { algo_name: "algorithm", run: "run", failure: "failure reason", error: "request error", order: "file order" };

  // ---- building the page -------------------------------------------------------------
  function fill(node, attrs, children) {
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const el = (tag, attrs, ...children) => fill(document.createElement(tag), attrs, children);
  const sv = (tag, attrs, ...children) => fill(document.createElementNS(SVGNS, tag), attrs, children);
  const label = (name) => LABELS[name] || name.replace(/_/g, " ");
  const missing = (value) => value === null || value === undefined;
  const fmt = (value, digits = 3) => (missing(value) ? "–" : typeof value === "number" ? value.toFixed(digits) : String(value));
  const percent = (value) => (missing(value) ? "–" : `${(100 * value).toFixed(0)}%`);
  const plain = (value) => (missing(value) ? "–" : typeof value === "object" ? JSON.stringify(value) : String(value));
  const section = (title, ...body) => el("section", { class: "block" }, el("h2", {}, title), ...body);

  function duration(seconds) {
    if (missing(seconds)) return "–";
    const minutes = Math.floor(seconds / 60);
    return minutes ? `${minutes} min ${Math.round(seconds % 60)} s` : `${seconds.toFixed(1)} s`;
  }

  function keyValues(entries) {
    return el("table", { class: "kv" }, el("tbody", {}, entries.map(([key, value]) =>
      el("tr", {}, el("th", {}, key), el("td", {}, value instanceof Node ? value : plain(value))))));
  }

  // ---- where we are: ?view=… on the server, #view=… in an exported file ---------------
  const params = () => new URLSearchParams(EXPORT ? location.hash.slice(1) : location.search.slice(1));
  function href(entries) {
    const query = new URLSearchParams();
    for (const [name, value] of entries instanceof URLSearchParams ? entries : Object.entries(entries)) {
      if (!missing(value)) query.append(name, String(value));
    }
    return (EXPORT ? "#" : "?") + query.toString();
  }
  function go(entries) {
    if (EXPORT) location.hash = href(entries).slice(1);
    else location.assign(href(entries));
  }

  // ---- data: the server's API, or what the exported file holds --------------------------
  async function get(path, query) {
    const response = await fetch(`${path}?${query}`);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }
  const server = {
    overview: (p) => get("/api/overview", new URLSearchParams([...p].filter(([k]) => k === "metric" || k === "by"))),
    samples: (p) => get("/api/samples", p),
    sample: (p) => get("/api/sample", new URLSearchParams({ id: p.get("id") || "" })),
  };
  const exported = {
    async overview(p) {
      const overview = EXPORT.overviews[p.get("metric")] || EXPORT.overviews[EXPORT.metric];
      return { ...overview, manifests: EXPORT.manifests, studies: EXPORT.studies, fixed: true };
    },
    async samples(p) {
      let rows = EXPORT.samples.slice();
      for (const name of FACETS) {
        const wanted = p.getAll(name).filter((value) => value !== "");
        if (wanted.length) rows = rows.filter((row) => wanted.includes(String(row[name])));
      }
      const outcome = p.get("outcome");
      if (outcome) rows = rows.filter((row) => row.outcome === outcome);
      const needle = (p.get("q") || "").toLowerCase();
      if (needle) rows = rows.filter((row) => String(EXPORT.details[row.id].record.output || "").toLowerCase().includes(needle));
      const sort = p.get("sort") || "order";
      if (sort !== "order") {
        const key = (row) => row[sort];
        rows.sort((a, b) => (missing(key(a)) - missing(key(b))) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      }
      if (p.get("desc") === "1") rows.reverse();
      const size = Number(p.get("size")) || 50;
      const page = Math.max(1, Number(p.get("page")) || 1);
      const facets = {};
      for (const name of FACETS) {
        const values = [...new Set(EXPORT.samples.map((row) => row[name]).filter((v) => !missing(v)))];
        if (values.length) facets[name] = values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      }
      return { total: rows.length, all: EXPORT.samples.length, page, size, pages: Math.max(1, Math.ceil(rows.length / size)),
        facets, rows: rows.slice((page - 1) * size, page * size), note: EXPORT.note };
    },
    async sample(p) {
      const id = p.get("id");
      const found = EXPORT.details[id];
      if (!found) throw new Error("this sample is not in the exported file");
      const at = EXPORT.samples.findIndex((row) => row.id === id);
      const near = (i) => (EXPORT.samples[i] ? EXPORT.samples[i].id : null);
      return { ...found, previous: near(at - 1), next: near(at + 1),
        next_wrong: EXPORT.details[found.next_wrong] ? found.next_wrong : null };
    },
  };
  const source = EXPORT ? exported : server;

  // ---- plots: small SVG panels ------------------------------------------------------------
  function ticks(low, high, log) {
    if (log) {
      const found = [];
      for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) found.push(10 ** e);
      return found.filter((t) => t >= low * 0.999 && t <= high * 1.001);
    }
    const span = high - low || 1;
    const magnitude = 10 ** Math.floor(Math.log10(span / 4));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => span / s <= 5);
    const found = [];
    for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step) found.push(Number(t.toFixed(10)));
    return found;
  }
  const tickText = (t) => (t !== 0 && (Math.abs(t) >= 1e4 || Math.abs(t) < 1e-2) ? t.toExponential(0) : String(Number(t.toPrecision(4))));

  function axes({ width = 300, height = 200, x, y, logx = false, logy = false, title = "", xlabel = "", ylabel = "" }) {
    const m = { left: 46, right: 10, top: title ? 22 : 8, bottom: xlabel ? 36 : 24 };
    const project = ([d0, d1], [r0, r1], log) => {
      const [a, b] = log ? [Math.log10(d0), Math.log10(d1)] : [d0, d1];
      return (v) => r0 + ((log ? Math.log10(v) : v) - a) / ((b - a) || 1) * (r1 - r0);
    };
    const sx = project(x, [m.left, width - m.right], logx);
    const sy = project(y, [height - m.bottom, m.top], logy);
    const root = sv("svg", { class: "plot", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
    root.append(sv("rect", { x: m.left, y: m.top, width: width - m.left - m.right, height: height - m.top - m.bottom, class: "frame" }));
    for (const t of ticks(x[0], x[1], logx)) {
      root.append(sv("line", { x1: sx(t), x2: sx(t), y1: m.top, y2: height - m.bottom, class: "grid" }));
      root.append(sv("text", { x: sx(t), y: height - m.bottom + 12, class: "tick", "text-anchor": "middle" }, tickText(t)));
    }
    for (const t of ticks(y[0], y[1], logy)) {
      root.append(sv("line", { x1: m.left, x2: width - m.right, y1: sy(t), y2: sy(t), class: "grid" }));
      root.append(sv("text", { x: m.left - 4, y: sy(t) + 3, class: "tick", "text-anchor": "end" }, tickText(t)));
    }
    if (title) root.append(sv("text", { x: (m.left + width - m.right) / 2, y: 14, class: "title", "text-anchor": "middle" }, title));
    if (xlabel) root.append(sv("text", { x: (m.left + width - m.right) / 2, y: height - 4, class: "axis", "text-anchor": "middle" }, xlabel));
    if (ylabel) root.append(sv("text", { x: 10, y: (m.top + height - m.bottom) / 2, class: "axis", "text-anchor": "middle",
      transform: `rotate(-90 10 ${(m.top + height - m.bottom) / 2})` }, ylabel));
    return { root, sx, sy, m, width, height };
  }

  function extent(values, pad = 0) {
    const finite = values.filter((v) => Number.isFinite(v));
    let [low, high] = [Math.min(...finite), Math.max(...finite)];
    if (!finite.length) [low, high] = [0, 1];
    if (low === high) [low, high] = [low - 1, high + 1];
    return [low - pad * (high - low), high + pad * (high - low)];
  }

  function groupBy(rows, key) {
    const groups = new Map();
    for (const row of rows) {
      const name = String(key(row));
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push(row);
    }
    return groups;
  }

  const legend = (runs) => el("div", { class: "legend" }, runs.map((run, i) =>
    el("span", { class: "key" }, el("span", { class: `swatch c${i % COLOURS.length}` }), run)));

  function series(chart, points, colour, describe) {
    const band = points.filter((p) => !missing(p.lo) && !missing(p.hi));
    if (band.length > 1) {
      const outline = [...band.map((p) => `${chart.sx(p.x)},${chart.sy(p.hi)}`), ...band.reverse().map((p) => `${chart.sx(p.x)},${chart.sy(p.lo)}`)];
      chart.root.append(sv("polygon", { points: outline.join(" "), fill: colour, class: "band" }));
    }
    if (points.length > 1) {
      chart.root.append(sv("polyline", { points: points.map((p) => `${chart.sx(p.x)},${chart.sy(p.y)}`).join(" "), stroke: colour, class: "line" }));
    }
    for (const p of points) {
      if (points.length === 1 && !missing(p.lo)) {
        chart.root.append(sv("line", { x1: chart.sx(p.x), x2: chart.sx(p.x), y1: chart.sy(p.lo), y2: chart.sy(p.hi), stroke: colour, class: "whisker" }));
      }
      chart.root.append(sv("circle", { cx: chart.sx(p.x), cy: chart.sy(p.y), r: 2.6, fill: colour }, sv("title", {}, describe(p))));
    }
  }

  function linePanels(plot) {
    const proportion = PROPORTIONS.has(plot.metric);
    const panels = groupBy(plot.rows, (row) => row[plot.panel]);
    const charts = [];
    for (const [name, all] of panels) {
      const rows = all.filter((row) => !missing(row.mean));
      if (!rows.length) continue;  // nothing scored here (every answer unread)
      const lengths = rows.map((row) => row.length);
      const y = proportion ? [0, 1] : [0, extent(rows.flatMap((r) => [r.mean, r.ci_high]))[1]];
      const chart = axes({ width: 260, height: 180, x: extent(lengths, 0.05), y, title: name });
      plot.runs.forEach((run, i) => {
        const points = rows.filter((row) => row.run === run && !missing(row.mean)).sort((a, b) => a.length - b.length)
          .map((row) => ({ x: row.length, y: row.mean, lo: row.ci_low, hi: row.ci_high, row }));
        series(chart, points, COLOURS[i % COLOURS.length], (p) =>
          `${run}\nlength ${p.x}: ${fmt(p.y)} [${fmt(p.lo)}, ${fmt(p.hi)}] n=${p.row.n}`);
      });
      const train = plot.train && plot.train[name];
      if (!missing(train)) {
        const [low, high] = [Math.min(...lengths), Math.max(...lengths)];
        if (low <= train && train <= high) {
          chart.root.append(sv("line", { x1: chart.sx(train), x2: chart.sx(train), y1: chart.m.top, y2: chart.height - chart.m.bottom, class: "train" }));
        } else {
          chart.root.append(sv("text", { x: chart.width - chart.m.right - 4, y: chart.height - chart.m.bottom - 5, class: "note", "text-anchor": "end" }, `train ≤ ${train}`));
        }
      }
      charts.push(chart.root);
    }
    const note = Object.keys(plot.train || {}).length ? "dashed: the paper's largest training length; " : "";
    return [legend(plot.runs), el("div", { class: "panels" }, charts),
      el("p", { class: "caption" }, `${note}x: length, y: ${plot.metric}; shaded: 95% interval`)];
  }

  function barChart(plot) {
    const names = [...groupBy(plot.rows, (row) => row[plot.panel]).keys()].sort();
    const rowHeight = 6 + 9 * plot.runs.length;
    const high = PROPORTIONS.has(plot.metric) ? 1 : extent(plot.rows.map((r) => r.ci_high ?? r.mean))[1];
    const [width, height, left, right] = [760, 40 + rowHeight * names.length, 190, 12];
    const root = sv("svg", { class: "plot bars", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": plot.title });
    const sx = (v) => left + v / (high || 1) * (width - right - left);
    const chart = { root, height, width };
    for (const t of ticks(0, high, false)) {
      chart.root.append(sv("line", { x1: sx(t), x2: sx(t), y1: 4, y2: chart.height - 30, class: "grid" }));
      chart.root.append(sv("text", { x: sx(t), y: chart.height - 18, class: "tick", "text-anchor": "middle" }, tickText(t)));
    }
    chart.root.append(sv("text", { x: (left + chart.width) / 2, y: chart.height - 4, class: "axis", "text-anchor": "middle" }, `${plot.metric} (whiskers: 95% interval)`));
    names.forEach((name, i) => {
      const top = 4 + i * rowHeight;
      chart.root.append(sv("text", { x: left - 6, y: top + rowHeight / 2 + 3, class: "tick", "text-anchor": "end" }, name));
      plot.runs.forEach((run, j) => {
        const row = plot.rows.find((r) => String(r[plot.panel]) === name && r.run === run);
        if (!row || missing(row.mean)) return;
        const y = top + 3 + j * 9;
        const colour = COLOURS[j % COLOURS.length];
        chart.root.append(sv("rect", { x: left, y, width: Math.max(0.5, sx(row.mean) - left), height: 7, fill: colour },
          sv("title", {}, `${run}\n${name}: ${fmt(row.mean)} [${fmt(row.ci_low)}, ${fmt(row.ci_high)}] n=${row.n}`)));
        if (!missing(row.ci_low)) chart.root.append(sv("line", { x1: sx(row.ci_low), x2: sx(row.ci_high), y1: y + 3.5, y2: y + 3.5, class: "whisker" }));
      });
    });
    return [legend(plot.runs), chart.root];
  }

  function histogram(plot) {
    const charts = [];
    for (const [name, rows] of groupBy(plot.rows, (row) => row[plot.panel])) {
      const x = extent(rows.map((r) => r.predicted), 0.05);
      const chart = axes({ width: 260, height: 180, x, y: [0, Math.max(...rows.map((r) => r.samples))], title: name });
      const unit = chart.sx(x[0] + Math.max(1, (x[1] - x[0]) / 60)) - chart.sx(x[0]);
      const width = Math.max(2, Math.min(unit, 24) / plot.runs.length);
      for (const row of rows) {
        const i = plot.runs.indexOf(row.run);
        chart.root.append(sv("rect", { x: chart.sx(row.predicted) + (i - plot.runs.length / 2) * width, y: chart.sy(row.samples),
          width, height: chart.sy(0) - chart.sy(row.samples), fill: COLOURS[i % COLOURS.length] },
        sv("title", {}, `${row.run}\npredicted ${row.predicted}: ${row.samples} samples`)));
      }
      charts.push(chart.root);
    }
    return [legend(plot.runs), el("div", { class: "panels" }, charts), el("p", { class: "caption" }, "x: predicted count, y: samples")];
  }

  function studyPlot(study) {
    if (study.kind === "sensitivity") {
      const rows = study.rows.filter((r) => Number.isFinite(r.grad_norm));
      const chart = axes({ width: 760, height: 240, x: extent(rows.map((r) => r.position)), y: [0, extent(rows.map((r) => r.grad_norm))[1]],
        xlabel: "position", ylabel: "gradient norm" });
      series(chart, rows.map((r) => ({ x: r.position, y: r.grad_norm, row: r })), COLOURS[0], (p) => `position ${p.x} ${p.row.token}: ${fmt(p.y)}`);
      return [chart.root];
    }
    const rows = study.rows.filter((r) => r.valid !== false);
    const lines = [...groupBy(rows, (r) => `${r.pair} ${r.dtype}`).keys()];
    const charts = ["linf", "relative"].map((metric) => {
      const values = rows.filter((r) => r[metric] > 0);
      const chart = axes({ width: 370, height: 240, x: extent(values.map((r) => r.n)), y: extent(values.map((r) => r[metric])),
        logx: true, logy: true, title: metric === "linf" ? "‖v − v*‖∞" : "relative ‖v − v*‖∞", xlabel: "n (repetitions)" });
      lines.forEach((line, i) => {
        const points = values.filter((r) => `${r.pair} ${r.dtype}` === line).sort((a, b) => a.n - b.n).map((r) => ({ x: r.n, y: r[metric] }));
        series(chart, points, COLOURS[i % COLOURS.length], (p) => `${line}\nn=${p.x}: ${p.y.toPrecision(3)}`);
      });
      return chart.root;
    });
    return [legend(lines), el("div", { class: "panels" }, charts), el("p", { class: "caption" }, "log-log; rows marked invalid are left out")];
  }

  const drawPlot = (plot) => ({ lines: linePanels, bars: barChart, histogram })[plot.kind](plot);

  // ---- the overview ---------------------------------------------------------------------
  function controls(data) {
    const metric = el("select", { id: "metric", onchange: (e) => go({ metric: e.target.value, by: data.fixed ? null : data.by.join(",") }) },
      data.metrics.map((m) => el("option", { value: m, selected: m === data.metric }, m)));
    const parts = [el("label", {}, "metric ", metric)];
    if (data.fixed) {
      parts.push(el("span", { class: "muted" }, `grouped by ${data.by.map(label).join(" × ") || "nothing"}`));
    } else {
      const boxes = [...new Set([...data.groupable, ...data.by])].map((column) => el("label", { class: "check" },
        el("input", { type: "checkbox", name: "by", value: column, checked: data.by.includes(column),
          onchange: () => go({ metric: data.metric, by: [...document.querySelectorAll("input[name=by]:checked")].map((b) => b.value).join(",") }) }),
        label(column)));
      parts.push(el("span", { class: "group" }, "rows: ", boxes));
    }
    return el("div", { class: "controls" }, parts);
  }

  function summaryTable(data) {
    const { rows, runs, configurations } = data.table;
    const groups = new Map();
    for (const row of rows) {
      const key = JSON.stringify(data.by.map((c) => row[c]));
      if (!groups.has(key)) groups.set(key, { values: data.by.map((c) => row[c]), ood: row.ood, cells: {} });
      groups.get(key).cells[row.run] = row;
    }
    const proportion = PROPORTIONS.has(data.metric);
    const head = el("tr", {}, (data.by.length ? data.by : ["group"]).map((c) => el("th", {}, label(c))),
      runs.map((run, i) => el("th", { class: "run" }, el("span", { class: `swatch c${i % COLOURS.length}` }), run)));
    const body = [...groups.values()].map((group) => el("tr", { class: group.ood ? "ood" : null },
      (data.by.length ? group.values : ["all"]).map((value, i) => el("td", { class: "key" }, plain(value),
        group.ood && data.by[i] === "length" ? el("span", { class: "mark", title: "beyond the paper's training lengths" }, " †") : null)),
      runs.map((run) => {
        const cell = group.cells[run];
        if (!cell || !cell.n) return el("td", { class: "cell empty", "data-run": run }, "–");
        const filters = { view: "samples", ...configurations[run] };
        data.by.forEach((column, i) => { filters[column] = group.values[i]; });
        const heat = proportion && !missing(cell.mean) ? ` heat-${Math.round(cell.mean * 10)}` : "";
        return el("td", { class: `cell${heat}`, "data-run": run, "data-group": group.values.join("|") },
          el("a", { href: href(filters), title: "the samples of this cell" },
            el("span", { class: "mean" }, fmt(cell.mean)),
            missing(cell.ci_low) ? null : el("span", { class: "ci" }, `[${fmt(cell.ci_low)}, ${fmt(cell.ci_high)}]`),
            el("span", { class: "n" }, `n=${cell.n}`, cell.parse_failure_rate ? ` · unparsed ${percent(cell.parse_failure_rate)}` : "")));
      })));
    return [el("table", { class: "summary", id: "summary" }, el("thead", {}, head), el("tbody", {}, body)),
      el("p", { class: "caption" }, `mean of ${data.metric} [95% interval], n, share of outputs with no answer of the right shape; `,
        "† length beyond the paper's training lengths; a cell links to its samples")];
  }

  function manifestSection(entry) {
    const m = entry.manifest;
    const t = m.totals || {};
    const failures = Object.entries(t.failures || {}).map(([cause, count]) => `${cause}: ${count}`).join(", ");
    const totals = keyValues([
      ["requests", t.requests], ["cached", t.cached], ["failed", `${plain(t.failed)}${failures ? ` (${failures})` : ""}`],
      ["tokens in / out", `${plain(t.input_tokens)} / ${plain(t.output_tokens)}`],
      ["cost", missing(t.cost_usd) ? "–" : `$${t.cost_usd.toFixed(4)}`], ["wall time", duration(entry.duration_s)],
      ["started", m.started], ["finished", m.finished], ["units done", `${plain(m.completed)} of ${plain(m.units)}`],
      ["git revision", m.git_revision], ["command", (m.command || []).join(" ")],
    ]);
    const table = (title, values) => el("details", {}, el("summary", {}, title),
      keyValues(Object.entries(values || {}).sort(([a], [b]) => (a < b ? -1 : 1))));
    return section(`Run ${entry.run}`, el("div", { class: "manifest" }, totals,
      el("div", {}, table("configuration", m.config), table("versions", m.versions), table("templates (sha256)", m.templates))));
  }

  async function showOverview(p) {
    const data = await source.overview(p);
    const parts = [controls(data)];
    if (data.table) parts.push(section("Summary", summaryTable(data)));
    else if (!data.studies.length) parts.push(el("p", { class: "muted" }, "No samples in these runs yet."));
    for (const plot of data.plots) parts.push(section(plot.title, drawPlot(plot)));
    for (const study of data.studies) parts.push(section(`${study.kind} (${study.run})`, studyPlot(study)));
    for (const entry of data.manifests) parts.push(manifestSection(entry));
    return parts;
  }

  // ---- the samples list -----------------------------------------------------------------
  function filterForm(data, p) {
    const choose = (name, values, chosen) => el("label", {}, label(name), el("select", { name },
      el("option", { value: "" }, "all"), values.map((v) => el("option", { value: String(v), selected: String(v) === chosen }, String(v)))));
    const fields = Object.entries(data.facets).filter(([name, values]) => values.length > 1 || ["failure", "error"].includes(name) || p.get(name)).map(([name, values]) =>
      choose(name, values, p.get(name) || ""));
    fields.push(choose("outcome", ["right", "wrong", "failed"], p.get("outcome") || ""));
    fields.push(el("label", {}, "output contains", el("input", { type: "search", name: "q", value: p.get("q") || "", placeholder: "text" })));
    const sort = el("select", { name: "sort" }, SORTS.map((s) => el("option", { value: s, selected: s === (p.get("sort") || "order") }, label(s))));
    fields.push(el("label", {}, "sort by", sort));
    fields.push(el("label", { class: "check" }, el("input", { type: "checkbox", name: "desc", value: "1", checked: p.get("desc") === "1" }), "descending"));
    fields.push(el("button", { type: "submit" }, "apply"));
    const form = el("form", { class: "filters", id: "filters" }, fields);
    const submit = (event) => {
      if (event) event.preventDefault();
      const chosen = new URLSearchParams([["view", "samples"]]);
      for (const [name, value] of new FormData(form)) if (value !== "") chosen.append(name, value);
      if (p.get("size")) chosen.set("size", p.get("size"));
      go(chosen);
    };
    form.addEventListener("submit", submit);
    for (const select of form.querySelectorAll("select, input[type=checkbox]")) select.addEventListener("change", () => submit());
    return form;
  }

  function pager(data, p) {
    const to = (page) => { const next = new URLSearchParams(p); next.set("view", "samples"); next.set("page", page); return href(next); };
    return el("div", { class: "pager" },
      el("span", { id: "count" }, `${data.total} of ${data.all} samples`),
      data.page > 1 ? el("a", { href: to(data.page - 1), rel: "prev" }, "← previous") : null,
      el("span", { class: "muted" }, `page ${data.page} of ${data.pages}`),
      data.page < data.pages ? el("a", { href: to(data.page + 1), rel: "next" }, "next →") : null);
  }

  const badge = (outcome) => el("span", { class: `badge ${outcome}` }, outcome);

  async function showSamples(p) {
    const data = await source.samples(p);
    const several = (data.facets.run || []).length > 1;
    const head = el("tr", {}, ["", several ? "run" : null, "model", "algorithm / variant", "length", "style", "shots", "mode",
      "outcome", "elementwise", "failure", "output"].filter((h) => h !== null).map((h) => el("th", {}, h)));
    const rows = data.rows.map((row) => el("tr", { "data-id": row.id, class: "sample", onclick: (e) => {
      if (e.target.tagName !== "A") go({ view: "sample", id: row.id });
    } },
    el("td", {}, el("a", { href: href({ view: "sample", id: row.id }) }, row.id)),
    several ? el("td", {}, row.run) : null,
    el("td", {}, plain(row.model)), el("td", {}, plain(row.algo_name ?? row.variant)), el("td", { class: "num" }, plain(row.length)),
    el("td", {}, plain(row.style)), el("td", { class: "num" }, plain(row.shots)), el("td", {}, plain(row.mode)),
    el("td", {}, badge(row.outcome)), el("td", { class: "num" }, fmt(row.elementwise, 2)),
    el("td", {}, plain(row.failure ?? row.error)), el("td", { class: "snippet" }, row.output)));
    return [el("h1", {}, "Samples"), filterForm(data, p), pager(data, p),
      data.note ? el("p", { class: "muted" }, data.note) : null,
      el("table", { class: "samples", id: "samples" }, el("thead", {}, head), el("tbody", {}, rows))];
  }

  // ---- one sample -----------------------------------------------------------------------
  function elementsTable(explanation) {
    const cells = explanation.elements.map((e, i) => el("td", { class: e.right ? "right" : "wrong", title: `element ${i}` },
      el("span", { class: "gold" }, e.gold), el("span", { class: "got" }, missing(e.predicted) ? "∅" : e.predicted)));
    const width = explanation.columns || Math.min(16, cells.length) || 1;
    const rows = [];
    for (let i = 0; i < cells.length; i += width) rows.push(el("tr", {}, cells.slice(i, i + width)));
    const right = explanation.elements.filter((e) => e.right).length;
    return [el("p", {}, `${right} of ${explanation.elements.length} elements right; each cell: gold above, the answer below`),
      el("table", { class: "elements", id: "elements" }, el("tbody", {}, rows))];
  }

  function stepsTable(explanation) {
    const first = explanation.first_wrong_step;
    const rows = explanation.steps.map((step, i) => el("tr", {
      class: i === first ? "first-wrong" : !missing(first) && i > first ? "after" : step.right ? "right" : "wrong" },
    el("td", { class: "num" }, i), el("td", {}, el("code", {}, step.gold)),
    el("td", {}, missing(step.predicted) ? el("span", { class: "muted" }, "(missing)") : el("code", {}, step.predicted)),
    el("td", {}, i === first ? "first wrong step" : step.right ? "✓" : "✗")));
    const summary = missing(first) ? "every step right" : `first wrong step: ${first} of ${explanation.steps.length}`;
    return [el("p", {}, summary, "; trace_prefix counts the steps before it"),
      el("table", { class: "steps", id: "steps" }, el("thead", {}, el("tr", {}, ["step", "gold", "model", ""].map((h) => el("th", {}, h)))), el("tbody", {}, rows))];
  }

  async function showSample(p) {
    const s = await source.sample(p);
    const r = s.record;
    const x = s.explanation;
    const links = el("nav", { class: "sample-nav" },
      el("a", { href: href({ view: "samples" }) }, "all samples"),
      s.previous ? el("a", { href: href({ view: "sample", id: s.previous }), rel: "prev" }, "← previous") : null,
      s.next ? el("a", { href: href({ view: "sample", id: s.next }), rel: "next" }, "next →") : null,
      s.next_wrong ? el("a", { href: href({ view: "sample", id: s.next_wrong }), id: "next-wrong" }, "next wrong sample in this cell")
        : el("span", { class: "muted" }, "no later wrong sample in this cell"));
    const meta = keyValues([
      ["run", s.run], ["model", r.model], ["algorithm / task", r.algo_name ?? `${plain(r.task)} ${plain(r.variant)}`],
      ["length", r.length], ["style", r.style], ["shots", r.shots], ["mode", r.mode], ["layout", r.layout], ["item", r.item_id],
      ["finish reason", r.finish_reason], ["tokens in / out", `${plain(r.input_tokens)} / ${plain(r.output_tokens)}`],
      ["latency", missing(r.latency_s) ? "–" : `${r.latency_s.toFixed(2)} s`], ["cost", missing(r.cost_usd) ? "–" : `$${r.cost_usd.toFixed(6)}`],
      ["cached", r.cached], ["error", r.error],
    ]);
    const prompt = Array.isArray(r.messages) && r.messages.length
      ? r.messages.map((m) => el("div", { class: `turn ${m.role === "user" ? "user" : m.role === "assistant" ? "assistant" : "system"}` },
        el("div", { class: "role" }, plain(m.role)), el("pre", {}, plain(m.content))))
      : el("pre", { id: "prompt" }, plain(r.prompt));
    const gold = r.gold_answer ?? (typeof r.answer === "string" ? r.answer.trim() : r.gold);
    const answer = keyValues([
      ["gold", el("code", {}, plain(gold))], ["strict extraction", el("code", {}, plain(r.strict_answer))],
      ["flexible extraction", missing(r.flexible_answer) ? el("span", { class: "muted" }, "none") : el("code", {}, r.flexible_answer)],
      ["failure reason", r.failure], ["exact (strict / flexible)", `${plain(r.exact_strict)} / ${plain(r.exact_flexible)}`],
      ["elementwise", fmt(r.elementwise)], ["trace prefix", fmt(r.trace_prefix)], ["first wrong step", r.first_wrong_step],
      ...(missing(r.predicted) ? [] : [["predicted", r.predicted], ["absolute error", r.abs_error]]),
    ]);
    return [
      el("h1", {}, `${plain(r.algo_name ?? r.variant)} · ${plain(r.model)} `, badge(s.outcome)), links,
      el("div", { class: "columns" }, el("div", {}, section("Prompt", prompt), section("Output", el("pre", { id: "output", class: "output" }, plain(r.output)))),
        el("div", {}, section("Answer", answer),
          x && x.elements ? section("Element by element", elementsTable(x)) : null,
          x && x.steps.length ? section("Trace step by step", stepsTable(x)) : null,
          section("Request", meta))),
    ];
  }

  // ---- dispatch -------------------------------------------------------------------------
  function navigation(view) {
    const nav = document.getElementById("nav");
    nav.replaceChildren(
      el("a", { href: href({ view: "overview" }), class: view === "overview" ? "here" : null }, "Overview"),
      el("a", { href: href({ view: "samples" }), class: view !== "overview" ? "here" : null }, "Samples"));
    if (EXPORT) document.getElementById("runs").replaceChildren(`exported ${EXPORT.created}: ${EXPORT.runs.join(", ")}`);
  }

  async function render() {
    const p = params();
    const view = ["overview", "samples", "sample"].includes(p.get("view")) ? p.get("view") : "overview";
    navigation(view);
    delete document.body.dataset.ready;
    try {
      const content = await { overview: showOverview, samples: showSamples, sample: showSample }[view](p);
      main.replaceChildren(...content.filter(Boolean));
    } catch (error) {
      main.replaceChildren(el("p", { class: "error", id: "error" }, String(error && error.message ? error.message : error)));
    }
    document.body.dataset.ready = view;
    performance.mark(`evalsuite:${view}`);  // when the page was drawn (benchmarks/view.py reads it)
  }

  if (EXPORT) window.addEventListener("hashchange", () => { render(); window.scrollTo(0, 0); });
  render();
})();
