// Patent navigation run dashboard: draws every chart of the page from the JSON it carries
// (json_script "dashboard-data": {panel id: {kind, …}}); each chart's container is
// id "chart-<panel id>" and its numbers are also in the data table under it.
// Maps: the boundaries are fetched from <data-maps-base><name>.json (zhibao.core's RegionMap,
// loaded by `zhibao load-maps`); when a map is not loaded the figures are drawn as bars and
// the note under the chart ([data-map-note]) is shown.
(() => {
  "use strict";

  const PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754", "#0dcaf0", "#ffc107", "#6c757d", "#d63384"];
  const GRID = { left: 8, right: 24, top: 36, bottom: 8, containLabel: true };
  const HEAT = ["#f8f9fa", "#cfe2ff", "#6ea8fe", "#0d6efd", "#052c65"];
  const esc = (value) => window.echarts.format.encodeHTML(String(value));
  const maxOf = (values) => values.reduce((m, v) => Math.max(m, Number(v) || 0), 1);

  const bars = (d) => {
    const twoAxes = d.series.some((s) => s.axis === 1);
    const labels = d.horizontal ? d.labels.slice().reverse() : d.labels;
    const category = { type: "category", data: labels, axisLabel: d.horizontal
      ? { width: 220, overflow: "truncate", interval: 0, fontSize: labels.length > 24 ? 10 : 12 }
      : { interval: 0, rotate: labels.length > 10 ? 35 : 0, width: 120, overflow: "truncate" } };
    const values = { type: "value", minInterval: d.percent ? 0 : 1, axisLabel: d.percent ? { formatter: "{value}%" } : {} };
    const series = d.series.map((s) => {
      const out = { name: s.name, type: s.type || "bar", data: d.horizontal ? s.data.slice().reverse() : s.data };
      if (!d.horizontal && s.axis === 1) out.yAxisIndex = 1;
      if (s.type === "line") out.smooth = true;
      if (s.type === "scatter") out.symbolSize = 12;
      if (s.axis === 1 && d.marks) {
        out.markLine = { silent: true, symbol: "none", label: { formatter: "LQ {c}", position: "insideStartTop" },
          lineStyle: { type: "dashed" },
          data: d.marks.filter((m) => m != null).map((m, i) => ({ yAxis: m, lineStyle: { color: i === 0 ? "#dc3545" : "#198754" } })) };
      }
      return out;
    });
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: d.percent ? undefined : (v) => v },
      legend: d.series.length > 1 ? { top: 0 } : undefined,
      grid: d.series.length > 1 ? GRID : { ...GRID, top: 12 },
      xAxis: d.horizontal ? values : category,
      yAxis: d.horizontal ? category : (twoAxes ? [values, { type: "value", name: "LQ", splitLine: { show: false } }] : values),
      series,
    };
  };

  const lifecycle = (d) => ({
    color: PALETTE,
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.value[2])}<br>${esc(d.x)}: ${p.value[0]}<br>${esc(d.y)}: ${p.value[1]}` },
    grid: { left: 8, right: 40, top: 36, bottom: 24, containLabel: true },
    xAxis: { type: "value", name: d.x, nameLocation: "middle", nameGap: 26, scale: true },
    yAxis: { type: "value", name: d.y, scale: true },
    visualMap: { show: false, dimension: 3, min: 0, max: Math.max(d.points.length - 1, 1), inRange: { color: ["#9ec5fe", "#052c65"] } },
    series: [{
      type: "line", data: d.points.map((p, i) => [p[0], p[1], p[2], i]), symbolSize: 8,
      lineStyle: { width: 1.5 },
      label: { show: true, position: "top", fontSize: 10,
        formatter: (p) => {
          const i = p.dataIndex;
          const last = d.points.length - 1;
          return i === 0 || i === last || (i % 4 === 0 && last - i >= 2) ? p.value[2] : "";
        } },
    }],
  });

  const pie = (d) => ({
    color: PALETTE,
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}: ${p.value} (${p.percent}%)` },
    legend: { type: "scroll", bottom: 0 },
    series: [{ name: d.name, type: "pie", radius: ["38%", "64%"], center: ["50%", "45%"], data: d.rows,
      minShowLabelAngle: 6, labelLayout: { hideOverlap: true },
      label: { formatter: "{b}\n{d}%", width: 96, overflow: "break", fontSize: 11 } }],
  });

  const applicants = (d) => {
    // One stacked series per applicant type, so the legend says which bar is which type.
    const types = [...new Set(d.types)];
    const labels = d.labels.slice().reverse();
    const kinds = d.types.slice().reverse();
    const values = d.values.slice().reverse();
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: GRID,
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: labels, axisLabel: { width: 230, overflow: "truncate" } },
      series: types.map((t) => ({ name: t, type: "bar", stack: "all", data: values.map((v, i) => (kinds[i] === t ? v : null)) })),
    };
  };

  const graph = (d) => {
    const top = maxOf(d.nodes.map((n) => n.value));
    const strongest = maxOf(d.links.map((l) => l.value));
    return {
      color: PALETTE,
      tooltip: { formatter: (p) => (p.dataType === "edge"
        ? `${esc(p.data.source)} — ${esc(p.data.target)}: ${p.data.value}`
        : `${esc(p.name)}: ${p.value}`) },
      series: [{
        type: "graph", layout: "force", roam: true, draggable: true,
        force: { repulsion: 380, edgeLength: [80, 180], gravity: 0.12 },
        labelLayout: { hideOverlap: true },
        label: { show: true, position: "bottom", fontSize: 11, width: 150, overflow: "truncate" },
        data: d.nodes.map((n, i) => ({ name: n.name, value: n.value, symbolSize: 12 + 34 * Math.sqrt(n.value / top),
          itemStyle: { color: PALETTE[i % PALETTE.length] } })),
        links: d.links.map((l) => ({ source: l.source, target: l.target, value: l.value,
          lineStyle: { width: 1 + 6 * (l.value / strongest), opacity: 0.6, curveness: 0.1 } })),
        emphasis: { focus: "adjacency" },
      }],
    };
  };

  const heatmap = (d) => ({
    tooltip: { position: "top", formatter: (p) => `${esc(d.y[p.value[1]])} · ${esc(d.x[p.value[0]])}: ${p.value[2]}` },
    grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: d.x, splitArea: { show: true },
      axisLabel: { interval: 0, rotate: d.x.some((x) => x.length > 4) ? 30 : 0, width: 110, overflow: "truncate" } },
    yAxis: { type: "category", data: d.y, inverse: true, splitArea: { show: true }, axisLabel: { width: 180, overflow: "truncate" } },
    visualMap: { min: 0, max: maxOf(d.cells.map((c) => c[2])), calculable: true, orient: "horizontal", right: 8,
      top: 0, itemHeight: 180, itemWidth: 12, inRange: { color: HEAT } },
    series: [{ name: d.name, type: "heatmap", data: d.cells, label: { show: d.x.length <= 24, fontSize: 9 },
      emphasis: { itemStyle: { borderColor: "#212529", borderWidth: 1 } } }],
  });

  // The map's feature for each row: by GB/T 2260 code when both carry one, else by name
  // ("内蒙古" matches the feature "内蒙古自治区" and the other way round).
  const nameMap = (geo, rows) => {
    const out = {};
    const names = rows.map((r) => r.name);
    (geo.features || []).forEach((f) => {
      const props = f.properties || {};
      const feature = String(props.name || "");
      if (!feature || names.includes(feature)) return;
      const code = String(props.adcode || props.code || "");
      const byCode = code && rows.find((r) => r.code && code.startsWith(r.code) && code.length === 6
        && code.slice(r.code.length).replace(/0/g, "") === "");
      const byName = rows.find((r) => r.name && (feature.startsWith(r.name) || r.name.startsWith(feature)));
      const row = byCode || byName;
      if (row) out[feature] = row.name;
    });
    return out;
  };

  const mapOption = (d, geo) => ({
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)}: ${Number.isFinite(p.value) ? p.value : 0}` },
    visualMap: { min: 0, max: maxOf(d.rows.map((r) => r.value)), left: 8, bottom: 8, calculable: true, text: ["", ""],
      inRange: { color: HEAT.slice(1) } },
    series: [{ name: d.name, type: "map", map: d.map, roam: true, nameMap: nameMap(geo, d.rows), data: d.rows,
      // Names on the map when they fit (the 12 leagues); China and the 103 banners name on hover.
      label: { show: d.map !== "china" && (geo.features || []).length <= 40, fontSize: 9 },
      emphasis: { label: { show: true } },
      itemStyle: { areaColor: "#f8f9fa", borderColor: "#adb5bd" } }],
  });

  const mapFallback = (d) => bars({ labels: d.rows.map((r) => r.name), horizontal: true,
    series: [{ name: d.name, type: "bar", data: d.rows.map((r) => r.value) }] });

  const geoCache = {};
  // Only the maps an administrator loaded are fetched (the page lists them); the others are bars.
  const loadedSource = document.getElementById("maps-loaded");
  const loaded = loadedSource ? JSON.parse(loadedSource.textContent) : null;
  const loadMap = (base, name) => {
    if (!name || (loaded && !loaded.includes(name))) return Promise.resolve(null);
    if (!geoCache[name]) {
      geoCache[name] = fetch(`${base}${encodeURIComponent(name)}.json`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((geo) => {
          if (geo && !window.echarts.getMap(name)) window.echarts.registerMap(name, geo);
          return geo;
        })
        .catch(() => null);
    }
    return geoCache[name];
  };

  const BUILDERS = { bars, lifecycle, pie, applicants, graph, heatmap };

  const draw = () => {
    const source = document.getElementById("dashboard-data");
    const root = document.getElementById("dashboard");
    if (!source || !root || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const base = root.dataset.mapsBase || "/maps/";
    const charts = [];
    const init = (id, opt) => {
      const el = document.getElementById(`chart-${id}`);
      if (!el) return;
      const chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(opt, true);
      if (!charts.includes(chart)) charts.push(chart);
    };
    Object.entries(data).forEach(([id, d]) => {
      if (d.kind === "map") {
        loadMap(base, d.map).then((geo) => {
          if (geo) {
            init(id, mapOption(d, geo));
          } else {
            init(id, mapFallback(d));
            const note = document.querySelector(`[data-map-note="${id}"]`);
            if (note) note.classList.remove("d-none");
          }
        });
      } else if (BUILDERS[d.kind]) {
        init(id, BUILDERS[d.kind](d));
      }
    });
    // A chart whose box has no size (the page being left, a print preview) is not resized:
    // ECharts' force-layout graph cannot invert a zero-sized view.
    let pending = 0;
    window.addEventListener("resize", () => {
      window.cancelAnimationFrame(pending);
      pending = window.requestAnimationFrame(() => charts.forEach((c) => {
        const el = c.getDom();
        if (el && el.clientWidth > 0 && el.clientHeight > 0) c.resize();
      }));
    });
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
