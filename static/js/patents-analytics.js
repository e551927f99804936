// Patent analytics page: draws the ECharts charts from the JSON the page carries
// (json_script, id "analytics-data"). Every chart's numbers are also in its data table.
(() => {
  "use strict";

  const PALETTE = ["#0d6efd", "#20c997", "#fd7e14", "#6f42c1", "#dc3545", "#198754", "#0dcaf0", "#ffc107", "#6c757d", "#d63384"];

  const option = (chart) => {
    const labels = chart.rows.map((r) => r.label);
    const values = chart.rows.map((r) => r.count);
    const grid = { left: 8, right: 24, top: 24, bottom: 8, containLabel: true };
    if (chart.kind === "pie") {
      return {
        color: PALETTE,
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], data: chart.rows.map((r) => ({ name: r.label, value: r.count })) }],
      };
    }
    if (chart.kind === "hbar") {
      return {
        color: PALETTE,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid,
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: labels.slice().reverse(), axisLabel: { width: 180, overflow: "truncate" } },
        series: [{ type: "bar", data: values.slice().reverse() }],
      };
    }
    return {
      color: PALETTE,
      tooltip: { trigger: "axis" },
      grid,
      xAxis: { type: "category", data: labels, axisLabel: { rotate: chart.kind === "bar" && labels.length > 8 ? 40 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: chart.kind === "line" ? "line" : "bar", data: values, areaStyle: chart.kind === "line" ? {} : undefined }],
    };
  };

  const heatmapOption = (heat) => {
    const max = heat.cells.reduce((m, c) => Math.max(m, c[2]), 1);
    return {
      tooltip: { position: "top", formatter: (p) => {
        // A function formatter's result is HTML: the labels (IPC titles, names) are escaped.
        const esc = echarts.format.encodeHTML;
        return `${esc(String(heat.y[p.value[1]]))} · ${esc(String(heat.x[p.value[0]]))}: ${p.value[2]}`;
      } },
      grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: heat.x, splitArea: { show: true } },
      // The busiest subclass first, at the top.
      yAxis: { type: "category", data: heat.y, inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#f8f9fa", "#9ec5fe", "#0d6efd", "#052c65"] } },
      series: [{ type: "heatmap", data: heat.cells, label: { show: heat.x.length <= 12 } }],
    };
  };

  const draw = () => {
    const source = document.getElementById("analytics-data");
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const charts = [];
    const init = (id, opt) => {
      const el = document.getElementById(id);
      if (!el) return;
      const chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(opt);
      charts.push(chart);
    };
    (data.charts || []).forEach((chart) => { if (chart.rows.length) init(chart.id, option(chart)); });
    if (data.heatmap) init(data.heatmap.id, heatmapOption(data.heatmap));
    window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
